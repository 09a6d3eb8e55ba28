/* SPDX-License-Identifier: MIT */
/* Tests for supervisor/host/log.c: the sd-daemon priority prefix of every line, diagnostics line by line at
 * their level's priority, and no prefix on a terminal. Each case logs from a child process whose stderr
 * is a pipe or a pseudo-terminal, as msd-supervisor's is under systemd or in a shell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/host/log.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Runs body in a child whose stderr is fd, then returns what the other end (read_fd) received: all of it is
 * there once the child has exited, give or take the terminal's own delivery. */
static char *logged(void (*body)(void), int fd, int read_fd) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (dup2(fd, STDERR_FILENO) < 0)
                        _exit(127);
                setenv("NO_COLOR", "1", 1);
                body();
                fflush(stderr);
                _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        StrBuf b = {};
        char buf[4096];
        struct pollfd p = { read_fd, POLLIN, 0 };
        for (ssize_t n; poll(&p, 1, 100) > 0 && (n = read(read_fd, buf, sizeof(buf))) > 0;)
                sb_appendn(&b, buf, (size_t) n);
        sb_putc(&b, 0);
        return sb_take(&b, NULL);
}

static char *logged_to_pipe(void (*body)(void)) {
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        char *s = logged(body, p[1], p[0]);
        close(p[0]);
        close(p[1]);
        return s;
}

static void log_each_level(void) {
        sv_log_error("x: cannot start '%s': %s", "/bin/x", "No such process");
        sv_log_warning("x: exited with status %d", 127);
        sv_log_notice("x: restarting in %.3fs (restart %u)", 0.1, 1u);
        sv_log_info("x: started, pid %d", 42);
        sv_log_debug("x: deleted");
}

static void test_prefixes(void **state) {
        (void) state;
        _cleanup_free_ char *s = logged_to_pipe(log_each_level);
        assert_string_equal(s, "<3>msd-supervisor: x: cannot start '/bin/x': No such process\n"
                               "<4>msd-supervisor: x: exited with status 127\n"
                               "<5>msd-supervisor: x: restarting in 0.100s (restart 1)\n"
                               "<6>msd-supervisor: x: started, pid 42\n"
                               "<7>msd-supervisor: x: deleted\n");
}

static void log_diags(void) {
        static char text[] = "root: R\nsupervisors:\n  - {name: R, strategy: one_for_sum}\n";
        Source *src = source_new("sv.yaml", xstrdup(text), strlen(text));
        Diags d = {};
        diag_error(&d, ((Loc) { .src = src, .line = 3, .col = 25 }), "'strategy' value 'one_for_sum' is not valid");
        diag_warning(&d, ((Loc) { .src = src, .line = 1, .col = 7 }), "a warning");
        diag_note(&d, ((Loc) { 0 }), "a note without a place");
        sv_log_diags(&d);
        diags_clear(&d);
        source_free(src);
}

static void test_diags(void **state) {
        (void) state;
        _cleanup_free_ char *s = logged_to_pipe(log_diags);
        assert_string_equal(s, "<3>sv.yaml:3:25: error: 'strategy' value 'one_for_sum' is not valid\n"
                               "<3>     3 |   - {name: R, strategy: one_for_sum}\n"
                               "<3>       |                         ^\n"
                               "<4>sv.yaml:1:7: warning: a warning\n"
                               "<4>     1 | root: R\n"
                               "<4>       |       ^\n"
                               "<5>test-sv-log: note: a note without a place\n"); /* the program's name where no place is */
}

static void log_error_and_diag(void) {
        sv_log_error("--config FILE is required");
        log_diags();
}

/* A person at a terminal reads the lines without the journal's prefix. */
static void test_terminal(void **state) {
        (void) state;
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(master >= 0);
        assert_int_equal(grantpt(master), 0);
        assert_int_equal(unlockpt(master), 0);
        int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(slave >= 0);
        _cleanup_free_ char *s = logged(log_error_and_diag, slave, master);
        close(slave);
        close(master);
        /* the terminal turns each "\n" into "\r\n" */
        assert_non_null(strstr(s, "msd-supervisor: --config FILE is required\r\n"));
        assert_non_null(strstr(s, "sv.yaml:3:25: error: 'strategy' value 'one_for_sum' is not valid\r\n"));
        for (const char *prefix = "<3>\0<4>\0<5>\0"; *prefix; prefix += 4)
                assert_null(strstr(s, prefix));
        assert_null(strstr(s, "\033[")); /* NO_COLOR */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefixes),
                cmocka_unit_test(test_diags),
                cmocka_unit_test(test_terminal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
