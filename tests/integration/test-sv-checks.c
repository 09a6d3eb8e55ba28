/* SPDX-License-Identifier: MIT */
/* Tests of the supervisor's check runner against real loopback servers, processes, scripts and a
 * throwaway PostgreSQL cluster, all on one sd-event loop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/host/checks.h"
#include "util/xalloc.h"

#define MS USEC_PER_MSEC
#define HOUR (3600 * USEC_PER_SEC)

extern char **environ;

static usec_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}

/* ---- what the runner reports ------------------------------------------------------------------------ */

#define MAX_RESULTS 64
typedef struct Result {
        size_t index;
        SvCheckResult result;
        usec_t duration;
        usec_t at;
        char detail[512];
} Result;

typedef struct Collector {
        Result r[MAX_RESULTS];
        size_t n;
} Collector;

static void on_done(void *userdata, size_t index, SvCheckResult result, usec_t duration, const char *detail) {
        Collector *col = userdata;
        assert_true(col->n < MAX_RESULTS);
        Result *r = &col->r[col->n++];
        r->index = index;
        r->result = result;
        r->duration = duration;
        r->at = now_usec();
        snprintf(r->detail, sizeof(r->detail), "%s", detail);
        printf("    check %zu: %s in %llums: %s\n", index, sv_check_result_to_string(result),
               (unsigned long long) (duration / MS), detail);
}

/* Runs the loop until `want` results arrived; fails the test after `limit`. */
static void run_until(sd_event *e, Collector *col, size_t want, usec_t limit) {
        usec_t end = now_usec() + limit;
        while (col->n < want) {
                usec_t t = now_usec();
                if (t >= end)
                        fail_msg("only %zu of %zu results after %llums", col->n, want,
                                 (unsigned long long) (limit / MS));
                assert_true(sd_event_run(e, end - t) >= 0);
        }
}

static void run_for(sd_event *e, usec_t span) {
        usec_t end = now_usec() + span;
        for (usec_t t; (t = now_usec()) < end;)
                assert_true(sd_event_run(e, end - t) >= 0);
}

static const Result *result_of(const Collector *col, size_t index) {
        for (size_t i = 0; i < col->n; i++)
                if (col->r[i].index == index)
                        return &col->r[i];
        fail_msg("no result for check %zu", index);
        abort(); /* not reached: fail_msg() leaves the test */
}

static HealthCheck check(HealthKind kind, const char *target, usec_t timeout) {
        return (HealthCheck) {
                .name = "t",
                .kind = kind,
                .target = target,
                .database = kind == HEALTH_DATABASE ? "tcp" : NULL,
                .interval = HOUR, /* once, in these tests */
                .timeout = timeout,
                .initial_delay = 0,
        };
}

static void assert_duration_near(usec_t d, usec_t want) {
        if (d < want - 5 * MS || d > want + 250 * MS)
                fail_msg("duration %llums, expected about %llums", (unsigned long long) (d / MS),
                         (unsigned long long) (want / MS));
}

static void assert_contains(const char *s, const char *needle) {
        if (!strstr(s, needle))
                fail_msg("'%s' does not contain '%s'", s, needle);
}

/* ---- loopback servers ------------------------------------------------------------------------------- */

