/* SPDX-License-Identifier: MIT */
/* Tests of the HTTP endpoint: routing, methods, malformed and slow clients, a crowding client, a full endpoint,
 * running out of descriptors, socket activation, pausing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/host/endpoint.h"
#include "util/units.h"
#include "util/xalloc.h"

#define SEP "\n--8<--\n"

typedef struct Seen {
        int calls;
        char path[256];
        char method[16];
        bool leaked_fd; /* an fd without FD_CLOEXEC showed up while a request was served */
} Seen;

static bool inherited_fd[1024]; /* fds without FD_CLOEXEC before the test started: not ours */

static void note_inherited_fds(void) {
        for (int fd = 3; fd < 1024; fd++) {
                int fl = fcntl(fd, F_GETFD);
                inherited_fd[fd] = fl >= 0 && !(fl & FD_CLOEXEC);
        }
}

static bool new_fd_without_cloexec(void) {
        for (int fd = 3; fd < 1024; fd++) {
                int fl = fcntl(fd, F_GETFD);
                if (fl >= 0 && !(fl & FD_CLOEXEC) && !inherited_fd[fd])
                        return true;
        }
        return false;
}

static int handle_x(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_content_type) {
        Seen *seen = userdata;
        seen->calls++;
        snprintf(seen->path, sizeof(seen->path), "%s", path);
        snprintf(seen->method, sizeof(seen->method), "%s", method);
        if (new_fd_without_cloexec())
                seen->leaked_fd = true;
        sb_append(body, "hello x\n");
        *ret_content_type = "text/x-test";
        return 200;
}

static int handle_tree(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_content_type) {
        (void) userdata;
        (void) method;
        sb_printf(body, "{\"path\":\"%s\"}", path);
        *ret_content_type = "application/json";
        return 203;
}

static int handle_fail(void *userdata, const char *method, const char *path, StrBuf *body, const char **ret_content_type) {
        (void) userdata;
        (void) method;
        (void) path;
        (void) ret_content_type;
        sb_append(body, "partial");
        return -EIO;
}

static const SvRoute routes[] = {
        { "/x", false, handle_x },
        { "/tree/", true, handle_tree },
        { "/fail", false, handle_fail },
};

/* ---- clients: they run in a forked child, write what they saw to out_fd and never call cmocka ---- */

static int client_family = AF_INET;

static void write_all(int fd, const char *s, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, s, n);
                if (k <= 0)
                        _exit(3);
                s += k;
                n -= (size_t) k;
        }
}

static void write_str(int fd, const char *s) {
        write_all(fd, s, strlen(s));
}

static int client_connect(int port, usec_t recv_timeout) {
        int fd = socket(client_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                _exit(2);
        struct timeval tv = { .tv_sec = (time_t) (recv_timeout / USEC_PER_SEC),
                              .tv_usec = (suseconds_t) (recv_timeout % USEC_PER_SEC) };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        struct sockaddr_storage ss = {};
        socklen_t len;
        if (client_family == AF_INET6) {
                struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &ss;
                sa->sin6_family = AF_INET6;
                sa->sin6_port = htons((uint16_t) port);
                sa->sin6_addr = in6addr_loopback;
                len = sizeof(*sa);
        } else {
                struct sockaddr_in *sa = (struct sockaddr_in *) &ss;
                sa->sin_family = AF_INET;
                sa->sin_port = htons((uint16_t) port);
                sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                len = sizeof(*sa);
        }
        if (connect(fd, (struct sockaddr *) &ss, len) < 0)
                _exit(2);
        return fd;
}

/* Reads until the server closes the connection or recv times out; appends what came to out. */
static void client_read_all(int fd, int out_fd) {
        char buf[4096];
        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k <= 0)
                        break;
                write_all(out_fd, buf, (size_t) k);
        }
}

static void client_exchange(int port, const char *request, size_t len, int out_fd) {
        int fd = client_connect(port, 3 * USEC_PER_SEC);
        write_all(fd, request, len);
        client_read_all(fd, out_fd);
        close(fd);
}

static const char *the_request; /* for client_simple */

