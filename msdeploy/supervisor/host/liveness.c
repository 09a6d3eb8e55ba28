/* SPDX-License-Identifier: MIT */
/* Liveness of running workers: phi accrual over their WATCHDOG=1 heartbeats (a timer armed for the
 * moment phi would cross the threshold, re-armed by every heartbeat: no polling), 'readiness: check'
 * (the check that makes a starting worker ready) and start_timeout (a worker never ready has failed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/host/log.h"
#include "supervisor/host/runtime-internal.h"
#include "util/xalloc.h"

/* The loop woke this much later than a timer asked: it stalled, and nobody is to blame for the silence. */
#define STALL_BOUND USEC_PER_SEC
#define READINESS_INTERVAL (200 * USEC_PER_MSEC)
#define READINESS_TIMEOUT USEC_PER_SEC

int liveness_init(Runtime *r, NodeHost *h) {
        const Supervision *s = &r->config->supervision;
        SvPhiConfig pc = {
                .threshold = s->phi_threshold > 0 ? s->phi_threshold : SV_PHI_DEFAULT_THRESHOLD,
                .max_samples = s->phi_max_samples ? s->phi_max_samples : SV_PHI_DEFAULT_MAX_SAMPLES,
                .min_stddev = s->phi_min_stddev ? s->phi_min_stddev : SV_PHI_DEFAULT_MIN_STDDEV,
                .acceptable_pause = s->phi_acceptable_pause,
        };
        return sv_phi_init(&h->phi, &pc);
}

/* The earliest time after the last heartbeat at which phi exceeds its threshold (bisection: phi grows
 * with the silence), or USEC_INFINITY while phi cannot judge yet. */
static usec_t conviction_time(const SvPhi *p) {
        if (p->n_heartbeats < 2)
                return USEC_INFINITY;
        usec_t lo = p->last_heartbeat, hi = p->last_heartbeat + 24 * 3600 * USEC_PER_SEC;
        if (!sv_phi_suspect(p, hi))
                return USEC_INFINITY;
        while (hi - lo > USEC_PER_MSEC) {
                usec_t mid = lo + (hi - lo) / 2;
                if (sv_phi_suspect(p, mid))
                        hi = mid;
                else
                        lo = mid;
        }
        return hi;
}

static void note_stall_everywhere(Runtime *r, usec_t stall) {
        SvNode **nodes;
        size_t n = sv_tree_nodes(r->tree, &nodes);
        for (size_t i = 0; i < n; i++) {
                NodeHost *h = nodes[i]->host;
                if (nodes[i]->worker && h->phi.started)
                        sv_phi_note_stall(&h->phi, stall);
        }
}

static void arm(Runtime *r, NodeHost *h);

static int on_phi_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        NodeHost *h = userdata;
        Runtime *r = h->rt;
        usec_t now = now_monotonic(r);
        if (now > usec + STALL_BOUND)
                note_stall_everywhere(r, now - usec);
        if (h->node->state == SV_UP && sv_phi_suspect(&h->phi, now)) {
                sv_log_warning("%s: no heartbeat for %.1fs (phi %.1f above %.1f), failing it", h->node->name,
                               (double) (now - h->phi.last_heartbeat) / 1e6, sv_phi_value(&h->phi, now), h->phi.config.threshold);
                sv_tree_fail(r->tree, h->node, now);
                return 0;
        }
        arm(r, h);
        return 0;
}

static void arm(Runtime *r, NodeHost *h) {
        usec_t at = conviction_time(&h->phi);
        if (at == USEC_INFINITY) {
                h->phi_timer = sd_event_source_disable_unref(h->phi_timer);
                return;
        }
        if (h->phi_timer) {
                (void) sd_event_source_set_time(h->phi_timer, at);
                (void) sd_event_source_set_enabled(h->phi_timer, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_add_time(r->event, &h->phi_timer, CLOCK_MONOTONIC, at, TIMER_ACCURACY, on_phi_timer, h);
}

void liveness_heartbeat(Runtime *r, NodeHost *h, usec_t now) {
        sv_phi_heartbeat(&h->phi, now);
        arm(r, h);
}

static int free_readiness(sd_event_source *s, void *userdata) {
        NodeHost *h = userdata;
        h->readiness = sv_checks_free(h->readiness);
        sd_event_source_disable_unref(s);
        return 0;
}

static void on_readiness(void *userdata, size_t index, SvCheckResult result, usec_t duration, const char *detail) {
        (void) index, (void) duration, (void) detail;
        NodeHost *h = userdata;
        if (result != SV_CHECK_PASS || h->node->state != SV_STARTING)
                return;
        /* the runner cannot be freed from its own callback: once the loop is back */
        (void) sd_event_add_defer(h->rt->event, NULL, free_readiness, h);
        sv_tree_ready(h->rt->tree, h->node, now_monotonic(h->rt));
}

static int on_start_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        NodeHost *h = userdata;
        h->start_timer = sd_event_source_disable_unref(h->start_timer);
        if (h->node->state != SV_STARTING)
                return 0;
        sv_log_warning("%s: not ready within %.3fs (start_timeout), failing it", h->node->name,
                       (double) h->node->worker->start_timeout / 1e6);
        sv_tree_fail(h->rt->tree, h->node, usec);
        return 0;
}

void liveness_ready(NodeHost *h) {
        h->start_timer = sd_event_source_disable_unref(h->start_timer);
}

void liveness_started(Runtime *r, NodeHost *h) {
        sv_phi_reset(&h->phi);
        h->phi_timer = sd_event_source_disable_unref(h->phi_timer);
        const SvWorker *w = h->node->worker;
        h->start_timer = sd_event_source_disable_unref(h->start_timer);
        if (w->readiness != READINESS_NONE && w->start_timeout != USEC_INFINITY)
                (void) sd_event_add_time_relative(r->event, &h->start_timer, CLOCK_MONOTONIC, w->start_timeout, TIMER_ACCURACY,
                                                  on_start_timeout, h);
        if (w->readiness != READINESS_CHECK || !w->check)
                return;
        h->readiness = sv_checks_free(h->readiness);
        HealthCheck c = {
                .name = "readiness",
                .component = h->node->name,
                .kind = strncmp(w->check, "http://", 7) == 0 || strncmp(w->check, "https://", 8) == 0 ? HEALTH_HTTP : HEALTH_TCP,
                .target = w->check,
                .interval = READINESS_INTERVAL,
                .timeout = READINESS_TIMEOUT,
                .initial_delay = READINESS_INTERVAL,
                .failures_before_critical = 1,
                .successes_before_passing = 1,
        };
        if (sv_checks_new(r->event, &c, 1, on_readiness, h, &h->readiness) < 0)
                sv_log_warning("%s: readiness check '%s' cannot run, ignoring", h->node->name, w->check);
}

void liveness_stopped(NodeHost *h) {
        h->phi_timer = sd_event_source_disable_unref(h->phi_timer);
        h->start_timer = sd_event_source_disable_unref(h->start_timer);
        h->readiness = sv_checks_free(h->readiness);
}

void liveness_free(NodeHost *h) {
        liveness_stopped(h);
        sv_phi_free(&h->phi);
}
