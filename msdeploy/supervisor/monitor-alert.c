/* SPDX-License-Identifier: MIT */
/* Threshold alerts over monitor figures: consecutive breaches to fire, hysteresis to clear, journal and /metrics. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "supervisor/monitor.h"
#include "supervisor/prom.h"
#include "util/xalloc.h"
#include "util/enum-table.h"

static const char *const sv_alert_metric_table[_SV_ALERT_METRIC_MAX] = {
        [SV_ALERT_MEMORY_PERCENT] = "memory_percent",
        [SV_ALERT_MEMORY_BYTES] = "memory_bytes",
        [SV_ALERT_CPU_PERCENT] = "cpu_percent",
        [SV_ALERT_PIDS] = "pids",
        [SV_ALERT_OOM_KILLS] = "oom_kills",
        [SV_ALERT_TCP_ESTABLISHED] = "tcp_established",
        [SV_ALERT_TCP_TIME_WAIT] = "tcp_time_wait",
};
ENUM_STRING_TABLE(sv_alert_metric, SvAlertMetric, _SV_ALERT_METRIC_MAX)

int sv_alert_rule_validate(const SvAlertRule *r) {
        if (!r || !r->name || !r->name[0] || !sv_alert_metric_to_string(r->metric) || !isfinite(r->threshold) ||
            !isfinite(r->clear) || r->clear > r->threshold || r->breaches < 1)
                return -EINVAL;
        return 0;
}

void sv_alert_state_init(SvAlertState *st) {
        *st = (SvAlertState) { .last_value = NAN };
}

SvAlertEdge sv_alert_update(SvAlertState *st, const SvAlertRule *r, double value) {
        st->last_value = value;
        if (st->firing) {
                if (!isnan(value) && value < r->clear) {
                        st->firing = false;
                        st->streak = 0;
                        return SV_ALERT_EDGE_CLEARED;
                }
                return SV_ALERT_EDGE_NONE;
        }
        if (isnan(value) || !(value > r->threshold)) {
                st->streak = 0;
                return SV_ALERT_EDGE_NONE;
        }
        st->streak++;
        if (st->streak < (r->breaches ? r->breaches : 1))
                return SV_ALERT_EDGE_NONE;
        st->firing = true;
        st->streak = 0;
        return SV_ALERT_EDGE_FIRED;
}

/* cur - prev of a counter read from the same source, or NaN */
static double counter_delta(const SvFigure *prev, const SvFigure *cur) {
        if (cur->source == SV_MONITOR_SOURCE_NONE || prev->source != cur->source || cur->value < prev->value)
                return NAN;
        return (double) (cur->value - prev->value);
}

double sv_alert_metric_value(SvAlertMetric m, const SvResourceSample *prev, const SvResourceSample *cur,
                             const SvTcpStats *tcp) {
        switch (m) {
        case SV_ALERT_MEMORY_PERCENT:
                if (!cur || cur->memory_current.source == SV_MONITOR_SOURCE_NONE ||
                    cur->memory_max.source == SV_MONITOR_SOURCE_NONE || cur->memory_max.value == SV_MONITOR_UNLIMITED ||
                    cur->memory_max.value == 0)
                        return NAN;
                return (double) cur->memory_current.value * 100.0 / (double) cur->memory_max.value;
        case SV_ALERT_MEMORY_BYTES:
                return cur && cur->memory_current.source != SV_MONITOR_SOURCE_NONE ? (double) cur->memory_current.value
                                                                                    : NAN;
        case SV_ALERT_CPU_PERCENT: {
                if (!cur || !prev || cur->timestamp <= prev->timestamp)
                        return NAN;
                double used = counter_delta(&prev->cpu_usage_usec, &cur->cpu_usage_usec);
                return used * 100.0 / (double) (cur->timestamp - prev->timestamp);
        }
        case SV_ALERT_PIDS:
                return cur && cur->pids_current.source != SV_MONITOR_SOURCE_NONE ? (double) cur->pids_current.value
                                                                                  : NAN;
        case SV_ALERT_OOM_KILLS:
                return cur && prev ? counter_delta(&prev->oom_kill, &cur->oom_kill) : NAN;
        case SV_ALERT_TCP_ESTABLISHED:
                return tcp ? (double) tcp->states[SV_TCP_ESTABLISHED] : NAN;
        case SV_ALERT_TCP_TIME_WAIT:
                return tcp ? (double) tcp->states[SV_TCP_TIME_WAIT] : NAN;
        default:
                return NAN;
        }
}

static char *value_string(double v) {
        StrBuf b = { 0 };
        sv_prom_value(&b, v);
        return sb_take(&b, NULL);
}

int sv_alert_journal_fields(const SvAlertRule *r, const char *target, double value, bool fired,
                            char *ret[static SV_ALERT_JOURNAL_FIELDS], size_t *ret_n) {
        if (sv_alert_rule_validate(r) < 0 || !target)
                return -EINVAL;
        _cleanup_free_ char *v = value_string(value), *th = value_string(r->threshold), *cl = value_string(r->clear);
        const char *metric = sv_alert_metric_to_string(r->metric);
        char *f[SV_ALERT_JOURNAL_FIELDS];
        int k = 0;
        if (fired)
                k |= asprintf(&f[0], "MESSAGE=Alert '%s' firing for '%s': %s %s above %s", r->name, target, metric, v,
                              th);
        else
                k |= asprintf(&f[0], "MESSAGE=Alert '%s' cleared for '%s': %s %s below %s", r->name, target, metric,
                              v, cl);
        k |= asprintf(&f[1], "PRIORITY=%d", fired ? LOG_WARNING : LOG_NOTICE);
        k |= asprintf(&f[2], "MSD_ALERT=%s", r->name);
        k |= asprintf(&f[3], "MSD_METRIC=%s", metric);
        k |= asprintf(&f[4], "MSD_TARGET=%s", target);
        k |= asprintf(&f[5], "MSD_VALUE=%s", v);
        k |= asprintf(&f[6], "MSD_THRESHOLD=%s", th);
        k |= asprintf(&f[7], "MSD_CLEAR=%s", cl);
        k |= asprintf(&f[8], "MSD_STATE=%s", fired ? "firing" : "cleared");
        if (k < 0)
                xoom();
        memcpy(ret, f, sizeof(f));
        *ret_n = SV_ALERT_JOURNAL_FIELDS;
        return 0;
}

int sv_alert_journal(const SvAlertRule *r, const char *target, double value, bool fired) {
        char *f[SV_ALERT_JOURNAL_FIELDS];
        size_t n;
        int rc = sv_alert_journal_fields(r, target, value, fired, f, &n);
        if (rc < 0)
                return rc;
        struct iovec iov[SV_ALERT_JOURNAL_FIELDS];
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec) { .iov_base = f[i], .iov_len = strlen(f[i]) };
        rc = sd_journal_sendv(iov, (int) n);
        for (size_t i = 0; i < n; i++)
                free(f[i]);
        return rc < 0 ? rc : 0;
}

void sv_alert_metrics(StrBuf *b, const char *project, const SvAlertInstance *a, size_t n) {
        if (n == 0)
                return;
        sv_prom_family(b, "msd_alert_firing", "gauge", "1 while the alert fires for the target");
        for (size_t i = 0; i < n; i++) {
                const char *labels[] = { "project", project, "alert", a[i].rule->name, "target", a[i].target, NULL };
                sv_prom_sample(b, "msd_alert_firing", labels, a[i].state.firing ? 1 : 0);
        }
}