static void client_simple(int port, int out_fd) {
        client_exchange(port, the_request, strlen(the_request), out_fd);
}

static void client_malformed(int port, int out_fd) {
        static const char garbage[] = "\x16\x03\x01\x02\x00\x01\x00\xff garbage \x7f\r\n\r\n";
        client_exchange(port, garbage, sizeof(garbage) - 1, out_fd);
        write_str(out_fd, SEP);
        client_simple(port, out_fd);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void client_slow_then_fast(int port, int out_fd) {
        int slow = client_connect(port, 3 * USEC_PER_SEC);
        write_str(slow, "GET /x HTTP/1.1\r\nHo");
        usleep(50 * 1000); /* let the server read the first half */
        uint64_t t0 = now_usec();
        int fast = client_connect(port, 3 * USEC_PER_SEC);
        write_str(fast, the_request);
        client_read_all(fast, out_fd);
        close(fast);
        char line[64];
        snprintf(line, sizeof(line), SEP "elapsed_ms=%llu\n", (unsigned long long) ((now_usec() - t0) / 1000));
        write_str(out_fd, line);
        close(slow);
}

static void client_keep_alive(int port, int out_fd) {
        int fd = client_connect(port, 3 * USEC_PER_SEC);
        write_str(fd, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
        StrBuf b = {};
        char buf[4096];
        while (!b.s || !strstr(b.s, "\r\n\r\nhello x\n")) {
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k <= 0)
                        _exit(4); /* the server closed a keep-alive connection */
                sb_appendn(&b, buf, (size_t) k);
        }
        write_all(out_fd, b.s, b.len);
        sb_free(&b);
        write_str(fd, "GET /tree/a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        client_read_all(fd, out_fd);
        close(fd);
}

static void client_unanswered(int port, int out_fd) {
        int fd = client_connect(port, 300 * USEC_PER_MSEC);
        write_str(fd, the_request);
        client_read_all(fd, out_fd);
        write_str(out_fd, "(timeout)");
        close(fd);
}

/* A client with more than SV_ENDPOINT_CLIENT_LIMIT connections: its keep-alive connection that has made a
 * request outlives its idle ones, which go oldest first, one for each new connection. */
static void client_crowding(int port, int out_fd) {
        int kept = client_connect(port, 3 * USEC_PER_SEC);
        write_str(kept, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
        char buf[4096];
        StrBuf b = {};
        while (!b.s || !strstr(b.s, "hello x\n")) {
                ssize_t k = read(kept, buf, sizeof(buf));
                if (k <= 0)
                        _exit(4);
                sb_appendn(&b, buf, (size_t) k);
        }
        sb_free(&b);
        int idle[SV_ENDPOINT_CLIENT_LIMIT];
        for (size_t i = 0; i < ELEMENTSOF(idle); i++)
                idle[i] = client_connect(port, 200 * USEC_PER_MSEC);
        /* the 17th connection (the last idle one) closed the first idle one, this one closes the second */
        client_exchange(port, the_request, strlen(the_request), out_fd);
        write_str(out_fd, SEP);
        write_str(kept, the_request);
        client_read_all(kept, out_fd);
        write_str(out_fd, SEP);
        for (size_t i = 0; i < 3; i++) {
                ssize_t k = read(idle[i], buf, sizeof(buf));
                write_str(out_fd, k == 0 ? "closed " : k < 0 && errno == EAGAIN ? "open " : "? ");
        }
        for (size_t i = 0; i < ELEMENTSOF(idle); i++)
                close(idle[i]);
        close(kept);
}

/* Connects from 127.0.0.N (client_connect() uses 127.0.0.1). */
static int client_connect_from(int port, unsigned n) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                _exit(2);
        struct timeval tv = { .tv_usec = 200 * 1000 };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + n) };
        struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (bind(fd, (struct sockaddr *) &src, sizeof(src)) < 0 || connect(fd, (struct sockaddr *) &dst, sizeof(dst)) < 0)
                _exit(2);
        return fd;
}