static int listen_on(unsigned *ret_port, int backlog) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(fd >= 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        socklen_t len = sizeof(a);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
        if (backlog >= 0)
                assert_int_equal(listen(fd, backlog), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

/* A port nothing listens on: bound, never listening, so no one else takes it while the test runs. */
static int closed_port(unsigned *ret_port) {
        return listen_on(ret_port, -1);
}

typedef struct Conn {
        int fd;
        sd_event_source *src;
        char buf[2048];
        size_t len;
        struct Conn *next;
} Conn;

/* Answers "GET /<status>" with that status; "GET /slow" never answers. Runs on the test's loop. */
typedef struct HttpServer {
        int fd;
        unsigned port;
        sd_event_source *src;
        Conn *conns;
        unsigned requests;
} HttpServer;

static int on_http_read(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HttpServer *srv = userdata;
        Conn *c = NULL;
        (void) revents;
        for (c = srv->conns; c && c->src != s; c = c->next)
                ;
        assert_non_null(c);
        ssize_t n = read(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
        if (n <= 0) {
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
                return 0;
        }
        c->len += (size_t) n;
        c->buf[c->len] = '\0';
        if (!strstr(c->buf, "\r\n\r\n"))
                return 0;
        srv->requests++;
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        int status;
        if (strncmp(c->buf, "GET /slow ", 10) == 0 || sscanf(c->buf, "GET /%d ", &status) != 1)
                return 0; /* held open until the client gives up */
        char resp[256];
        int len = snprintf(resp, sizeof(resp),
                           "HTTP/1.1 %d Test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
        (void) send(fd, resp, (size_t) len, MSG_NOSIGNAL);
        shutdown(fd, SHUT_WR);
        return 0;
}

static int on_http_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HttpServer *srv = userdata;
        (void) s;
        (void) revents;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
                return 0;
        Conn *c = xcalloc(1, sizeof(*c));
        c->fd = cfd;
        c->next = srv->conns;
        srv->conns = c;
        assert_true(sd_event_add_io(sd_event_source_get_event(s), &c->src, cfd, EPOLLIN, on_http_read, srv) >= 0);
        return 0;
}

static void http_server_start(HttpServer *srv, sd_event *e) {
        *srv = (HttpServer) { 0 };
        srv->fd = listen_on(&srv->port, 16);
        assert_true(sd_event_add_io(e, &srv->src, srv->fd, EPOLLIN, on_http_accept, srv) >= 0);
}

static void http_server_stop(HttpServer *srv) {
        while (srv->conns) {
                Conn *c = srv->conns;
                srv->conns = c->next;
                sd_event_source_disable_unref(c->src);
                close(c->fd);
                free(c);
        }
        sd_event_source_disable_unref(srv->src);
        close(srv->fd);
}

/* ---- fixtures --------------------------------------------------------------------------------------- */

typedef struct Fixture {
        sd_event *e;
        Collector col;
        char dir[64];
} Fixture;

static int setup(void **state) {
        Fixture *f = xcalloc(1, sizeof(*f));
        assert_true(sd_event_new(&f->e) >= 0);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-sv-checks.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove '%s'\n", f->dir);
        sd_event_unref(f->e);
        free(f);
        return 0;
}

static char *write_script(const Fixture *f, const char *name, const char *body) {
        char *path = NULL;
        assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
        FILE *out = fopen(path, "we");
        assert_non_null(out);
        fprintf(out, "#!/bin/sh\n%s", body);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(chmod(path, 0755), 0);
        return path;
}

/* ---- tests ------------------------------------------------------------------------------------------ */

static void test_result_strings(void **state) {
        (void) state;
        for (int i = 0; i < _SV_CHECK_RESULT_MAX; i++)
                assert_int_equal(sv_check_result_from_string(sv_check_result_to_string((SvCheckResult) i)), i);
        assert_string_equal(sv_check_result_to_string(SV_CHECK_WARN), "warn");
        assert_null(sv_check_result_to_string(_SV_CHECK_RESULT_MAX));
        assert_null(sv_check_result_to_string(_SV_CHECK_RESULT_INVALID));
        assert_int_equal(sv_check_result_from_string("ok"), _SV_CHECK_RESULT_INVALID);
        assert_int_equal(sv_check_result_from_string(NULL), _SV_CHECK_RESULT_INVALID);
}

static void test_invalid_targets(void **state) {
        Fixture *f = *state;
        SvChecks *c = NULL;
        struct {
                HealthKind kind;
                const char *target, *database;
        } bad[] = {
                { HEALTH_HTTP, "ftp://127.0.0.1/", NULL },
                { HEALTH_HTTP, "", NULL },
                { HEALTH_TCP, "127.0.0.1", NULL },
                { HEALTH_TCP, "127.0.0.1:0", NULL },
                { HEALTH_TCP, "::1:80", NULL },
                { HEALTH_TCP, "127.0.0.1:99999", NULL },
                { HEALTH_DATABASE, "127.0.0.1:5432", "mysql" },
                { HEALTH_DATABASE, "nowhere", "postgresql" },
                { HEALTH_SCRIPT, "relative/check.sh", NULL },
                { HEALTH_SCRIPT, "/bin/check 'unbalanced", NULL },
                { HEALTH_PROCESS, "/usr/bin/sleep", NULL },
                { _HEALTH_KIND_MAX, "x", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                HealthCheck hc[2] = { check(HEALTH_PROCESS, "init", HOUR), check(bad[i].kind, bad[i].target, HOUR) };
                hc[1].database = bad[i].database;
                assert_int_equal(sv_checks_new(f->e, hc, 2, on_done, &f->col, &c), -EINVAL);
                assert_null(c);
        }
        assert_int_equal(sv_checks_new(f->e, NULL, 1, on_done, &f->col, &c), -EINVAL);

        /* scripts need SIGCHLD blocked: sd-event watches children only then */
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        assert_int_equal(sigprocmask(SIG_UNBLOCK, &chld, NULL), 0);
        HealthCheck script = check(HEALTH_SCRIPT, "/bin/true", HOUR);
        assert_int_equal(sv_checks_new(f->e, &script, 1, on_done, &f->col, &c), -EBUSY);
        assert_int_equal(sigprocmask(SIG_BLOCK, &chld, NULL), 0);
        assert_int_equal(sv_checks_new(f->e, &script, 1, on_done, &f->col, &c), 0);
        c = sv_checks_free(c);

        /* no checks at all is fine */
        assert_int_equal(sv_checks_new(f->e, NULL, 0, on_done, &f->col, &c), 0);
        assert_int_equal(sv_checks_count(c), 0);
        assert_int_equal(sv_checks_run_now(c, 0), -ERANGE);
        c = sv_checks_free(c);
        assert_null(sv_checks_free(NULL));
}

static void test_http(void **state) {
        Fixture *f = *state;
        HttpServer srv;
        unsigned refused;
        int closed_fd = closed_port(&refused);
        http_server_start(&srv, f->e);

        char url[5][128];
        snprintf(url[0], sizeof(url[0]), "http://127.0.0.1:%u/200", srv.port);
        snprintf(url[1], sizeof(url[1]), "http://127.0.0.1:%u/429", srv.port);
        snprintf(url[2], sizeof(url[2]), "http://127.0.0.1:%u/500", srv.port);
        snprintf(url[3], sizeof(url[3]), "http://127.0.0.1:%u/200", refused);
        snprintf(url[4], sizeof(url[4]), "http://127.0.0.1:%u/slow", srv.port);
        HealthCheck hc[6];
        for (size_t i = 0; i < 5; i++)
                hc[i] = check(HEALTH_HTTP, url[i], 2 * USEC_PER_SEC);
        hc[4].timeout = 300 * MS;
        char redirect[128];
        snprintf(redirect, sizeof(redirect), "http://127.0.0.1:%u/302", srv.port);
        hc[5] = check(HEALTH_HTTP, redirect, 2 * USEC_PER_SEC);

        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, hc, 6, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 6, 3 * USEC_PER_SEC);

        assert_int_equal(result_of(&f->col, 0)->result, SV_CHECK_PASS);
        assert_string_equal(result_of(&f->col, 0)->detail, "HTTP 200");
        assert_int_equal(result_of(&f->col, 1)->result, SV_CHECK_WARN);
        assert_string_equal(result_of(&f->col, 1)->detail, "HTTP 429");
        assert_int_equal(result_of(&f->col, 2)->result, SV_CHECK_FAIL);
        assert_string_equal(result_of(&f->col, 2)->detail, "HTTP 500");
        assert_int_equal(result_of(&f->col, 3)->result, SV_CHECK_FAIL);
        assert_contains(result_of(&f->col, 3)->detail, "onnect");
        const Result *slow = result_of(&f->col, 4);
        assert_int_equal(slow->result, SV_CHECK_FAIL);
        assert_string_equal(slow->detail, "timed out after 300ms");
        assert_duration_near(slow->duration, 300 * MS);
        /* redirects are not followed: a 302 is a failure */
        assert_int_equal(result_of(&f->col, 5)->result, SV_CHECK_FAIL);
        assert_string_equal(result_of(&f->col, 5)->detail, "HTTP 302");
        assert_int_equal(srv.requests, 5);

        /* a second round on request, over fresh connections */
        assert_int_equal(sv_checks_run_now(c, 0), 1);
        run_until(f->e, &f->col, 7, 2 * USEC_PER_SEC);
        assert_int_equal(f->col.r[6].index, 0);
        assert_int_equal(f->col.r[6].result, SV_CHECK_PASS);
        assert_int_equal(srv.requests, 6);

        /* freeing with a transfer in flight cancels it without a report */
        assert_int_equal(sv_checks_run_now(c, 4), 1);
        run_for(f->e, 50 * MS);
        assert_true(sv_checks_running(c, 4));
        c = sv_checks_free(c);
        run_for(f->e, 50 * MS);
        assert_int_equal(f->col.n, 7);

        http_server_stop(&srv);
        close(closed_fd);
}

static void test_tcp(void **state) {
        Fixture *f = *state;
        unsigned open_port, closed, full;
        int open_fd = listen_on(&open_port, 16);
        int closed_fd = closed_port(&closed);

        /* a listener whose accept queue is full drops further SYNs: the connect hangs, deterministically */
        int full_fd = listen_on(&full, 0);
        int fillers[3];
        for (size_t i = 0; i < ELEMENTSOF(fillers); i++) {
                fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(full),
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                (void) connect(fillers[i], (struct sockaddr *) &a, sizeof(a));
        }

        char t[4][64];
        snprintf(t[0], sizeof(t[0]), "127.0.0.1:%u", open_port);
        snprintf(t[1], sizeof(t[1]), "127.0.0.1:%u", closed);
        snprintf(t[2], sizeof(t[2]), "127.0.0.1:%u", full);
        snprintf(t[3], sizeof(t[3]), "localhost:%u", open_port);
        HealthCheck hc[4] = {
                check(HEALTH_TCP, t[0], USEC_PER_SEC),
                check(HEALTH_TCP, t[1], USEC_PER_SEC),
                check(HEALTH_TCP, t[2], 300 * MS),
                check(HEALTH_TCP, t[3], USEC_PER_SEC),
        };
        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, hc, 4, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 4, 3 * USEC_PER_SEC);

        assert_int_equal(result_of(&f->col, 0)->result, SV_CHECK_PASS);
        assert_contains(result_of(&f->col, 0)->detail, "connected to 127.0.0.1:");
        assert_int_equal(result_of(&f->col, 1)->result, SV_CHECK_FAIL);
        assert_contains(result_of(&f->col, 1)->detail, "onnect");
        const Result *hang = result_of(&f->col, 2);
        assert_int_equal(hang->result, SV_CHECK_FAIL);
        assert_string_equal(hang->detail, "timed out after 300ms");
        assert_duration_near(hang->duration, 300 * MS);
        /* a host name resolves (asynchronously, inside libcurl) */
        assert_int_equal(result_of(&f->col, 3)->result, SV_CHECK_PASS);
        c = sv_checks_free(c);

        for (size_t i = 0; i < ELEMENTSOF(fillers); i++)
                close(fillers[i]);
        close(full_fd);
        close(closed_fd);
        close(open_fd);
}

static void test_database_tcp(void **state) {
        Fixture *f = *state;
        unsigned open_port, closed;
        int open_fd = listen_on(&open_port, 16);
        int closed_fd = closed_port(&closed);
        char t[2][64];
        snprintf(t[0], sizeof(t[0]), "127.0.0.1:%u", open_port);
        snprintf(t[1], sizeof(t[1]), "127.0.0.1:%u", closed);
        HealthCheck hc[2] = { check(HEALTH_DATABASE, t[0], USEC_PER_SEC), check(HEALTH_DATABASE, t[1], USEC_PER_SEC) };

        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, hc, 2, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 2, 3 * USEC_PER_SEC);
        assert_int_equal(result_of(&f->col, 0)->result, SV_CHECK_PASS);
        assert_int_equal(result_of(&f->col, 1)->result, SV_CHECK_FAIL);
        c = sv_checks_free(c);
        close(closed_fd);
        close(open_fd);
}

static pid_t spawn_sleeper(const char *argv0) {
        char *argv[] = { (char *) argv0, (char *) "30", NULL };
        pid_t pid;
        assert_int_equal(posix_spawn(&pid, "/bin/sleep", NULL, NULL, argv, environ), 0);
        return pid;
}

static void test_process(void **state) {
        Fixture *f = *state;
        char argv0[64], long_name[64], long_argv0[96];
        snprintf(argv0, sizeof(argv0), "msd-sleeper-%d", (int) getpid());
        snprintf(long_name, sizeof(long_name), "msd-check-sleeper-with-a-long-name-%d", (int) getpid());
        snprintf(long_argv0, sizeof(long_argv0), "/opt/somewhere/%s", long_name);
        pid_t by_comm = spawn_sleeper("sleep");
        pid_t by_argv0 = spawn_sleeper(argv0);
        pid_t by_long = spawn_sleeper(long_argv0);

        /* a zombie: exited, not reaped (waitid with WNOWAIT waits for the exit and leaves it) */
        pid_t zombie = fork();
        assert_true(zombie >= 0);
        if (zombie == 0) {
                prctl(PR_SET_NAME, "msdzombie");
                _exit(0);
        }
        siginfo_t si;
        assert_int_equal(waitid(P_PID, (id_t) zombie, &si, WEXITED | WNOWAIT), 0);

        HealthCheck hc[5] = {
                check(HEALTH_PROCESS, "sleep", USEC_PER_SEC),
                check(HEALTH_PROCESS, argv0, USEC_PER_SEC),
                check(HEALTH_PROCESS, long_name, USEC_PER_SEC),
                check(HEALTH_PROCESS, "msdzombie", USEC_PER_SEC),
                check(HEALTH_PROCESS, "msd-no-such-process", USEC_PER_SEC),
        };
        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, hc, 5, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 5, 2 * USEC_PER_SEC);
        assert_int_equal(result_of(&f->col, 0)->result, SV_CHECK_PASS);
        assert_int_equal(result_of(&f->col, 1)->result, SV_CHECK_PASS);
        char want[64];
        snprintf(want, sizeof(want), "pid %d", (int) by_argv0);
        assert_contains(result_of(&f->col, 1)->detail, want);
        assert_int_equal(result_of(&f->col, 2)->result, SV_CHECK_PASS);
        snprintf(want, sizeof(want), "pid %d", (int) by_long);
        assert_contains(result_of(&f->col, 2)->detail, want);
        assert_int_equal(result_of(&f->col, 3)->result, SV_CHECK_FAIL);
        assert_contains(result_of(&f->col, 3)->detail, "zombie");
        assert_int_equal(result_of(&f->col, 4)->result, SV_CHECK_FAIL);
        assert_string_equal(result_of(&f->col, 4)->detail, "no process named 'msd-no-such-process'");

        /* once the sleeper is gone, its name no longer passes */
        kill(by_argv0, SIGKILL);
        assert_int_equal(waitpid(by_argv0, NULL, 0), by_argv0);
        assert_int_equal(sv_checks_run_now(c, 1), 1);
        run_until(f->e, &f->col, 6, 2 * USEC_PER_SEC);
        assert_int_equal(f->col.r[5].result, SV_CHECK_FAIL);
        c = sv_checks_free(c);

        kill(by_comm, SIGKILL);
        kill(by_long, SIGKILL);
        waitpid(by_comm, NULL, 0);
        waitpid(by_long, NULL, 0);
        waitpid(zombie, NULL, 0);
}

