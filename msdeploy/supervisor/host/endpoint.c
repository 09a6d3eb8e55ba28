/* SPDX-License-Identifier: MIT */
/* Small read-only HTTP endpoint (libmicrohttpd driven by an sd-event loop, no threads) with a route table. */
#include "supervisor/host/endpoint.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/units.h"
#include "util/xalloc.h"

/* The endpoint accepts connections itself and hands them to MHD (MHD_add_connection), MHD never sees the
 * listening socket. MHD, at its connection limit, takes its listening socket out of its epoll set and puts it
 * back only at the start of a later MHD_run; driven by an outer loop, nothing may ever call that MHD_run (the
 * last connections closed, no timeout left), and the backlog then fills for good. Here the listening socket
 * stays in the sd-event loop whatever happens: a full endpoint makes room by closing the connection least
 * likely to be a client waiting for an answer (see make_room()), so a new client is always served. */

/* Accepts per wake-up, MHD runs after each batch. At most half a client's limit: a new connection lives through
 * the rest of its batch and the MHD_run that reads its request before that client's later ones can push it out. */
#define SV_ENDPOINT_ACCEPT_BATCH 8U
#define SV_ENDPOINT_ACCEPT_RETRY_USEC (100 * USEC_PER_MSEC) /* accept failed (out of fds): pause this long */
_Static_assert(2 * SV_ENDPOINT_ACCEPT_BATCH <= SV_ENDPOINT_CLIENT_LIMIT, "a batch may evict a connection of its own");

/* One client: one IPv4 address, one IPv6 /64 (what a single host usually gets), or every AF_UNIX peer. */
typedef struct SvClient SvClient;
struct SvClient {
        SvClient *next;               /* ep->clients */
        struct sockaddr_storage address;
        unsigned connections;         /* not evicted */
        unsigned refs;                /* SvConnections pointing here, evicted ones included */
};

typedef struct SvConnection SvConnection;
struct SvConnection {
        SvConnection *prev, *next;    /* ep->connections, oldest first */
        SvClient *client;
        int fd;                       /* MHD's socket: shut down to evict the connection */
        bool requested;               /* sent at least one complete request head */
        bool evicted;                 /* shut down; MHD closes it on its next run */
};