/* A full endpoint (limit 32): 127.0.0.3 holds 10 idle connections, then 127.0.0.2 16, 127.0.0.4 6; an idle
 * connection, then a request from 127.0.0.5 take their room from 127.0.0.2, the client with the most (oldest
 * first), not from 127.0.0.3, which has the oldest connections. */
static void client_full_endpoint(int port, int out_fd) {
        int a[16], b[10], c[6];
        for (size_t i = 0; i < ELEMENTSOF(b); i++)
                b[i] = client_connect_from(port, 3);
        for (size_t i = 0; i < ELEMENTSOF(a); i++)
                a[i] = client_connect_from(port, 2);
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                c[i] = client_connect_from(port, 4);
        int idle = client_connect_from(port, 5), fd = client_connect_from(port, 5);
        write_str(fd, the_request);
        client_read_all(fd, out_fd);
        close(fd);
        write_str(out_fd, SEP);
        char buf[64];
        const int probe[] = { a[0], a[1], a[2], b[0], c[0] };
        for (size_t i = 0; i < ELEMENTSOF(probe); i++) {
                ssize_t k = read(probe[i], buf, sizeof(buf));
                write_str(out_fd, k == 0 ? "closed " : k < 0 && errno == EAGAIN ? "open " : "? ");
        }
        for (size_t i = 0; i < ELEMENTSOF(a); i++)
                close(a[i]);
        for (size_t i = 0; i < ELEMENTSOF(b); i++)
                close(b[i]);
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                close(c[i]);
        close(idle);
}

static void client_late(int port, int out_fd) {
        usleep(50 * 1000);
        client_simple(port, out_fd);
}

/* ---- the server side: the test process runs the loop until the client is done ---- */

typedef struct ClientRun {
        StrBuf out;
        int result; /* 1 while the client runs, then 0 or -ETIMEDOUT */
} ClientRun;

static int on_client_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ClientRun *run = userdata;
        StrBuf *out = &run->out;
        (void) s;
        (void) revents;
        char buf[4096];
        ssize_t k = read(fd, buf, sizeof(buf));
        if (k > 0) {
                sb_appendn(out, buf, (size_t) k);
                return 0;
        }
        if (k < 0 && errno == EINTR)
                return 0;
        run->result = 0;
        return 0;
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        ClientRun *run = userdata;
        (void) s;
        (void) usec;
        run->result = -ETIMEDOUT;
        return 0;
}