/* Dead: gone from /proc, or a zombie waiting for whoever inherited it. */
static bool pid_dead(pid_t pid) {
        char path[64], stat[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        FILE *in = fopen(path, "re");
        if (!in)
                return true;
        bool dead = true;
        if (fgets(stat, sizeof(stat), in)) {
                const char *close = strrchr(stat, ')');
                dead = close && (close[2] == 'Z' || close[2] == 'X');
        }
        fclose(in);
        return dead;
}

static pid_t read_pid(const char *path) {
        FILE *in = fopen(path, "re");
        if (!in)
                return 0;
        int pid = 0;
        if (fscanf(in, "%d", &pid) != 1)
                pid = 0;
        fclose(in);
        return (pid_t) pid;
}

static void test_script(void **state) {
        Fixture *f = *state;
        char *s0 = write_script(f, "pass.sh", "exit 0\n");
        char *s1 = write_script(f, "warn.sh", "exit 1\n");
        char *s2 = write_script(f, "fail.sh", "exit 2\n");
        char *hang = NULL, *with_args = NULL, *missing = NULL, *grandchild_file = NULL;
        assert_true(asprintf(&grandchild_file, "%s/grandchild", f->dir) > 0);
        /* the grandchild shares the script's process group; the script waits for it */
        char *hang_path = write_script(f, "hang.sh", "sleep 60 &\necho $! > \"$1.tmp\"\nmv \"$1.tmp\" \"$1\"\nwait\n");
        assert_true(asprintf(&hang, "%s %s", hang_path, grandchild_file) > 0);
        char *args_path = write_script(f, "args.sh", "test \"$1\" = 'two words' && test \"$2\" = x\n");
        assert_true(asprintf(&with_args, "%s 'two words' x", args_path) > 0);
        assert_true(asprintf(&missing, "%s/does-not-exist.sh", f->dir) > 0);
        char *signalled = write_script(f, "signal.sh", "kill -TERM $$\n");

        HealthCheck hc[7] = {
                check(HEALTH_SCRIPT, s0, USEC_PER_SEC),   check(HEALTH_SCRIPT, s1, USEC_PER_SEC),
                check(HEALTH_SCRIPT, s2, USEC_PER_SEC),   check(HEALTH_SCRIPT, hang, 400 * MS),
                check(HEALTH_SCRIPT, with_args, USEC_PER_SEC), check(HEALTH_SCRIPT, missing, USEC_PER_SEC),
                check(HEALTH_SCRIPT, signalled, USEC_PER_SEC),
        };
        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, hc, 7, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 7, 3 * USEC_PER_SEC);

        assert_int_equal(result_of(&f->col, 0)->result, SV_CHECK_PASS);
        assert_string_equal(result_of(&f->col, 0)->detail, "exit status 0");
        assert_int_equal(result_of(&f->col, 1)->result, SV_CHECK_WARN);
        assert_int_equal(result_of(&f->col, 2)->result, SV_CHECK_FAIL);
        assert_string_equal(result_of(&f->col, 2)->detail, "exit status 2");
        const Result *h = result_of(&f->col, 3);
        assert_int_equal(h->result, SV_CHECK_FAIL);
        assert_string_equal(h->detail, "timed out after 400ms, process group killed");
        assert_duration_near(h->duration, 400 * MS);
        pid_t grandchild = read_pid(grandchild_file);
        assert_true(grandchild > 0);
        /* SIGKILL went to the whole group: the grandchild died with its parent */
        usec_t end = now_usec() + USEC_PER_SEC;
        while (!pid_dead(grandchild) && now_usec() < end)
                run_for(f->e, 10 * MS);
        assert_true(pid_dead(grandchild));
        assert_int_equal(result_of(&f->col, 4)->result, SV_CHECK_PASS);
        assert_int_equal(result_of(&f->col, 5)->result, SV_CHECK_FAIL);
        assert_contains(result_of(&f->col, 5)->detail, "No such file");
        assert_int_equal(result_of(&f->col, 6)->result, SV_CHECK_FAIL);
        assert_string_equal(result_of(&f->col, 6)->detail, "killed by signal SIGTERM");
        c = sv_checks_free(c);

        /* freeing while a script runs kills its group and reaps it, without a report */
        unlink(grandchild_file);
        hc[3].timeout = 30 * USEC_PER_SEC;
        assert_int_equal(sv_checks_new(f->e, &hc[3], 1, on_done, &f->col, &c), 0);
        end = now_usec() + 2 * USEC_PER_SEC;
        while ((grandchild = read_pid(grandchild_file)) == 0 && now_usec() < end)
                run_for(f->e, 10 * MS);
        assert_true(grandchild > 0);
        assert_true(sv_checks_running(c, 0));
        size_t before = f->col.n;
        c = sv_checks_free(c);
        assert_int_equal(f->col.n, before);
        end = now_usec() + USEC_PER_SEC;
        while (!pid_dead(grandchild) && now_usec() < end)
                run_for(f->e, 10 * MS);
        assert_true(pid_dead(grandchild));
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* the leader was reaped: no child left */
        assert_int_equal(errno, ECHILD);

        free(s0), free(s1), free(s2), free(hang), free(hang_path), free(with_args), free(args_path);
        free(missing), free(grandchild_file), free(signalled);
}

