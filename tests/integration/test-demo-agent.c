/* SPDX-License-Identifier: MIT */
/* Tests of msd-demo-agent as a child process: sd_notify messages, watchdog pings, /health, crash, hang and stop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

#define AGENT TEST_BINDIR "/msd-demo-agent"

typedef struct Child {
        pid_t pid;
        int out_fd;    /* the agent's stdout */
        int err_fd;    /* the agent's stderr */
        int notify_fd; /* our end of its NOTIFY_SOCKET */
        int port;
        uint64_t started;
} Child;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static int remaining_ms(uint64_t deadline) {
        uint64_t n = now_usec();
        return n >= deadline ? 0 : (int) ((deadline - n + 999) / 1000);
}

/* Starts the agent with args (NULL-terminated) and WATCHDOG_USEC=watchdog_usec unless 0. */
static Child spawn_agent(const char *watchdog_usec, const char *const *args) {
        static unsigned counter;
        Child c = { .port = -1 };
        char name[108];
        snprintf(name, sizeof(name), "msd-test-demo-agent-%d-%u", (int) getpid(), counter++);
        c.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(c.notify_fd >= 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        memcpy(sa.sun_path + 1, name, strlen(name)); /* abstract namespace: nothing to clean up */
        assert_int_equal(bind(c.notify_fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))), 0);

        int out[2], err[2];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(pipe2(err, O_CLOEXEC), 0);
        const char *argv[32] = { AGENT };
        size_t n = 1;
        for (; args[n - 1] && n < ELEMENTSOF(argv) - 1; n++)
                argv[n] = args[n - 1];
        argv[n] = NULL;

        c.started = now_usec();
        c.pid = fork();
        assert_true(c.pid >= 0);
        if (c.pid == 0) {
                dup2(out[1], STDOUT_FILENO);
                dup2(err[1], STDERR_FILENO);
                char env[128];
                snprintf(env, sizeof(env), "@%s", name);
                setenv("NOTIFY_SOCKET", env, 1);
                if (watchdog_usec)
                        setenv("WATCHDOG_USEC", watchdog_usec, 1);
                else
                        unsetenv("WATCHDOG_USEC");
                unsetenv("WATCHDOG_PID");
                unsetenv("LISTEN_FDS");
                unsetenv("LISTEN_PID");
                execv(AGENT, (char *const *) argv);
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        c.out_fd = out[0];
        c.err_fd = err[0];
        return c;
}

/* Reads the "port N" line the agent prints once it listens. */
static int read_port(Child *c) {
        char buf[64] = {};
        size_t len = 0;
        uint64_t deadline = now_usec() + 3 * USEC_PER_SEC;
        while (!memchr(buf, '\n', len) && len < sizeof(buf) - 1) {
                struct pollfd p = { .fd = c->out_fd, .events = POLLIN };
                if (poll(&p, 1, remaining_ms(deadline)) <= 0)
                        fail_msg("no 'port N' line on the agent's stdout");
                ssize_t k = read(c->out_fd, buf + len, sizeof(buf) - 1 - len);
                if (k <= 0)
                        fail_msg("the agent closed stdout before printing its port");
                len += (size_t) k;
        }
        int port = 0;
        assert_int_equal(sscanf(buf, "port %d\n", &port), 1);
        assert_true(port > 0 && port < 65536);
        c->port = port;
        return port;
}

static bool has_line(const char *msg, const char *line) {
        size_t n = strlen(line);
        for (const char *p = msg; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
                        return true;
        return false;
}

/* Waits up to timeout for a datagram with the line; counts (and returns) how many datagrams had it when
 * until_deadline is set, instead of stopping at the first. */
static int notify_count(Child *c, const char *line, usec_t timeout, bool until_deadline) {
        uint64_t deadline = now_usec() + timeout;
        int count = 0;
        for (;;) {
                struct pollfd p = { .fd = c->notify_fd, .events = POLLIN };
                int r = poll(&p, 1, remaining_ms(deadline));
                if (r <= 0)
                        return count;
                char msg[4096];
                ssize_t k = recv(c->notify_fd, msg, sizeof(msg) - 1, 0);
                if (k < 0)
                        continue;
                msg[k] = 0;
                if (has_line(msg, line)) {
                        count++;
                        if (!until_deadline)
                                return count;
                }
        }
}

static void drain_notify(Child *c) {
        char msg[4096];
        while (recv(c->notify_fd, msg, sizeof(msg), MSG_DONTWAIT) > 0)
                ;
}

/* GET /health with a receive timeout; NULL when no answer came in time. */
static char *get_health(int port, usec_t timeout) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct timeval tv = { .tv_sec = (time_t) (timeout / USEC_PER_SEC), .tv_usec = (suseconds_t) (timeout % USEC_PER_SEC) };
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        static const char req[] = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t) sizeof(req) - 1);
        StrBuf b = {};
        char buf[4096];
        ssize_t k;
        while ((k = read(fd, buf, sizeof(buf))) > 0)
                sb_appendn(&b, buf, (size_t) k);
        close(fd);
        if (!b.s)
                return NULL;
        return sb_take(&b, NULL);
}

