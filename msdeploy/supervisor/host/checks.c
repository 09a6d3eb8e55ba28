/* SPDX-License-Identifier: MIT */
/* The check runner's core: per-check schedules and deadlines on the sd-event loop, and result reporting. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "supervisor/host/check-internal.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"
#include "util/enum-table.h"

/* Timers fire within a millisecond of their time: durations are reported, and tests measure them. */
#define CHECK_TIMER_ACCURACY USEC_PER_MSEC

static const char *const sv_check_result_table[_SV_CHECK_RESULT_MAX] = {
        [SV_CHECK_PASS] = "pass",
        [SV_CHECK_WARN] = "warn",
        [SV_CHECK_FAIL] = "fail",
};
ENUM_STRING_TABLE(sv_check_result, SvCheckResult, _SV_CHECK_RESULT_MAX)

usec_t sv_check_now(void) {
        return monotonic_usec();
}

const char *sv_check_format_timeout(char *buf, size_t size, usec_t u) {
        return format_duration(buf, size, u);
}

int sv_check_parse_host_port(const char *s, char **ret_host, unsigned *ret_port) {
        const char *host, *colon;
        size_t host_len;

        if (!s || !*s)
                return -EINVAL;
        if (s[0] == '[') {
                const char *close = strchr(s, ']');
                if (!close || close[1] != ':')
                        return -EINVAL;
                host = s + 1;
                host_len = (size_t) (close - host);
                colon = close + 1;
        } else {
                colon = strrchr(s, ':');
                if (!colon || memchr(s, ':', (size_t) (colon - s)))
                        return -EINVAL; /* no port, or an unbracketed IPv6 address */
                host = s;
                host_len = (size_t) (colon - s);
        }
        if (host_len == 0)
                return -EINVAL;
        uint64_t port;
        if (parse_uint(colon + 1, 1, 65535, &port) < 0)
                return -EINVAL;
        char *h = xmalloc(host_len + 1);
        memcpy(h, host, host_len);
        h[host_len] = '\0';
        *ret_host = h;
        *ret_port = (unsigned) port;
        return 0;
}

void sv_check_finish(SvCheck *c, SvCheckResult result, const char *fmt, ...) {
        assert(c->running);
        StrBuf detail = { 0 };
        va_list ap;

        c->running = false;
        if (c->deadline)
                (void) sd_event_source_set_enabled(c->deadline, SD_EVENT_OFF);
        usec_t now = sv_check_now();
        usec_t duration = now > c->started ? now - c->started : 0;

        va_start(ap, fmt);
        sb_vprintf(&detail, fmt, ap);
        va_end(ap);

        if (c->breaker && c->breaker_call)
                sv_breaker_record(c->breaker, result != SV_CHECK_FAIL, now);
        c->breaker_call = false;

        SvChecks *owner = c->owner;
        owner->dispatching++;
        owner->done(owner->userdata, c->index, result, duration, detail.s ? detail.s : "");
        owner->dispatching--;
        sb_free(&detail);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        SvCheck *c = userdata;
        (void) s;
        (void) usec;

        if (!c->running)
                return 0;
        if (c->ops->expire) {
                c->ops->expire(c);
                return 0;
        }
        c->ops->cancel(c);
        char buf[64];
        sv_check_finish(c, SV_CHECK_FAIL, "timed out after %s", sv_check_format_timeout(buf, sizeof(buf), c->timeout));
        return 0;
}

static void check_start(SvCheck *c) {
        int r;

        c->running = true;
        c->timed_out = false;
        c->started = sv_check_now();
        if (c->breaker) {
                if (!sv_breaker_allow(c->breaker, c->started)) {
                        sv_check_finish(c, SV_CHECK_FAIL, "circuit open");
                        return;
                }
                c->breaker_call = true;
        }

        if (c->timeout != USEC_INFINITY) {
                usec_t when = c->started + c->timeout;
                if (!c->deadline)
                        r = sd_event_add_time(c->owner->event, &c->deadline, CLOCK_MONOTONIC, when,
                                              CHECK_TIMER_ACCURACY, on_deadline, c);
                else
                        r = sd_event_source_set_time(c->deadline, when);
                if (r >= 0)
                        r = sd_event_source_set_enabled(c->deadline, SD_EVENT_ONESHOT);
                if (r < 0) {
                        sv_check_finish(c, SV_CHECK_FAIL, "cannot arm the deadline: %s", strerror(-r));
                        return;
                }
        }

        r = c->ops->start(c);
        if (r < 0 && c->running) {
                c->ops->cancel(c);
                sv_check_finish(c, SV_CHECK_FAIL, "cannot start: %s", strerror(-r));
        }
}

static int on_schedule(sd_event_source *s, uint64_t usec, void *userdata) {
        SvCheck *c = userdata;
        (void) usec;

        if (c->interval != USEC_INFINITY) {
                usec_t now;
                if (sd_event_now(c->owner->event, CLOCK_MONOTONIC, &now) < 0)
                        now = sv_check_now();
                c->next_due += c->interval;
                if (c->next_due <= now) /* the loop was late: no burst of catch-up runs */
                        c->next_due = now + c->interval;
                if (sd_event_source_set_time(s, c->next_due) >= 0)
                        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        }
        if (c->running)
                return 0; /* still in flight: this tick is skipped, never a second run */
        check_start(c);
        return 0;
}