static void test_schedule(void **state) {
        Fixture *f = *state;
        char comm[32] = "";
        FILE *in = fopen("/proc/self/comm", "re");
        assert_non_null(in);
        assert_non_null(fgets(comm, sizeof(comm), in));
        fclose(in);
        comm[strcspn(comm, "\n")] = '\0';

        /* first run after initial_delay, then every interval */
        HealthCheck hc = check(HEALTH_PROCESS, comm, USEC_PER_SEC);
        hc.initial_delay = 200 * MS;
        hc.interval = 100 * MS;
        SvChecks *c = NULL;
        usec_t t0 = now_usec();
        assert_int_equal(sv_checks_new(f->e, &hc, 1, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 4, 2 * USEC_PER_SEC);
        assert_true(f->col.r[0].at - t0 >= 200 * MS);
        assert_true(f->col.r[0].at - t0 < 300 * MS);
        for (size_t i = 1; i < 4; i++) {
                assert_int_equal(f->col.r[i].result, SV_CHECK_PASS);
                usec_t gap = f->col.r[i].at - f->col.r[i - 1].at;
                if (gap < 90 * MS || gap > 160 * MS)
                        fail_msg("gap of %llums between runs, expected about 100ms", (unsigned long long) (gap / MS));
        }
        c = sv_checks_free(c);
        f->col.n = 0;

        /* a run still in flight at its next tick is not started twice: two overlapping runs would make
         * one mkdir fail (exit 2) */
        char *body = NULL, *target = NULL;
        assert_true(asprintf(&body, "mkdir \"$1/lock\" || exit 2\nsleep 0.3\nrmdir \"$1/lock\"\n") > 0);
        char *path = write_script(f, "overlap.sh", body);
        assert_true(asprintf(&target, "%s %s", path, f->dir) > 0);
        hc = check(HEALTH_SCRIPT, target, 2 * USEC_PER_SEC);
        hc.interval = 100 * MS;
        assert_int_equal(sv_checks_new(f->e, &hc, 1, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 3, 3 * USEC_PER_SEC);
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(f->col.r[i].result, SV_CHECK_PASS);
        for (size_t i = 1; i < 3; i++)
                assert_true(f->col.r[i].at - f->col.r[i - 1].at >= 300 * MS);
        /* while it runs, a request adds nothing */
        assert_int_equal(sv_checks_run_now(c, 0), 1);
        run_for(f->e, 50 * MS);
        assert_true(sv_checks_running(c, 0));
        assert_int_equal(sv_checks_run_now(c, 0), 0);
        c = sv_checks_free(c);
        f->col.n = 0;

        /* without an interval a check runs only on request */
        hc = check(HEALTH_PROCESS, comm, USEC_PER_SEC);
        hc.interval = USEC_UNSET;
        assert_int_equal(sv_checks_new(f->e, &hc, 1, on_done, &f->col, &c), 0);
        run_for(f->e, 200 * MS);
        assert_int_equal(f->col.n, 0);
        assert_int_equal(sv_checks_run_now(c, 0), 1);
        run_until(f->e, &f->col, 1, USEC_PER_SEC);
        run_for(f->e, 200 * MS);
        assert_int_equal(f->col.n, 1);
        c = sv_checks_free(c);
        free(body), free(target), free(path);
}

static void test_breaker(void **state) {
        Fixture *f = *state;
        HttpServer srv;
        http_server_start(&srv, f->e);
        char url[128];
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/500", srv.port);
        HealthCheck hc = check(HEALTH_HTTP, url, USEC_PER_SEC);
        hc.interval = 50 * MS;
        SvBreaker b;
        const SvBreakerPolicy policy = { .window = 2, .min_calls = 2, .failure_rate = 100, .wait = 400 * MS,
                                         .probes = 1 };
        assert_int_equal(sv_breaker_init(&b, &policy), 0);

        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, &hc, 1, on_done, &f->col, &c), 0);
        assert_int_equal(sv_checks_set_breaker(c, 0, &b), 0);
        assert_int_equal(sv_checks_set_breaker(c, 1, &b), -ERANGE);
        /* two real failures open it; then the server is left alone and runs fail at once */
        run_until(f->e, &f->col, 5, 2 * USEC_PER_SEC);
        assert_string_equal(f->col.r[0].detail, "HTTP 500");
        assert_string_equal(f->col.r[1].detail, "HTTP 500");
        for (size_t i = 2; i < 5; i++) {
                assert_int_equal(f->col.r[i].result, SV_CHECK_FAIL);
                assert_string_equal(f->col.r[i].detail, "circuit open");
                assert_true(f->col.r[i].duration < 5 * MS);
        }
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
        assert_int_equal(srv.requests, 2);
        /* after the wait one probe goes through (and fails: open again) */
        run_for(f->e, 450 * MS);
        assert_int_equal(srv.requests, 3);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
        /* without the breaker every run reaches the server again */
        assert_int_equal(sv_checks_set_breaker(c, 0, NULL), 0);
        unsigned before = srv.requests;
        run_for(f->e, 200 * MS);
        assert_true(srv.requests >= before + 2);
        c = sv_checks_free(c);
        http_server_stop(&srv);
}