/* Waits for the agent to exit; returns its wait status, or -1 when it still runs after timeout. */
static int wait_exit(Child *c, usec_t timeout) {
        uint64_t deadline = now_usec() + timeout;
        for (;;) {
                int status;
                pid_t p = waitpid(c->pid, &status, WNOHANG);
                assert_true(p >= 0);
                if (p == c->pid) {
                        c->pid = 0;
                        return status;
                }
                if (now_usec() >= deadline)
                        return -1;
                usleep(5000);
        }
}

static void child_done(Child *c) {
        if (c->pid > 0) {
                kill(c->pid, SIGKILL);
                waitpid(c->pid, NULL, 0);
        }
        close(c->out_fd);
        close(c->err_fd);
        close(c->notify_fd);
}

static void test_ready_watchdog_health_stop(void **state) {
        (void) state;
        Child c = spawn_agent("200000", (const char *const[]) { "--role", "alpha", "--instance", "2", NULL });
        read_port(&c);
        assert_int_equal(notify_count(&c, "READY=1", 2 * USEC_PER_SEC, false), 1);
        /* a ping every 100ms */
        int pings = notify_count(&c, "WATCHDOG=1", 600 * USEC_PER_MSEC, true);
        if (pings < 3)
                fail_msg("only %d watchdog pings in 600ms with WATCHDOG_USEC=200000", pings);

        _cleanup_free_ char *r = get_health(c.port, 2 * USEC_PER_SEC);
        assert_non_null(r);
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
        char expected[128];
        snprintf(expected, sizeof(expected), "{\"status\": \"ok\", \"role\": \"alpha\", \"instance\": \"2\", \"pid\": %d}\n", (int) c.pid);
        assert_non_null(strstr(r, expected));

        assert_int_equal(kill(c.pid, SIGTERM), 0);
        assert_int_equal(notify_count(&c, "STOPPING=1", 2 * USEC_PER_SEC, false), 1);
        int status = wait_exit(&c, 2 * USEC_PER_SEC);
        assert_true(status >= 0 && WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        child_done(&c);
}

static void test_crash_after(void **state) {
        (void) state;
        Child c = spawn_agent(NULL, (const char *const[]) { "--role", "crasher", "--crash-after", "300ms", "--exit-code", "7", NULL });
        read_port(&c);
        int status = wait_exit(&c, 3 * USEC_PER_SEC);
        uint64_t elapsed = now_usec() - c.started;
        assert_true(status >= 0 && WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 7);
        if (elapsed < 290 * USEC_PER_MSEC)
                fail_msg("crashed after %llums, before --crash-after 300ms", (unsigned long long) (elapsed / 1000));
        child_done(&c);

        /* the default crash exit code is 1 */
        c = spawn_agent(NULL, (const char *const[]) { "--role", "crasher", "--crash-after", "50ms", NULL });
        status = wait_exit(&c, 3 * USEC_PER_SEC);
        assert_true(status >= 0 && WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
        child_done(&c);
}

static void test_hang_after(void **state) {
        (void) state;
        Child c = spawn_agent("200000", (const char *const[]) { "--role", "hanger", "--hang-after", "300ms", NULL });
        read_port(&c);
        /* READY=1 comes as the hang timer starts; alive and pinging before the hang */
        assert_int_equal(notify_count(&c, "READY=1", 2 * USEC_PER_SEC, false), 1);
        uint64_t ready = now_usec();
        assert_true(notify_count(&c, "WATCHDOG=1", 200 * USEC_PER_MSEC, true) >= 1);
        uint64_t quiet = ready + 450 * USEC_PER_MSEC;
        if (quiet > now_usec())
                usleep((useconds_t) (quiet - now_usec()));
        drain_notify(&c);
        /* silent afterwards, for several watchdog periods */
        assert_int_equal(notify_count(&c, "WATCHDOG=1", 500 * USEC_PER_MSEC, true), 0);
        /* HTTP is accepted by the kernel but never answered */
        char *r = get_health(c.port, 300 * USEC_PER_MSEC);
        assert_null(r);
        /* and the process keeps running */
        assert_int_equal(wait_exit(&c, 0), -1);
        child_done(&c);
}

static void test_signals(void **state) {
        (void) state;
        Child c = spawn_agent("200000", (const char *const[]) { "--role", "sig", "--exit-code", "5", NULL });
        read_port(&c);
        assert_int_equal(notify_count(&c, "READY=1", 2 * USEC_PER_SEC, false), 1);
        assert_int_equal(notify_count(&c, "WATCHDOG=1", 2 * USEC_PER_SEC, false), 1);
        /* SIGUSR2: hang now */
        assert_int_equal(kill(c.pid, SIGUSR2), 0);
        usleep(50 * 1000);
        drain_notify(&c);
        assert_int_equal(notify_count(&c, "WATCHDOG=1", 400 * USEC_PER_MSEC, true), 0);
        assert_int_equal(wait_exit(&c, 0), -1);
        /* SIGUSR1: crash now, with the crash exit code */
        assert_int_equal(kill(c.pid, SIGUSR1), 0);
        int status = wait_exit(&c, 2 * USEC_PER_SEC);
        assert_true(status >= 0 && WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 5);
        child_done(&c);
}

static void test_ready_options(void **state) {
        (void) state;
        /* --no-ready: serves HTTP, never READY=1 */
        Child c = spawn_agent(NULL, (const char *const[]) { "--role", "lazy", "--no-ready", NULL });
        read_port(&c);
        _cleanup_free_ char *r = get_health(c.port, 2 * USEC_PER_SEC);
        assert_non_null(r);
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_int_equal(notify_count(&c, "READY=1", 400 * USEC_PER_MSEC, false), 0);
        child_done(&c);

        /* --ready-delay */
        c = spawn_agent(NULL, (const char *const[]) { "--role", "slow", "--ready-delay", "300ms", NULL });
        assert_int_equal(notify_count(&c, "READY=1", 3 * USEC_PER_SEC, false), 1);
        uint64_t elapsed = now_usec() - c.started;
        if (elapsed < 290 * USEC_PER_MSEC)
                fail_msg("READY=1 after %llums, before --ready-delay 300ms", (unsigned long long) (elapsed / 1000));
        child_done(&c);

        /* --no-watchdog wins over WATCHDOG_USEC */
        c = spawn_agent("200000", (const char *const[]) { "--role", "quiet", "--no-watchdog", NULL });
        assert_int_equal(notify_count(&c, "READY=1", 2 * USEC_PER_SEC, false), 1);
        assert_int_equal(notify_count(&c, "WATCHDOG=1", 400 * USEC_PER_MSEC, true), 0);
        child_done(&c);
}

/* Runs the agent to its end; returns the exit status and checks that stderr mentions expected_error. */
static int run_agent(const char *const *args, const char *expected_error) {
        Child c = spawn_agent(NULL, args);
        int status = wait_exit(&c, 3 * USEC_PER_SEC);
        char err[4096];
        ssize_t k = read(c.err_fd, err, sizeof(err) - 1);
        err[k > 0 ? k : 0] = 0;
        child_done(&c);
        assert_true(status >= 0 && WIFEXITED(status));
        if (expected_error && !strstr(err, expected_error))
                fail_msg("stderr '%s' does not mention '%s'", err, expected_error);
        return WEXITSTATUS(status);
}

static void test_usage(void **state) {
        (void) state;
        assert_int_equal(run_agent((const char *const[]) { "--help", NULL }, NULL), 0);
        assert_int_equal(run_agent((const char *const[]) { NULL }, "--role is required"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "", NULL }, "empty --role"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "x", "--port", "70000", NULL }, "invalid --port '70000'"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "x", "--exit-code", "256", NULL }, "invalid --exit-code '256'"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "x", "--crash-after", "soon", NULL }, "invalid duration 'soon'"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "x", "--bogus", NULL }, "option '--bogus' is unknown"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "x", "extra", NULL }, "unexpected argument 'extra'"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", NULL }, "option '--role' needs an argument"), 64);
        assert_int_equal(run_agent((const char *const[]) { "--role", "x", "--no-ready=1", NULL }, "takes no argument"), 64);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ready_watchdog_health_stop),
                cmocka_unit_test(test_crash_after),
                cmocka_unit_test(test_hang_after),
                cmocka_unit_test(test_signals),
                cmocka_unit_test(test_ready_options),
                cmocka_unit_test(test_usage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
