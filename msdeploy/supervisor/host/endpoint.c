/* SPDX-License-Identifier: MIT */
/* Small read-only HTTP endpoint (libmicrohttpd driven by an sd-event loop, no threads) with a route table. */
#include "supervisor/host/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/units.h"
#include "util/xalloc.h"

#define SV_ENDPOINT_BACKLOG 64

struct SvEndpoint {
        sd_event *event;
        struct MHD_Daemon *daemon;
        sd_event_source *io;    /* MHD's epoll fd */
        sd_event_source *timer; /* MHD's next timeout, re-armed before every loop iteration */
        const SvRoute *routes;
        size_t n_routes;
        void *userdata;
        int port; /* 0 for sockets without a port */
        bool paused;
};

int sv_endpoint_parse_address(const char *address, struct sockaddr_storage *ret_addr, socklen_t *ret_len) {
        if (!address)
                return -EINVAL;
        const char *colon;
        _cleanup_free_ char *host = NULL;
        bool v6 = address[0] == '[';
        if (v6) {
                const char *close_bracket = strchr(address, ']');
                if (!close_bracket || close_bracket[1] != ':')
                        return -EINVAL;
                host = strndup(address + 1, (size_t) (close_bracket - address - 1));
                colon = close_bracket + 1;
        } else {
                colon = strrchr(address, ':');
                if (!colon)
                        return -EINVAL;
                host = strndup(address, (size_t) (colon - address));
        }
        if (!host)
                return -ENOMEM;
        uint64_t port;
        if (!colon[1] || parse_uint(colon + 1, 0, 65535, &port) < 0)
                return -EINVAL;

        struct sockaddr_storage ss = {};
        socklen_t len;
        if (v6) {
                struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &ss;
                sa->sin6_family = AF_INET6;
                sa->sin6_port = htons((uint16_t) port);
                if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1)
                        return -EINVAL;
                len = sizeof(*sa);
        } else {
                struct sockaddr_in *sa = (struct sockaddr_in *) &ss;
                sa->sin_family = AF_INET;
                sa->sin_port = htons((uint16_t) port);
                if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
                        return -EINVAL;
                len = sizeof(*sa);
        }
        *ret_addr = ss;
        *ret_len = len;
        return 0;
}

static int open_listener(const char *address, int *ret_fd) {
        struct sockaddr_storage ss;
        socklen_t len;
        int r = sv_endpoint_parse_address(address, &ss, &len);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        int one = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
                return -errno;
        if (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &ss, len) < 0)
                return -errno;
        if (listen(fd, SV_ENDPOINT_BACKLOG) < 0)
                return -errno;
        *ret_fd = fd;
        fd = -1;
        return 0;
}

/* A private duplicate of a listening stream socket handed over by the caller (socket activation). */
static int adopt_listener(int listen_fd, int *ret_fd) {
        int v = 0;
        socklen_t l = sizeof(v);
        if (getsockopt(listen_fd, SOL_SOCKET, SO_TYPE, &v, &l) < 0)
                return -errno;
        if (v != SOCK_STREAM)
                return -EPROTOTYPE;
        l = sizeof(v);
        if (getsockopt(listen_fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) < 0)
                return -errno;
        if (!v)
                return -EINVAL;
        _cleanup_close_ int fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        *ret_fd = fd;
        fd = -1;
        return 0;
}

static int socket_port(int fd) {
        struct sockaddr_storage ss = {};
        socklen_t len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
                return -errno;
        if (ss.ss_family == AF_INET)
                return ntohs(((struct sockaddr_in *) &ss)->sin_port);
        if (ss.ss_family == AF_INET6)
                return ntohs(((struct sockaddr_in6 *) &ss)->sin6_port);
        return 0;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, StrBuf *body, const char *content_type) {
        size_t len;
        char *s = sb_take(body, &len);
        struct MHD_Response *resp = MHD_create_response_from_buffer(len, s, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(s);
                return MHD_NO;
        }
        if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES ||
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
            (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
             MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") != MHD_YES)) {
                MHD_destroy_response(resp);
                return MHD_NO;
        }
        enum MHD_Result r = MHD_queue_response(c, status, resp);
        MHD_destroy_response(resp);
        return r;
}

static const SvRoute *find_route(const SvEndpoint *ep, const char *path) {
        for (size_t i = 0; i < ep->n_routes; i++) {
                const SvRoute *r = &ep->routes[i];
                if (r->prefix ? strncmp(path, r->path, strlen(r->path)) == 0 : strcmp(path, r->path) == 0)
                        return r;
        }
        return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
        SvEndpoint *ep = cls;
        static int headers_seen; /* address used as a marker on the connection's request */
        (void) version;
        (void) upload_data;

        StrBuf body = {};
        const char *ct = "text/plain; charset=utf-8";
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
                /* answered before any body is read; MHD then closes the connection */
                sb_append(&body, "method not allowed\n");
                return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, &body, ct);
        }
        if (!*con_cls) {
                /* headers only: answering now would make MHD close a keep-alive connection */
                *con_cls = &headers_seen;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                sb_append(&body, "request body not accepted\n");
                return respond(c, MHD_HTTP_CONTENT_TOO_LARGE, &body, ct);
        }
        const SvRoute *route = find_route(ep, url);
        if (!route) {
                sb_append(&body, "not found\n");
                return respond(c, MHD_HTTP_NOT_FOUND, &body, ct);
        }
        int status = route->handler(ep->userdata, method, url, &body, &ct);
        if (status < 100 || status > 599 || !ct) {
                sb_free(&body);
                sb_append(&body, "internal error\n");
                ct = "text/plain; charset=utf-8";
                status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        }
        return respond(c, (unsigned) status, &body, ct);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SvEndpoint *ep = userdata;
        (void) s;
        (void) fd;
        (void) revents;
        (void) MHD_run(ep->daemon);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        SvEndpoint *ep = userdata;
        (void) s;
        (void) usec;
        (void) MHD_run(ep->daemon);
        return 0;
}