/* Forks a client, serves it from e and returns everything it wrote. */
static char *run_client(sd_event *e, int port, void (*client)(int port, int out_fd)) {
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                client(port, p[1]);
                _exit(0);
        }
        close(p[1]);
        ClientRun run = { .result = 1 };
        sd_event_source *io = NULL, *deadline = NULL;
        assert_int_equal(sd_event_add_io(e, &io, p[0], EPOLLIN, on_client_output, &run), 0);
        assert_int_equal(sd_event_add_time_relative(e, &deadline, CLOCK_MONOTONIC, 10 * USEC_PER_SEC, 0, on_deadline, &run), 0);
        int r = 0;
        while (run.result > 0 && r >= 0)
                r = sd_event_run(e, UINT64_MAX);
        sd_event_source_disable_unref(io);
        sd_event_source_disable_unref(deadline);
        close(p[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(r >= 0);
        assert_int_equal(run.result, 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return sb_take(&run.out, NULL);
}

typedef struct Fixture {
        sd_event *event;
        SvEndpoint *endpoint;
        Seen seen;
} Fixture;

static int setup(void **state) {
        Fixture *f = xcalloc(1, sizeof(*f));
        note_inherited_fds();
        if (sd_event_new(&f->event) < 0)
                return -1;
        if (sv_endpoint_new(f->event, "127.0.0.1:0", -1, routes, ELEMENTSOF(routes), &f->seen, &f->endpoint) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        sv_endpoint_free(f->endpoint);
        sd_event_unref(f->event);
        free(f);
        return 0;
}

static char *get(Fixture *f, const char *request) {
        the_request = request;
        return run_client(f->event, sv_endpoint_port(f->endpoint), client_simple);
}

static void assert_ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        if (n < m || strcmp(s + n - m, suffix) != 0)
                fail_msg("'%s' does not end with '%s'", s, suffix);
}

static void test_get(void **state) {
        Fixture *f = *state;
        assert_true(sv_endpoint_port(f->endpoint) > 0);
        _cleanup_free_ char *r = get(f, "GET /x?verbose=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_non_null(strstr(r, "\r\nContent-Type: text/x-test\r\n"));
        assert_non_null(strstr(r, "\r\nContent-Length: 8\r\n"));
        assert_ends_with(r, "\r\n\r\nhello x\n");
        assert_int_equal(f->seen.calls, 1);
        assert_string_equal(f->seen.path, "/x");
        assert_string_equal(f->seen.method, "GET");
}

static void test_prefix_route(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *r = get(f, "GET /tree/root/db HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r, "HTTP/1.1 203 ", 13) == 0);
        assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
        assert_ends_with(r, "\r\n\r\n{\"path\":\"/tree/root/db\"}");
        /* an exact route does not match longer paths */
        _cleanup_free_ char *r2 = get(f, "GET /xy HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r2, "HTTP/1.1 404 ", 13) == 0);
        assert_int_equal(f->seen.calls, 0);
}

static void test_not_found(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *r = get(f, "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
        assert_ends_with(r, "\r\n\r\nnot found\n");
}

static void test_method_not_allowed(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *r = get(f, "POST /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
        assert_true(strncmp(r, "HTTP/1.1 405 ", 13) == 0);
        assert_non_null(strstr(r, "\r\nAllow: GET, HEAD\r\n"));
        _cleanup_free_ char *r2 = get(f, "DELETE /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r2, "HTTP/1.1 405 ", 13) == 0);
        assert_int_equal(f->seen.calls, 0);
}

static void test_get_with_body(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *r = get(f, "GET /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
        /* refused, or the connection closed: the handler never runs */
        if (*r && strncmp(r, "HTTP/1.1 413 ", 13) != 0)
                fail_msg("GET with a body got '%s'", r);
        assert_int_equal(f->seen.calls, 0);
}

static void test_head(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *r = get(f, "HEAD /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_non_null(strstr(r, "\r\nContent-Length: 8\r\n"));
        assert_ends_with(r, "\r\n\r\n"); /* no body */
        assert_string_equal(f->seen.method, "HEAD");
}

static void test_handler_failure(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *r = get(f, "GET /fail HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assert_true(strncmp(r, "HTTP/1.1 500 ", 13) == 0);
        assert_ends_with(r, "\r\n\r\ninternal error\n");
}

static void test_keep_alive(void **state) {
        Fixture *f = *state;
        /* two requests, one after the other, on one connection */
        _cleanup_free_ char *r = run_client(f->event, sv_endpoint_port(f->endpoint), client_keep_alive);
        assert_non_null(strstr(r, "hello x\nHTTP/1.1 203 "));
        assert_null(strstr(r, "Connection: close\r\nContent-Type: text/x-test"));
        assert_ends_with(r, "{\"path\":\"/tree/a\"}");
}

static void test_malformed(void **state) {
        Fixture *f = *state;
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(f->event, sv_endpoint_port(f->endpoint), client_malformed);
        char *sep = strstr(r, SEP);
        assert_non_null(sep);
        *sep = 0;
        const char *bad = r, *good = sep + strlen(SEP);
        /* either an error status or a closed connection */
        if (*bad && strncmp(bad, "HTTP/1.1 400 ", 13) != 0)
                fail_msg("garbage got '%s'", bad);
        assert_true(strncmp(good, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_ends_with(good, "hello x\n");
        assert_int_equal(f->seen.calls, 1);
}

static void test_slow_client(void **state) {
        Fixture *f = *state;
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(f->event, sv_endpoint_port(f->endpoint), client_slow_then_fast);
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        const char *e = strstr(r, SEP "elapsed_ms=");
        assert_non_null(e);
        unsigned long ms = strtoul(e + strlen(SEP "elapsed_ms="), NULL, 10);
        if (ms >= 200)
                fail_msg("second client waited %lums behind the stalled one", ms);
        assert_int_equal(f->seen.calls, 1);
        /* while two connections were open, every new fd was close-on-exec */
        assert_false(f->seen.leaked_fd);
}

static void test_paused(void **state) {
        Fixture *f = *state;
        assert_int_equal(sv_endpoint_set_paused(f->endpoint, true), 0);
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(f->event, sv_endpoint_port(f->endpoint), client_unanswered);
        assert_string_equal(r, "(timeout)");
        assert_int_equal(f->seen.calls, 0);
        assert_int_equal(sv_endpoint_set_paused(f->endpoint, false), 0);
        _cleanup_free_ char *r2 = get(f, the_request);
        assert_true(strncmp(r2, "HTTP/1.1 200 OK\r\n", 17) == 0);
}

static void test_crowding_client(void **state) {
        Fixture *f = *state;
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(f->event, sv_endpoint_port(f->endpoint), client_crowding);
        char *sep = strstr(r, SEP), *sep2 = sep ? strstr(sep + 1, SEP) : NULL;
        assert_non_null(sep2);
        *sep = *sep2 = 0;
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_true(strncmp(sep + strlen(SEP), "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_string_equal(sep2 + strlen(SEP), "closed closed open ");
        assert_int_equal(f->seen.calls, 3);
}

static void test_full_endpoint(void **state) {
        (void) state;
        Seen seen = {};
        struct rlimit saved, low;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
        low = (struct rlimit) { .rlim_cur = 64, .rlim_max = saved.rlim_max }; /* a connection limit of 32 */
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        SvEndpoint *ep = NULL;
        assert_int_equal(sv_endpoint_new(e, "127.0.0.1:0", -1, routes, ELEMENTSOF(routes), &seen, &ep), 0);
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(e, sv_endpoint_port(ep), client_full_endpoint);
        sv_endpoint_free(ep);
        sd_event_unref(e);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
        char *sep = strstr(r, SEP);
        assert_non_null(sep);
        *sep = 0;
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_string_equal(sep + strlen(SEP), "closed closed open open open ");
        assert_int_equal(seen.calls, 1);
}

typedef struct Exhaustion {
        sd_event *event;
        int fds[4096];
        size_t n;
        struct rlimit saved;
} Exhaustion;

static int on_exhaust(sd_event_source *s, uint64_t usec, void *userdata) {
        Exhaustion *x = userdata;
        (void) s;
        (void) usec;
        for (int fd; x->n < ELEMENTSOF(x->fds) && (fd = fcntl(sd_event_get_fd(x->event), F_DUPFD_CLOEXEC, 0)) >= 0;)
                x->fds[x->n++] = fd;
        return 0;
}

static int on_replenish(sd_event_source *s, uint64_t usec, void *userdata) {
        Exhaustion *x = userdata;
        (void) s;
        (void) usec;
        while (x->n > 0)
                close(x->fds[--x->n]);
        return setrlimit(RLIMIT_NOFILE, &x->saved);
}

/* Out of descriptors, the endpoint cannot accept: it waits for them without spinning, then serves. */
static void test_out_of_descriptors(void **state) {
        Fixture *f = *state;
        Exhaustion x = { .event = f->event };
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &x.saved), 0);
        struct rlimit low = { .rlim_cur = 256, .rlim_max = x.saved.rlim_max };
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        sd_event_source *exhaust = NULL, *replenish = NULL;
        assert_int_equal(sd_event_add_time_relative(f->event, &exhaust, CLOCK_MONOTONIC, 10 * USEC_PER_MSEC, 1, on_exhaust, &x), 0);
        assert_int_equal(sd_event_add_time_relative(f->event, &replenish, CLOCK_MONOTONIC, 400 * USEC_PER_MSEC, 1, on_replenish, &x), 0);
        uint64_t before, after, t0 = now_usec();
        assert_int_equal(sd_event_get_iteration(f->event, &before), 0);
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(f->event, sv_endpoint_port(f->endpoint), client_late);
        assert_int_equal(sd_event_get_iteration(f->event, &after), 0);
        sd_event_source_disable_unref(exhaust);
        sd_event_source_disable_unref(replenish);
        assert_int_equal(x.n, 0);
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_true(now_usec() - t0 >= 400 * USEC_PER_MSEC);
        /* a few wake-ups per pause of SV_ENDPOINT_ACCEPT_RETRY_USEC, not a busy loop */
        if (after - before > 100)
                fail_msg("%llu loop iterations while out of descriptors", (unsigned long long) (after - before));
}

static void test_socket_activation(void **state) {
        (void) state;
        Seen seen = {};
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 8), 0);
        socklen_t len = sizeof(sa);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);

        SvEndpoint *ep = NULL;
        assert_int_equal(sv_endpoint_new(e, /* address= */ NULL, fd, routes, ELEMENTSOF(routes), &seen, &ep), 0);
        assert_int_equal(sv_endpoint_port(ep), ntohs(sa.sin_port));
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *r = run_client(e, sv_endpoint_port(ep), client_simple);
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_int_equal(seen.calls, 1);
        sv_endpoint_free(ep);
        /* the caller's descriptor stays open and still listens */
        int v = 0;
        len = sizeof(v);
        assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
        assert_int_equal(v, 1);
        close(fd);
        sd_event_unref(e);
}

static void test_ipv6(void **state) {
        (void) state;
        Seen seen = {};
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        SvEndpoint *ep = NULL;
        int r = sv_endpoint_new(e, "[::1]:0", -1, routes, ELEMENTSOF(routes), &seen, &ep);
        if (r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT) {
                sd_event_unref(e);
                skip();
        }
        assert_int_equal(r, 0);
        client_family = AF_INET6;
        the_request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        _cleanup_free_ char *resp = run_client(e, sv_endpoint_port(ep), client_simple);
        client_family = AF_INET;
        assert_true(strncmp(resp, "HTTP/1.1 200 OK\r\n", 17) == 0);
        sv_endpoint_free(ep);
        sd_event_unref(e);
}

static void test_bad_arguments(void **state) {
        (void) state;
        sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        SvEndpoint *ep = NULL;
        static const char *const bad[] = { "bogus", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                                           "localhost:80", "[::1]80", "[::1:80", "::1:80", "127.0.0.1:8x", "" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(sv_endpoint_new(e, bad[i], -1, routes, ELEMENTSOF(routes), NULL, &ep), -EINVAL);
        assert_int_equal(sv_endpoint_new(e, NULL, -1, routes, ELEMENTSOF(routes), NULL, &ep), -EINVAL);
        assert_null(ep);

        /* socket activation with something that is not a listening stream socket */
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(sv_endpoint_new(e, NULL, p[0], routes, ELEMENTSOF(routes), NULL, &ep), -ENOTSOCK);
        close(p[0]);
        close(p[1]);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(sv_endpoint_new(e, NULL, s, routes, ELEMENTSOF(routes), NULL, &ep), -EINVAL);
        close(s);
        s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_int_equal(sv_endpoint_new(e, NULL, s, routes, ELEMENTSOF(routes), NULL, &ep), -EPROTOTYPE);
        close(s);

        /* a port in use */
        SvEndpoint *a = NULL;
        assert_int_equal(sv_endpoint_new(e, "127.0.0.1:0", -1, routes, ELEMENTSOF(routes), NULL, &a), 0);
        char addr[64];
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", sv_endpoint_port(a));
        assert_int_equal(sv_endpoint_new(e, addr, -1, routes, ELEMENTSOF(routes), NULL, &ep), -EADDRINUSE);
        assert_null(ep);
        sv_endpoint_free(a);
        assert_null(sv_endpoint_free(NULL));
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_get, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prefix_route, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
                cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_with_body, setup, teardown),
                cmocka_unit_test_setup_teardown(test_head, setup, teardown),
                cmocka_unit_test_setup_teardown(test_handler_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
                cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_slow_client, setup, teardown),
                cmocka_unit_test_setup_teardown(test_paused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crowding_client, setup, teardown),
                cmocka_unit_test_setup_teardown(test_out_of_descriptors, setup, teardown),
                cmocka_unit_test(test_full_endpoint),
                cmocka_unit_test(test_socket_activation),
                cmocka_unit_test(test_ipv6),
                cmocka_unit_test(test_bad_arguments),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