/* ---- PostgreSQL ------------------------------------------------------------------------------------- */

/* Runs argv, as the 'postgres' user when we are root (the server refuses to run as root), its standard
 * output discarded; returns its exit status. */
static int run_pg_tool(char *const argv[]) {
        char *full[16];
        size_t n = 0;
        if (geteuid() == 0) {
                full[n++] = (char *) "runuser";
                full[n++] = (char *) "-u";
                full[n++] = (char *) "postgres";
                full[n++] = (char *) "--";
        }
        for (size_t i = 0; argv[i] && n < ELEMENTSOF(full) - 1; i++)
                full[n++] = argv[i];
        full[n] = NULL;
        posix_spawn_file_actions_t fa;
        assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
        assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0), 0);
        pid_t pid;
        int r = posix_spawnp(&pid, full[0], &fa, NULL, full, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -1;
        int status;
        if (waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_database_postgresql(void **state) {
        Fixture *f = *state;
        glob_t g;
        if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0 || g.gl_pathc == 0)
                fail_msg("no PostgreSQL server programs (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql");
        char bindir[256];
        snprintf(bindir, sizeof(bindir), "%s", g.gl_pathv[g.gl_pathc - 1]);
        globfree(&g);
        *strrchr(bindir, '/') = '\0';

        char initdb[300], pg_ctl[300], data[128], log[128], opts[256], port_s[16];
        snprintf(initdb, sizeof(initdb), "%s/initdb", bindir);
        snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", bindir);
        snprintf(data, sizeof(data), "%s/data", f->dir);
        snprintf(log, sizeof(log), "%s/server.log", f->dir);
        unsigned port;
        int reserve = closed_port(&port);
        close(reserve); /* the server takes it over right away */
        snprintf(port_s, sizeof(port_s), "%u", port);
        snprintf(opts, sizeof(opts), "-k %s -p %u -h 127.0.0.1 -c fsync=off", f->dir, port);
        if (geteuid() == 0) {
                char cmd[256];
                snprintf(cmd, sizeof(cmd), "chown postgres: '%s'", f->dir);
                assert_int_equal(system(cmd), 0);
        }

        int r = run_pg_tool((char *[]) { initdb, (char *) "-D", data, (char *) "-A", (char *) "trust", (char *) "-U",
                                         (char *) "postgres", (char *) "--no-sync", (char *) "-E", (char *) "UTF8",
                                         (char *) "--locale=C", NULL });
        if (r != 0)
                fail_msg("initdb in '%s' failed with status %d: PostgreSQL cannot be started", data, r);
        r = run_pg_tool((char *[]) { pg_ctl, (char *) "-D", data, (char *) "-o", opts, (char *) "-l", log,
                                     (char *) "-w", (char *) "-t", (char *) "30", (char *) "start", NULL });
        if (r != 0) {
                char cmd[256];
                snprintf(cmd, sizeof(cmd), "cat '%s' >&2", log);
                (void) system(cmd);
                fail_msg("pg_ctl start failed with status %d: PostgreSQL cannot be started", r);
        }

        unsigned closed;
        int closed_fd = closed_port(&closed);
        char t[4][128];
        snprintf(t[0], sizeof(t[0]), "127.0.0.1:%u", port);
        snprintf(t[1], sizeof(t[1]), "postgresql://postgres@127.0.0.1:%u/postgres", port);
        snprintf(t[2], sizeof(t[2]), "127.0.0.1:%u", closed);
        snprintf(t[3], sizeof(t[3]), "host=127.0.0.1 port=%u user=no_such_role dbname=postgres", port);
        HealthCheck hc[4];
        for (size_t i = 0; i < 4; i++) {
                hc[i] = check(HEALTH_DATABASE, t[i], 5 * USEC_PER_SEC);
                hc[i].database = "postgresql";
        }
        SvChecks *c = NULL;
        assert_int_equal(sv_checks_new(f->e, hc, 4, on_done, &f->col, &c), 0);
        run_until(f->e, &f->col, 4, 10 * USEC_PER_SEC);
        c = sv_checks_free(c);
        close(closed_fd);

        r = run_pg_tool((char *[]) { pg_ctl, (char *) "-D", data, (char *) "-m", (char *) "immediate", (char *) "-w",
                                     (char *) "stop", NULL });
        if (r != 0)
                fprintf(stderr, "pg_ctl stop failed with status %d\n", r);

        /* whoever we connect as, a server that answers is up */
        assert_int_equal(result_of(&f->col, 0)->result, SV_CHECK_PASS);
        assert_int_equal(result_of(&f->col, 1)->result, SV_CHECK_PASS);
        assert_contains(result_of(&f->col, 1)->detail, "connected (server version");
        assert_int_equal(result_of(&f->col, 2)->result, SV_CHECK_FAIL);
        assert_int_equal(result_of(&f->col, 3)->result, SV_CHECK_PASS);
        assert_contains(result_of(&f->col, 3)->detail, "server up: ");
        assert_contains(result_of(&f->col, 3)->detail, "28000");
}

int main(void) {
        /* as in msd-supervisor: children are events, so SIGCHLD stays blocked */
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, NULL);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_result_strings),
                cmocka_unit_test_setup_teardown(test_invalid_targets, setup, teardown),
                cmocka_unit_test_setup_teardown(test_http, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_database_tcp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_process, setup, teardown),
                cmocka_unit_test_setup_teardown(test_script, setup, teardown),
                cmocka_unit_test_setup_teardown(test_schedule, setup, teardown),
                cmocka_unit_test_setup_teardown(test_breaker, setup, teardown),
                cmocka_unit_test_setup_teardown(test_database_postgresql, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
