/* SPDX-License-Identifier: MIT */
/* msd-supervisor handing secrets to its workers, with real processes: env files read as systemd reads
 * EnvironmentFile=, and credentials of its own unit passed on as paths under $CREDENTIALS_DIRECTORY. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers/render-check.h"
#include "helpers/sv-run.h"
#include "util/fileio.h"

/* A worker's env files, read as systemd reads EnvironmentFile=, win over its inline environment; a missing one
 * keeps it from starting, loudly. */
static void test_worker_env_files(void **state) {
        (void) state;
        char env_path[] = "/tmp/msd-sv-env-XXXXXX";
        int fd = mkstemp(env_path);
        assert_true(fd >= 0);
        static const char text[] = "# secrets\nKEY=from-file\nSECRET=\"s p \\\"q\\\"\"\n";
        assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t) sizeof(text) - 1);
        close(fd);
        char yaml[1024];
        snprintf(yaml, sizeof(yaml),
                 "version: 1\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: a, type: worker}, {name: b, type: worker}]\n"
                 "workers:\n  - {name: a, exec: /bin/sleep 1000, environment: {KEY: inline, OTHER: x}, env_files: [%s]}\n"
                 "  - {name: b, exec: /bin/sleep 1001, env_files: [%s.missing]}\n",
                 env_path, env_path);
        SvRun r;
        sv_run_start(&r, yaml, NULL);
        assert_true(sv_run_wait_log(&r, "a: started", 5));
        assert_true(sv_run_wait_log(&r, "b: cannot start '/bin/sleep 1001'", 5));
        char env[8192];
        bool seen = false;
        for (double end = sv_run_now() + 2; !seen && sv_run_now() < end; usleep(20000)) { /* once it has exec'ed */
                size_t n = sv_run_read_environ(sv_run_pid_of(&r, "a"), env, sizeof(env));
#define HAS(lit) (memmem(env, n, lit, sizeof(lit)) != NULL) /* with its NUL: the whole value */
                seen = HAS("KEY=from-file") && HAS("SECRET=s p \"q\"") && HAS("OTHER=x");
#undef HAS
        }
        assert_true(seen);
        kill(r.pid, SIGTERM);
        sv_run_finish(&r, 10);
        unlink(env_path);
}

/* A child that writes what it got to DIR/got: its variables and the content of the file its credential names. */
static const char child_script[] =
        "#!/bin/sh\n"
        "{ printf 'API_KEY_FILE=%s\\n' \"$API_KEY_FILE\"; printf 'FROM_FILE=%s\\n' \"$FROM_FILE\";\n"
        "  printf 'PLAIN=%s\\n' \"$PLAIN\"; printf 'secret=%s\\n' \"$(cat \"$API_KEY_FILE\")\"; } >\"$(dirname \"$0\")/got.new\"\n"
        "mv \"$(dirname \"$0\")/got.new\" \"$(dirname \"$0\")/got\"\n"
        "exec sleep 1000\n";

static char *wait_file(const char *path, double timeout) {
        char *text = NULL;
        for (double end = sv_run_now() + timeout; sv_run_now() < end; usleep(20000))
                if (read_full_file(path, 4096, &text, NULL) >= 0)
                        return text;
        fail_msg("'%s' did not appear", path);
        return NULL;
}

/* A credential of msd-supervisor's unit reaches the worker as the path of the file in $CREDENTIALS_DIRECTORY, over
 * the same variable of its env file; the child reads the secret itself. A credential that is not there keeps its
 * worker from starting, saying which directory was searched. */
static void test_worker_credentials(void **state) {
        (void) state;
        char *dir = check_tmpdir();
        char creds[256], env_path[256], script[256], got_path[256], yaml[2048];
        snprintf(creds, sizeof(creds), "%s/credentials", dir);
        assert_int_equal(mkdir(creds, 0500 | 0200), 0);
        check_write(creds, "api-key", "s3cr3t value\n", 0400);
        check_write(dir, "worker.env", "API_KEY_FILE=/not/this/one\nFROM_FILE=yes\n", 0640);
        check_write(dir, "child.sh", child_script, 0755);
        snprintf(env_path, sizeof(env_path), "%s/worker.env", dir);
        snprintf(script, sizeof(script), "%s/child.sh", dir);
        snprintf(got_path, sizeof(got_path), "%s/got", dir);
        snprintf(yaml, sizeof(yaml),
                 "version: 1\nroot: R\nsupervisors:\n  - name: R\n    children: [{name: a, type: worker}, {name: b, type: worker}]\n"
                 "workers:\n  - name: a\n    exec: /bin/sh %s\n    environment: {PLAIN: inline}\n    env_files: [%s]\n"
                 "    credentials: {API_KEY_FILE: api-key}\n"
                 "  - name: b\n    exec: /bin/sleep 1001\n    credentials: {DB_KEY_FILE: db-key}\n",
                 script, env_path);
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", creds, 1), 0);
        SvRun r;
        sv_run_start(&r, yaml, NULL);
        unsetenv("CREDENTIALS_DIRECTORY");
        assert_true(sv_run_wait_log(&r, "a: started", 5));
        char *got = wait_file(got_path, 5), *want = NULL;
        assert_true(asprintf(&want, "API_KEY_FILE=%s/api-key\nFROM_FILE=yes\nPLAIN=inline\nsecret=s3cr3t value\n", creds) > 0);
        assert_string_equal(got, want);
        free(got);
        free(want);
        char expect[512];
        snprintf(expect, sizeof(expect),
                 "b: cannot start '/bin/sleep 1001': a credential it names is not in $CREDENTIALS_DIRECTORY ('%s')", creds);
        r.seen = 0;
        assert_true(sv_run_wait_log(&r, expect, 5));
        kill(r.pid, SIGTERM);
        assert_int_equal(sv_run_finish(&r, 10), 0);

        /* without a credentials directory (not started by systemd with LoadCredential=), no worker that needs one starts */
        sv_run_start(&r, yaml, NULL);
        assert_true(sv_run_wait_log(&r, "a: cannot start '/bin/sh", 5));
        assert_true(sv_run_wait_log(&r, "not in $CREDENTIALS_DIRECTORY ('')", 5));
        kill(r.pid, SIGTERM);
        sv_run_finish(&r, 10);
        check_rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_worker_env_files, sv_run_teardown),
                cmocka_unit_test_teardown(test_worker_credentials, sv_run_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