struct SvEndpoint {
        sd_event *event;
        struct MHD_Daemon *daemon;
        int listen_fd;
        sd_event_source *listen;      /* the listening socket: accept() */
        sd_event_source *retry;       /* re-enables listen after an accept() failure */
        sd_event_source *io;          /* MHD's epoll fd */
        sd_event_source *timer;       /* MHD's next timeout, re-armed before every loop iteration */
        SvConnection *connections, *connections_tail;
        unsigned n_connections;       /* not evicted */
        SvClient *clients;
        unsigned connection_limit;    /* SV_ENDPOINT_CONNECTION_LIMIT, or less under a low RLIMIT_NOFILE */
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
        if (listen(fd, SOMAXCONN) < 0)
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

static bool same_client(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
        if (a->ss_family != b->ss_family)
                return false;
        if (a->ss_family == AF_INET)
                return ((const struct sockaddr_in *) a)->sin_addr.s_addr == ((const struct sockaddr_in *) b)->sin_addr.s_addr;
        if (a->ss_family == AF_INET6)
                return memcmp(&((const struct sockaddr_in6 *) a)->sin6_addr, &((const struct sockaddr_in6 *) b)->sin6_addr, 8) == 0;
        return true;
}

static SvClient *find_client(const SvEndpoint *ep, const struct sockaddr_storage *address) {
        for (SvClient *cl = ep->clients; cl; cl = cl->next)
                if (same_client(&cl->address, address))
                        return cl;
        return NULL;
}

/* The client with the most connections, the one that came first among equals (ep->clients is newest first): the
 * one to give a connection up when the endpoint is full. */
static SvClient *heaviest_client(const SvEndpoint *ep) {
        SvClient *heaviest = NULL;
        for (SvClient *cl = ep->clients; cl; cl = cl->next)
                if (!heaviest || cl->connections >= heaviest->connections)
                        heaviest = cl;
        return heaviest;
}

/* The connection of client to give up: the oldest that has not sent a request yet (idle, or trickling as a
 * slowloris does), else the oldest. */
static SvConnection *pick_victim(const SvEndpoint *ep, const SvClient *client) {
        SvConnection *oldest = NULL;
        for (SvConnection *c = ep->connections; c; c = c->next) {
                if (c->evicted || c->client != client)
                        continue;
                if (!c->requested)
                        return c;
                if (!oldest)
                        oldest = c;
        }
        return oldest;
}

/* Before a connection from address is added: keeps every client within SV_ENDPOINT_CLIENT_LIMIT connections
 * and the endpoint within its connection limit, taking from the client with the most connections, so a flood
 * from many addresses costs a client with few nothing. The evicted connection reads end-of-file and MHD closes
 * it when it next runs; until then it is not counted. */
static void make_room(SvEndpoint *ep, const struct sockaddr_storage *address) {
        SvClient *from = find_client(ep, address);
        if (!from || from->connections < SV_ENDPOINT_CLIENT_LIMIT)
                from = ep->n_connections >= ep->connection_limit ? heaviest_client(ep) : NULL;
        SvConnection *victim = from ? pick_victim(ep, from) : NULL;
        if (!victim)
                return;
        (void) shutdown(victim->fd, SHUT_RDWR);
        victim->evicted = true;
        victim->client->connections--;
        ep->n_connections--;
}

static SvClient *client_ref(SvEndpoint *ep, const struct sockaddr *address) {
        struct sockaddr_storage ss = {};
        socklen_t len = address->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                        : address->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                        : sizeof(sa_family_t);
        memcpy(&ss, address, len);
        SvClient *cl = find_client(ep, &ss);
        if (!cl) {
                cl = xcalloc(1, sizeof(*cl));
                cl->address = ss;
                cl->next = ep->clients;
                ep->clients = cl;
        }
        cl->refs++;
        return cl;
}

static void client_unref(SvEndpoint *ep, SvClient *cl) {
        if (--cl->refs > 0)
                return;
        SvClient **p = &ep->clients;
        while (*p != cl)
                p = &(*p)->next;
        *p = cl->next;
        free(cl);
}

/* MHD_OPTION_NOTIFY_CONNECTION: keeps ep->connections and ep->clients in step with MHD's connections. */
static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
        SvEndpoint *ep = cls;
        SvConnection *c = *socket_context;
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
                const union MHD_ConnectionInfo *fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
                const union MHD_ConnectionInfo *addr = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
                if (!fd || !addr || !addr->client_addr)
                        return; /* not tracked, MHD's own limit and timeout still apply */
                c = xcalloc(1, sizeof(*c));
                c->fd = fd->connect_fd;
                c->client = client_ref(ep, addr->client_addr);
                c->client->connections++;
                c->prev = ep->connections_tail;
                if (ep->connections_tail)
                        ep->connections_tail->next = c;
                else
                        ep->connections = c;
                ep->connections_tail = c;
                ep->n_connections++;
                *socket_context = c;
                return;
        }
        if (!c)
                return;
        if (c->prev)
                c->prev->next = c->next;
        else
                ep->connections = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else
                ep->connections_tail = c->prev;
        if (!c->evicted) {
                c->client->connections--;
                ep->n_connections--;
        }
        client_unref(ep, c->client);
        free(c);
        *socket_context = NULL;
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
                const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
                if (info && info->socket_context)
                        ((SvConnection *) info->socket_context)->requested = true;
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

/* Accepts a batch of connections and lets MHD run on them (closing the evicted ones); the listening socket
 * stays enabled, so the backlog is drained however many clients there are. */
