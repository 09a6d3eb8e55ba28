/* SPDX-License-Identifier: MIT */
/* Alerts over the monitor's figures: a rule's value from two samples, and a firing or clearing sent to
 * the journal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "supervisor/host/monitor.h"

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