static usec_t normalise(usec_t u, usec_t unset) {
        if (u == USEC_UNSET)
                return unset;
        return u;
}

static const CheckOps *ops_for(const HealthCheck *hc) {
        switch (hc->kind) {
        case HEALTH_HTTP:
                return &sv_check_http_ops;
        case HEALTH_TCP:
                return &sv_check_tcp_ops;
        case HEALTH_PROCESS:
                return &sv_check_process_ops;
        case HEALTH_SCRIPT:
                return &sv_check_script_ops;
        case HEALTH_DATABASE:
                if (!hc->database || strcmp(hc->database, "tcp") == 0)
                        return &sv_check_tcp_ops;
                if (strcmp(hc->database, "postgresql") == 0)
                        return &sv_check_pg_ops;
                return NULL;
        default:
                return NULL;
        }
}

static void check_release(SvCheck *c) {
        if (c->ops) {
                if (c->running)
                        c->ops->cancel(c);
                c->ops->release(c);
        }
        c->running = false;
        c->schedule = sd_event_source_disable_unref(c->schedule);
        c->deadline = sd_event_source_disable_unref(c->deadline);
        free(c->name);
        free(c->target);
        free(c->database);
}

SvChecks *sv_checks_free(SvChecks *c) {
        if (!c)
                return NULL;
        assert(c->dispatching == 0); /* not from the done callback */
        for (size_t i = 0; i < c->n; i++)
                check_release(&c->checks[i]);
        if (c->multi)
                curl_multi_cleanup(c->multi);
        c->curl_timer = sd_event_source_disable_unref(c->curl_timer);
        if (c->curl_global)
                curl_global_cleanup();
        free(c->checks);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

int sv_checks_new(sd_event *e, const HealthCheck *checks, size_t n, SvCheckDone done, void *userdata, SvChecks **ret) {
        _cleanup_(sv_checks_freep) SvChecks *c = NULL;
        usec_t now;
        int r;

        if (!e || !done || !ret || (n > 0 && !checks))
                return -EINVAL;
        r = sd_event_now(e, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;

        c = xcalloc(1, sizeof(*c));
        c->event = sd_event_ref(e);
        c->done = done;
        c->userdata = userdata;
        c->checks = xcalloc(n ? n : 1, sizeof(SvCheck));
        for (size_t i = 0; i < n; i++) {
                const HealthCheck *hc = &checks[i];
                SvCheck *k = &c->checks[i];

                k->owner = c;
                k->index = i;
                c->n = i + 1; /* what sv_checks_free() releases */
                k->ops = ops_for(hc);
                if (!k->ops || !hc->target || !*hc->target) {
                        k->ops = NULL;
                        return -EINVAL;
                }
                k->kind = hc->kind;
                k->name = xstrdup(hc->name ? hc->name : "");
                k->target = xstrdup(hc->target);
                k->database = hc->database ? xstrdup(hc->database) : NULL;
                k->interval = normalise(hc->interval, USEC_INFINITY);
                if (k->interval == 0)
                        k->interval = USEC_INFINITY;
                k->timeout = normalise(hc->timeout, USEC_INFINITY);
                if (k->timeout == 0)
                        k->timeout = USEC_INFINITY;
                usec_t delay = normalise(hc->initial_delay, 0);
                if (delay == USEC_INFINITY)
                        return -EINVAL;

                r = k->ops->init(k);
                if (r < 0)
                        return r;

                k->next_due = now + delay;
                r = sd_event_add_time(e, &k->schedule, CLOCK_MONOTONIC, k->next_due, CHECK_TIMER_ACCURACY,
                                      on_schedule, k);
                if (r < 0)
                        return r;
                /* a check without an interval waits for sv_checks_run_now() */
                if (k->interval == USEC_INFINITY)
                        r = sd_event_source_set_enabled(k->schedule, SD_EVENT_OFF);
                else
                        r = sd_event_source_set_enabled(k->schedule, SD_EVENT_ONESHOT);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int sv_checks_run_now(SvChecks *c, size_t index) {
        usec_t now;
        int r;

        if (!c || index >= c->n)
                return -ERANGE;
        SvCheck *k = &c->checks[index];
        if (k->running)
                return 0;
        r = sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        k->next_due = now;
        r = sd_event_source_set_time(k->schedule, now);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(k->schedule, SD_EVENT_ONESHOT);
        if (r < 0)
                return r;
        return 1;
}

int sv_checks_set_breaker(SvChecks *c, size_t index, SvBreaker *b) {
        if (!c || index >= c->n)
                return -ERANGE;
        c->checks[index].breaker = b;
        c->checks[index].breaker_call = false; /* an attempt in flight is not the new breaker's call */
        return 0;
}

bool sv_checks_running(SvChecks *c, size_t index) {
        return c && index < c->n && c->checks[index].running;
}

size_t sv_checks_count(const SvChecks *c) {
        return c ? c->n : 0;
}
