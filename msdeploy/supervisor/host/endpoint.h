/* SPDX-License-Identifier: MIT */
/* Small read-only HTTP endpoint (libmicrohttpd driven by an sd-event loop, no threads) with a route table. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "util/strbuf.h"

/* Limits that keep idle, slow or malformed clients from stalling the event loop or locking others out. */
#define SV_ENDPOINT_CONNECTION_TIMEOUT_SEC 5U     /* a connection with no traffic for this long is closed */
#define SV_ENDPOINT_CONNECTION_LIMIT 512U         /* open connections; at most half of RLIMIT_NOFILE */
#define SV_ENDPOINT_CLIENT_LIMIT 16U              /* open connections per client (IPv4 address, IPv6 /64) */
#define SV_ENDPOINT_CONNECTION_MEMORY (16U * 1024U)

/* Fills body and returns the HTTP status (100..599; anything else becomes 500). *ret_content_type starts as
 * "text/plain; charset=utf-8" and may be pointed at a static string. Called from the event loop: must not
 * block. method is "GET" or "HEAD" (for HEAD the body is measured but not sent). */
typedef int (*SvHandler)(void *userdata, const char *method, const char *path, StrBuf *body,
                         const char **ret_content_type);

typedef struct SvRoute {
        const char *path; /* "/health"; the query string is not part of the match */
        bool prefix;      /* match every path that starts with path */
        SvHandler handler;
} SvRoute;

typedef struct SvEndpoint SvEndpoint;

/* Serves routes (first match wins; the table must outlive the endpoint) on address, "127.0.0.1:9090" or
 * "[::1]:9090" (port 0 picks a free one), or, when listen_fd >= 0, on that listening socket (socket
 * activation; address is then ignored and the caller keeps its fd, the endpoint works on a duplicate).
 * Only numeric addresses are accepted: -EINVAL otherwise. Requests other than GET and HEAD get 405 (and the
 * connection is closed), GET or HEAD with a request body 413, paths without a route 404. Idle or stalled
 * connections are closed after SV_ENDPOINT_CONNECTION_TIMEOUT_SEC. A new connection is always accepted: one
 * that would pass its client's limit or the endpoint's closes that client's (or any client's) oldest connection,
 * preferring one that has not sent a request yet. */
int sv_endpoint_new(sd_event *e, const char *address, int listen_fd, const SvRoute *routes, size_t n_routes,
                    void *userdata, SvEndpoint **ret);
SvEndpoint *sv_endpoint_free(SvEndpoint *e);
/* The bound TCP port (0 for an activated socket without one, such as AF_UNIX). */
int sv_endpoint_port(const SvEndpoint *e);
/* Stops (true) or resumes (false) serving without closing the listening socket: while paused, new
 * connections wait in the kernel backlog and open ones get no answer. */
int sv_endpoint_set_paused(SvEndpoint *e, bool paused);

/* Splits "127.0.0.1:9090" / "[::1]:9090" into a socket address. */
int sv_endpoint_parse_address(const char *address, struct sockaddr_storage *ret_addr, socklen_t *ret_len);

static inline void sv_endpoint_freep(SvEndpoint **e) {
        sv_endpoint_free(*e);
}
