/* SPDX-License-Identifier: MIT */
/* Fuzz target: msd-supervisor's HTTP endpoint with its real routes (/health, /health/NAME, /tree, /metrics), served
 * by a runtime made from the example's tier_3 supervisor.yaml (its tree not started) on a loopback port.
 *
 * Input: the bytes a client sends on one connection; the client reads what comes back for a while, then resets
 * the connection. Checked: what the endpoint sends is a sequence of HTTP/1.x responses; the JSON the first one
 * carries (for a GET) is valid JSON in valid UTF-8; and whatever that client did, a new one asking GET /health
 * gets its answer within a bounded number of loop iterations. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "consumers.h"
#include "supervisor/host/runtime-internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define CONFIG TEST_SRCDIR "/generated/tier_3/etc/mister-smith/supervisor.yaml"
#define MAX_ITERATIONS 2000

/* The runtime, once: the example's configuration listening on a free loopback port. */
static Runtime *runtime(int *ret_port) {
        static Runtime *r;
        static int port;
        if (r) {
                *ret_port = port;
                return r;
        }
        Diags d = {};
        SvConfig *config;
        if (sv_config_load(CONFIG, &config, &d) < 0) {
                diags_print(&d, stderr, /* color= */ false);
                fuzz_violation("%s does not load", CONFIG);
        }
        diags_clear(&d);
        config->listen = "127.0.0.1:0"; /* a free port */
        if (runtime_new(CONFIG, config, &r) < 0)
                fuzz_violation("no runtime for %s", CONFIG);
        port = sv_endpoint_port(r->endpoint);
        *ret_port = port;
        return r;
}

/* Checks the responses in out (n bytes) to a request that began with GET. */
static void check_responses(const char *out, size_t n, bool get) {
        const char *end = out + n;
        for (const char *p = out; p < end;) {
                if ((size_t) (end - p) < 12 || strncmp(p, "HTTP/1.", 7) != 0 || !strchr("01", p[7]) || p[8] != ' ' ||
                    p[9] < '1' || p[9] > '5')
                        fuzz_violation("not an HTTP/1.x response: %.*s", (int) (end - p > 200 ? 200 : end - p), p);
                const char *head_end = memmem(p, (size_t) (end - p), "\r\n\r\n", 4);
                if (!head_end)
                        fuzz_violation("a response without the end of its header: %.*s", (int) (end - p), p);
                _cleanup_free_ char *head = xstrndup(p, (size_t) (head_end - p));
                const char *cl = strcasestr(head, "\r\nContent-Length: ");
                if (!cl)
                        fuzz_violation("a response without Content-Length: %s", head);
                size_t len = strtoul(cl + 18, NULL, 10);
                const char *body = head_end + 4;
                /* *-header-twice: libmicrohttpd 0.9.75 writes the status line and headers of its own answer to a bad
                 * Content-Length twice (the endpoint's answers all say no-store) */
                if (!strcasestr(head, "\r\nCache-Control: no-store") && fuzz_skip_known() &&
                    (size_t) (end - body) >= strlen(head) && memcmp(body, head, strlen(head)) == 0)
                        break;
                if (get && p == out) {
                        if ((size_t) (end - body) < len)
                                fuzz_violation("a body shorter than its Content-Length: %s", head);
                        if (strcasestr(head, "\r\nContent-Type: application/json") && !json_valid(body, len))
                                fuzz_violation("invalid JSON (or UTF-8) in the body of: %s\n%.*s", head, (int) len, body);
                        p = body + len;
                } else
                        break; /* HEAD responses carry no body: where the next one starts is the request's business */
        }
}

static int client(int port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                fuzz_violation("socket: %m");
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
                fuzz_violation("connect: %m");
        return fd;
}

/* Closes with a reset: no TIME_WAIT left behind, and the endpoint learns at once. */
static void client_close(int fd) {
        struct linger lg = { .l_onoff = 1, .l_linger = 0 };
        (void) setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(fd);
}

/* Sends data on fd while running the loop, and collects what comes back into out until the endpoint closes the
 * connection, or has said something and then stays quiet for `quiet` iterations, or has said nothing for
 * `patience` ones. Returns whether it said anything or closed. */
static bool exchange(Runtime *r, int fd, const uint8_t *data, size_t size, unsigned quiet, unsigned patience, StrBuf *out) {
        size_t sent = 0;
        unsigned idle = 0;
        for (unsigned i = 0; i < patience && (out->len == 0 || idle < quiet); i++) {
                if (sent < size) {
                        ssize_t k = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
                        if (k > 0)
                                sent += (size_t) k;
                        else if (k < 0 && errno != EAGAIN)
                                sent = size; /* the endpoint closed the connection early: fine */
                }
                if (sd_event_run(r->event, 1000) < 0)
                        fuzz_violation("the event loop fails");
                idle++;
                for (;;) {
                        char buf[65536];
                        ssize_t k = recv(fd, buf, sizeof(buf), 0);
                        if (k > 0) {
                                sb_appendn(out, buf, (size_t) k);
                                idle = 0;
                        } else if (k == 0 || errno != EAGAIN)
                                return true;
                        else
                                break;
                }
        }
        return out->len > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int port;
        Runtime *r = runtime(&port);
        int fd = client(port);
        StrBuf out = {};
        exchange(r, fd, data, size, /* quiet= */ 3, /* patience= */ 20, &out);
        client_close(fd);
        check_responses(out.s ? out.s : "", out.len, size >= 4 && memcmp(data, "GET ", 4) == 0);
        sb_free(&out);

        /* whatever that client did, the next one is answered */
        static const char health[] = "GET /health HTTP/1.0\r\n\r\n";
        fd = client(port);
        if (!exchange(r, fd, (const uint8_t *) health, strlen(health), /* quiet= */ 3, MAX_ITERATIONS, &out) || out.len == 0)
                fuzz_violation("GET /health gets no answer after that input (%u loop iterations)", MAX_ITERATIONS);
        client_close(fd);
        check_responses(out.s, out.len, /* get= */ true);
        sb_free(&out);
        return 0;
}
