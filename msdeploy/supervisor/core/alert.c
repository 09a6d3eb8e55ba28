/* SPDX-License-Identifier: MIT */
/* Threshold alerts: consecutive breaches to fire, hysteresis to clear, the journal fields and /metrics. */
#include "supervisor/core/alert.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "supervisor/core/prom.h"
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

void sv_alert_metrics(StrBuf *b, const char *project, const SvAlertInstance *a, size_t n) {
        if (n == 0)
                return;
        sv_prom_family(b, "msd_alert_firing", "gauge", "1 while the alert fires for the target");
        for (size_t i = 0; i < n; i++) {
                const char *labels[] = { "project", project, "alert", a[i].rule->name, "target", a[i].target, NULL };
                sv_prom_sample(b, "msd_alert_firing", labels, a[i].state.firing ? 1 : 0);
        }
}
