/* SPDX-License-Identifier: MIT */
/* http and tcp checks: libcurl transfers on one multi handle whose sockets and timer live on sd-event. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "supervisor/host/check-internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define CURL_TIMER_ACCURACY USEC_PER_MSEC

static void curl_drain(SvChecks *c);

static int on_curl_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SvChecks *c = userdata;
        int flags = 0, running;
        (void) s;

        if (revents & EPOLLIN)
                flags |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                flags |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                flags |= CURL_CSELECT_ERR;
        (void) curl_multi_socket_action(c->multi, fd, flags, &running);
        curl_drain(c);
        return 0;
}

static int on_curl_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        SvChecks *c = userdata;
        int running;
        (void) s;
        (void) usec;

        (void) curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        curl_drain(c);
        return 0;
}

/* CURLMOPT_SOCKETFUNCTION: one sd-event io source per socket, kept in curl's socket pointer. */
static int curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
        SvChecks *c = userp;
        sd_event_source *s = socketp;
        uint32_t events = 0;
        int r;
        (void) easy;

        if (what == CURL_POLL_REMOVE) {
                if (s) {
                        sd_event_source_disable_unref(s);
                        (void) curl_multi_assign(c->multi, fd, NULL);
                }
                return 0;
        }
        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;
        if (s) {
                r = sd_event_source_set_io_events(s, events);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s, SD_EVENT_ON);
        } else {
                r = sd_event_add_io(c->event, &s, fd, events, on_curl_io, c);
                if (r >= 0 && curl_multi_assign(c->multi, fd, s) != CURLM_OK) {
                        sd_event_source_disable_unref(s);
                        r = -ENOMEM;
                }
        }
        return r < 0 ? -1 : 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer source; curl_multi_socket_action() is called from the loop only. */
static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp) {
        SvChecks *c = userp;
        int r;
        (void) multi;

        if (timeout_ms < 0)
                return c->curl_timer ? (sd_event_source_set_enabled(c->curl_timer, SD_EVENT_OFF) < 0 ? -1 : 0) : 0;

        usec_t when = sv_check_now() + (usec_t) timeout_ms * USEC_PER_MSEC;
        if (!c->curl_timer)
                r = sd_event_add_time(c->event, &c->curl_timer, CLOCK_MONOTONIC, when, CURL_TIMER_ACCURACY,
                                      on_curl_timer, c);
        else
                r = sd_event_source_set_time(c->curl_timer, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->curl_timer, SD_EVENT_ONESHOT);
        return r < 0 ? -1 : 0;
}

int sv_check_curl_multi(SvChecks *c, CURLM **ret) {
        if (!c->multi) {
                if (!c->curl_global) {
                        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                                return -EIO;
                        c->curl_global = true;
                }
                c->multi = curl_multi_init();
                if (!c->multi)
                        return -ENOMEM;
                if (curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb) != CURLM_OK ||
                    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) != CURLM_OK ||
                    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb) != CURLM_OK ||
                    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c) != CURLM_OK)
                        return -EIO;
        }
        *ret = c->multi;
        return 0;
}

static void report(SvCheck *k, CURLcode res) {
        char buf[64];

        if (res == CURLE_OPERATION_TIMEDOUT) {
                sv_check_finish(k, SV_CHECK_FAIL, "timed out after %s",
                                sv_check_format_timeout(buf, sizeof(buf), k->timeout));
                return;
        }
        if (res != CURLE_OK) {
                sv_check_finish(k, SV_CHECK_FAIL, "%s", k->curl_error[0] ? k->curl_error : curl_easy_strerror(res));
                return;
        }
        if (k->connect_only) {
                sv_check_finish(k, SV_CHECK_PASS, "connected to %s", k->target);
                return;
        }
        long code = 0;
        (void) curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 200 && code <= 299)
                sv_check_finish(k, SV_CHECK_PASS, "HTTP %ld", code);
        else if (code == 429)
                sv_check_finish(k, SV_CHECK_WARN, "HTTP %ld", code);
        else
                sv_check_finish(k, SV_CHECK_FAIL, "HTTP %ld", code);
}

