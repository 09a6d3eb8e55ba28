/* SPDX-License-Identifier: MIT */
/* msd-supervisor handing secrets to its workers, with real processes: env files read as systemd reads
 * EnvironmentFile=. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers/sv-run.h"

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_worker_env_files, sv_run_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