/* Before the loop sleeps: wake up again when MHD has timeouts to enforce or buffered work to finish. */
static int on_prepare(sd_event_source *s, void *userdata) {
        SvEndpoint *ep = userdata;
        (void) s;
        MHD_UNSIGNED_LONG_LONG ms;
        if (MHD_get_timeout(ep->daemon, &ms) != MHD_YES)
                return sd_event_source_set_enabled(ep->timer, SD_EVENT_OFF);
        uint64_t now;
        int r = sd_event_now(ep->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        uint64_t delay = ms > UINT64_MAX / USEC_PER_MSEC ? UINT64_MAX : ms * USEC_PER_MSEC;
        r = sd_event_source_set_time(ep->timer, delay > UINT64_MAX - now ? UINT64_MAX : now + delay);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(ep->timer, SD_EVENT_ONESHOT);
}

SvEndpoint *sv_endpoint_free(SvEndpoint *ep) {
        if (!ep)
                return NULL;
        sd_event_source_disable_unref(ep->io);
        sd_event_source_disable_unref(ep->timer);
        if (ep->daemon)
                MHD_stop_daemon(ep->daemon); /* closes the listening socket and every connection */
        sd_event_unref(ep->event);
        free(ep);
        return NULL;
}

int sv_endpoint_new(sd_event *e, const char *address, int listen_fd, const SvRoute *routes, size_t n_routes,
                    void *userdata, SvEndpoint **ret) {
        if (!e || !ret || (n_routes > 0 && !routes))
                return -EINVAL;
        for (size_t i = 0; i < n_routes; i++)
                if (!routes[i].path || !routes[i].handler)
                        return -EINVAL;

        int fd = -1;
        int r = listen_fd >= 0 ? adopt_listener(listen_fd, &fd) : open_listener(address, &fd);
        if (r < 0)
                return r;
        int port = socket_port(fd);
        if (port < 0) {
                close(fd);
                return port;
        }

        _cleanup_(sv_endpoint_freep) SvEndpoint *ep = xcalloc(1, sizeof(*ep));
        ep->event = sd_event_ref(e);
        ep->routes = routes;
        ep->n_routes = n_routes;
        ep->userdata = userdata;
        ep->port = port;

        /* no MHD_USE_ERROR_LOG: library code stays quiet; no polling thread: the caller's loop drives MHD */
        errno = 0;
        ep->daemon = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, ep,
                                      MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
                                      MHD_OPTION_CONNECTION_TIMEOUT, SV_ENDPOINT_CONNECTION_TIMEOUT_SEC,
                                      MHD_OPTION_CONNECTION_LIMIT, SV_ENDPOINT_CONNECTION_LIMIT,
                                      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) SV_ENDPOINT_CONNECTION_MEMORY,
                                      MHD_OPTION_END);
        if (!ep->daemon) {
                r = errno > 0 ? -errno : -EIO;
                /* MHD closes the socket it was given on some failure paths only */
                if (fcntl(fd, F_GETFD) >= 0)
                        close(fd);
                return r;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(ep->daemon, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info || info->epoll_fd < 0)
                return -EIO;

        r = sd_event_add_io(e, &ep->io, info->epoll_fd, EPOLLIN, on_io, ep);
        if (r < 0)
                return r;
        r = sd_event_source_set_prepare(ep->io, on_prepare);
        if (r < 0)
                return r;
        r = sd_event_add_time(e, &ep->timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_timer, ep);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(ep->timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(ep->io, "sv-endpoint-io");
        (void) sd_event_source_set_description(ep->timer, "sv-endpoint-timer");

        *ret = TAKE_PTR(ep);
        return 0;
}

int sv_endpoint_port(const SvEndpoint *ep) {
        if (!ep)
                return -EINVAL;
        return ep->port;
}

int sv_endpoint_set_paused(SvEndpoint *ep, bool paused) {
        if (!ep)
                return -EINVAL;
        if (ep->paused == paused)
                return 0;
        int r = sd_event_source_set_enabled(ep->io, paused ? SD_EVENT_OFF : SD_EVENT_ON);
        if (r < 0)
                return r;
        if (paused) {
                r = sd_event_source_set_enabled(ep->timer, SD_EVENT_OFF);
                if (r < 0)
                        return r;
        }
        ep->paused = paused;
        return 0;
}