static int on_listen(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SvEndpoint *ep = userdata;
        (void) revents;
        unsigned added = 0;
        for (unsigned i = 0; i < SV_ENDPOINT_ACCEPT_BATCH; i++) {
                struct sockaddr_storage peer = {};
                socklen_t len = sizeof(peer);
                int cfd = accept4(fd, (struct sockaddr *) &peer, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        /* out of fds or memory, or a network error: pause rather than spin on a ready socket */
                        uint64_t now;
                        if (sd_event_now(ep->event, CLOCK_MONOTONIC, &now) >= 0 &&
                            sd_event_source_set_time(ep->retry, now + SV_ENDPOINT_ACCEPT_RETRY_USEC) >= 0 &&
                            sd_event_source_set_enabled(ep->retry, SD_EVENT_ONESHOT) >= 0)
                                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
                        break;
                }
                make_room(ep, &peer);
                (void) MHD_add_connection(ep->daemon, cfd, (struct sockaddr *) &peer, len); /* closes cfd on failure */
                added++;
        }
        if (added > 0)
                (void) MHD_run(ep->daemon);
        return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        SvEndpoint *ep = userdata;
        (void) s;
        (void) usec;
        return ep->paused ? 0 : sd_event_source_set_enabled(ep->listen, SD_EVENT_ON);
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

/* SV_ENDPOINT_CONNECTION_LIMIT, or half the descriptors the process may open if that is less. */
static unsigned connection_limit(void) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur / 2 >= SV_ENDPOINT_CONNECTION_LIMIT)
                return SV_ENDPOINT_CONNECTION_LIMIT;
        return rl.rlim_cur >= 2 ? (unsigned) (rl.rlim_cur / 2) : 1;
}

SvEndpoint *sv_endpoint_free(SvEndpoint *ep) {
        if (!ep)
                return NULL;
        sd_event_source_disable_unref(ep->listen);
        sd_event_source_disable_unref(ep->retry);
        sd_event_source_disable_unref(ep->io);
        sd_event_source_disable_unref(ep->timer);
        if (ep->daemon)
                MHD_stop_daemon(ep->daemon); /* closes every connection */
        assert(!ep->connections && !ep->clients);
        if (ep->listen_fd >= 0)
                close(ep->listen_fd);
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

        _cleanup_(sv_endpoint_freep) SvEndpoint *ep = xcalloc(1, sizeof(*ep));
        ep->event = sd_event_ref(e);
        ep->listen_fd = -1;
        ep->routes = routes;
        ep->n_routes = n_routes;
        ep->userdata = userdata;
        ep->connection_limit = connection_limit();

        int r = listen_fd >= 0 ? adopt_listener(listen_fd, &ep->listen_fd) : open_listener(address, &ep->listen_fd);
        if (r < 0)
                return r;
        ep->port = socket_port(ep->listen_fd);
        if (ep->port < 0)
                return ep->port;

        /* no MHD_USE_ERROR_LOG: library code stays quiet; no polling thread: the caller's loop drives MHD; no
         * listening socket: on_listen() accepts. MHD's own limit leaves room for the connections evicted by one
         * batch of accepts, which it closes when it next runs. */
        errno = 0;
        ep->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, ep,
                                      MHD_OPTION_NOTIFY_CONNECTION, on_connection, ep,
                                      MHD_OPTION_CONNECTION_TIMEOUT, SV_ENDPOINT_CONNECTION_TIMEOUT_SEC,
                                      MHD_OPTION_CONNECTION_LIMIT, ep->connection_limit + SV_ENDPOINT_ACCEPT_BATCH,
                                      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) SV_ENDPOINT_CONNECTION_MEMORY,
                                      MHD_OPTION_END);
        if (!ep->daemon)
                return errno > 0 ? -errno : -EIO;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(ep->daemon, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info || info->epoll_fd < 0)
                return -EIO;

        r = sd_event_add_io(e, &ep->listen, ep->listen_fd, EPOLLIN, on_listen, ep);
        if (r < 0)
                return r;
        r = sd_event_add_time(e, &ep->retry, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_retry, ep);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(ep->retry, SD_EVENT_OFF);
        if (r < 0)
                return r;
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
        (void) sd_event_source_set_description(ep->listen, "sv-endpoint-listen");
        (void) sd_event_source_set_description(ep->retry, "sv-endpoint-retry");
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
        int r = sd_event_source_set_enabled(ep->listen, paused ? SD_EVENT_OFF : SD_EVENT_ON);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(ep->io, paused ? SD_EVENT_OFF : SD_EVENT_ON);
        if (r < 0)
                return r;
        if (paused) {
                r = sd_event_source_set_enabled(ep->retry, SD_EVENT_OFF);
                if (r < 0)
                        return r;
                r = sd_event_source_set_enabled(ep->timer, SD_EVENT_OFF);
                if (r < 0)
                        return r;
        }
        ep->paused = paused;
        return 0;
}