static void curl_drain(SvChecks *c) {
        CURLMsg *m;
        int left;

        while ((m = curl_multi_info_read(c->multi, &left))) {
                if (m->msg != CURLMSG_DONE)
                        continue;
                CURL *easy = m->easy_handle;
                CURLcode res = m->data.result; /* m is gone once the handle is removed */
                SvCheck *k = NULL;
                (void) curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &k);
                (void) curl_multi_remove_handle(c->multi, easy);
                if (!k)
                        continue;
                k->in_multi = false;
                if (k->running)
                        report(k, res);
        }
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
        (void) ptr;
        (void) userdata;
        return size * nmemb;
}

/* Every socket curl opens for a check is close-on-exec, so scripts never inherit one. */
static curl_socket_t open_socket_cloexec(void *clientp, curlsocktype purpose, struct curl_sockaddr *a) {
        (void) clientp;
        (void) purpose;
        return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int easy_setup(SvCheck *k) {
        CURLM *multi;
        int r;

        r = sv_check_curl_multi(k->owner, &multi);
        if (r < 0)
                return r;
        k->easy = curl_easy_init();
        if (!k->easy)
                return -ENOMEM;

        long timeout_ms = 0; /* none */
        if (k->timeout != USEC_INFINITY) {
                usec_t ms = k->timeout / USEC_PER_MSEC + (k->timeout % USEC_PER_MSEC != 0); /* rounded up */
                timeout_ms = ms >= (usec_t) LONG_MAX ? LONG_MAX : (long) ms;
        }
        if (curl_easy_setopt(k->easy, CURLOPT_URL, k->url) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_PRIVATE, (void *) k) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_PROXY, "") != CURLE_OK || /* never through $http_proxy */
            curl_easy_setopt(k->easy, CURLOPT_FRESH_CONNECT, 1L) != CURLE_OK || /* each run is a real connect */
            curl_easy_setopt(k->easy, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_ERRORBUFFER, k->curl_error) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_WRITEFUNCTION, discard_body) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket_cloexec) != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_USERAGENT, "msd-supervisor") != CURLE_OK ||
            curl_easy_setopt(k->easy, CURLOPT_CONNECT_ONLY, k->connect_only ? 1L : 0L) != CURLE_OK)
                return -EINVAL;
        return 0;
}

static int http_init(SvCheck *k) {
        if (strncmp(k->target, "http://", 7) != 0 && strncmp(k->target, "https://", 8) != 0)
                return -EINVAL;
        k->url = xstrdup(k->target);
        k->connect_only = false;
        return easy_setup(k);
}

static int tcp_init(SvCheck *k) {
        _cleanup_free_ char *host = NULL;
        unsigned port;
        StrBuf url = { 0 };
        int r;

        r = sv_check_parse_host_port(k->target, &host, &port);
        if (r < 0)
                return r;
        if (strchr(host, ':'))
                sb_printf(&url, "http://[%s]:%u/", host, port);
        else
                sb_printf(&url, "http://%s:%u/", host, port);
        k->url = sb_take(&url, NULL);
        k->connect_only = true;
        return easy_setup(k);
}

static int curl_start(SvCheck *k) {
        k->curl_error[0] = '\0';
        if (curl_multi_add_handle(k->owner->multi, k->easy) != CURLM_OK)
                return -EIO;
        k->in_multi = true;
        return 0;
}

static void curl_cancel(SvCheck *k) {
        if (k->in_multi) {
                (void) curl_multi_remove_handle(k->owner->multi, k->easy);
                k->in_multi = false;
        }
}

static void curl_release(SvCheck *k) {
        curl_cancel(k);
        if (k->easy)
                curl_easy_cleanup(k->easy);
        k->easy = NULL;
        free(k->url);
        k->url = NULL;
}

const CheckOps sv_check_http_ops = {
        .init = http_init,
        .start = curl_start,
        .cancel = curl_cancel,
        .release = curl_release,
};

const CheckOps sv_check_tcp_ops = {
        .init = tcp_init,
        .start = curl_start,
        .cancel = curl_cancel,
        .release = curl_release,
};
