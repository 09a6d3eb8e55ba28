/* SPDX-License-Identifier: MIT */
/* Resource alerts at run time: every monitor interval, each running child is sampled and each alert
 * rule updated (consecutive breaches, hysteresis); a firing or clearing goes to the journal with
 * structured fields and shows in /metrics. No rules: no timer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/host/log.h"
#include "supervisor/host/monitor.h"
#include "supervisor/host/runtime-internal.h"
#include "util/xalloc.h"

typedef struct ChildSample {
        SvResourceSample prev;
        pid_t pid;                   /* whose sample prev is */
        bool have_prev;
} ChildSample;

struct Alerts {
        SvAlertInstance *instances;  /* rule-major: rule i, worker j at i * n_workers + j */
        SvNode **workers;
        ChildSample *samples;
        size_t n_workers;
        sd_event_source *timer;
};

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        Runtime *r = userdata;
        Alerts *a = r->alerts;
        SvTcpStats tcp;
        bool have_tcp = sv_monitor_tcp(NULL, &tcp) >= 0;
        for (size_t j = 0; j < a->n_workers; j++) {
                SvNode *w = a->workers[j];
                ChildSample *cs = &a->samples[j];
                if (w->pid <= 0)
                        continue;
                SvResourceSample cur;
                if (sv_monitor_sample(NULL, NULL, w->pid, &cur) <= 0)
                        continue;
                bool same = cs->have_prev && cs->pid == w->pid;
                for (size_t i = 0; i < r->config->n_alerts; i++) {
                        SvAlertInstance *in = &a->instances[i * a->n_workers + j];
                        in->target = w->name; /* names move with a reload */
                        double v = sv_alert_metric_value(in->rule->metric, same ? &cs->prev : NULL, &cur, have_tcp ? &tcp : NULL);
                        SvAlertEdge e = sv_alert_update(&in->state, in->rule, v);
                        if (e == SV_ALERT_EDGE_NONE)
                                continue;
                        bool fired = e == SV_ALERT_EDGE_FIRED;
                        sv_log(fired ? LOG_WARNING : LOG_NOTICE, "%s: alert %s %s (%s %g, threshold %g)", w->name, in->rule->name,
                               fired ? "firing" : "cleared", sv_alert_metric_to_string(in->rule->metric), v, in->rule->threshold);
                        (void) sv_alert_journal(in->rule, w->name, v, fired);
                }
                cs->prev = cur;
                cs->pid = w->pid;
                cs->have_prev = true;
        }
        (void) sd_event_source_set_time(s, usec + r->config->monitor_interval);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

int alerts_start(Runtime *r) {
        if (!r->tree || r->config->n_alerts == 0 || r->config->monitor_interval == 0)
                return 0;
        Alerts *a = xcalloc(1, sizeof(Alerts));
        SvNode **nodes;
        size_t n = sv_tree_nodes(r->tree, &nodes);
        a->workers = xcalloc(n + 1, sizeof(SvNode *));
        for (size_t i = 0; i < n; i++)
                if (nodes[i]->worker)
                        a->workers[a->n_workers++] = nodes[i];
        a->samples = xcalloc(a->n_workers + 1, sizeof(ChildSample));
        a->instances = xcalloc(r->config->n_alerts * a->n_workers + 1, sizeof(SvAlertInstance));
        for (size_t i = 0; i < r->config->n_alerts; i++)
                for (size_t j = 0; j < a->n_workers; j++) {
                        SvAlertInstance *in = &a->instances[i * a->n_workers + j];
                        in->rule = &r->config->alerts[i];
                        in->target = a->workers[j]->name;
                        sv_alert_state_init(&in->state);
                }
        r->alerts = a;
        return sd_event_add_time_relative(r->event, &a->timer, CLOCK_MONOTONIC, r->config->monitor_interval, TIMER_ACCURACY, on_tick, r);
}

void alerts_stop(Runtime *r) {
        Alerts *a = r->alerts;
        if (!a)
                return;
        sd_event_source_disable_unref(a->timer);
        free(a->instances);
        free(a->workers);
        free(a->samples);
        free(a);
        r->alerts = NULL;
}

void alerts_metrics(Runtime *r, StrBuf *b) {
        if (r->alerts)
                sv_alert_metrics(b, r->config->project, r->alerts->instances, r->config->n_alerts * r->alerts->n_workers);
}
