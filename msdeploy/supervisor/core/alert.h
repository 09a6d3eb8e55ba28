/* SPDX-License-Identifier: MIT */
/* Resource alert rules: consecutive breaches to fire, hysteresis to clear, and how a firing or clearing is
 * written for the journal and /metrics. The values come from the monitor (host/monitor.h). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

typedef enum SvAlertMetric {
        SV_ALERT_MEMORY_PERCENT, /* memory current / limit * 100; no value without a limit */
        SV_ALERT_MEMORY_BYTES,
        SV_ALERT_CPU_PERCENT,    /* usage between two samples / wall time * 100 (100 = one CPU) */
        SV_ALERT_PIDS,
        SV_ALERT_OOM_KILLS,      /* OOM kills since the previous sample */
        SV_ALERT_TCP_ESTABLISHED,
        SV_ALERT_TCP_TIME_WAIT,
        _SV_ALERT_METRIC_MAX,
        _SV_ALERT_METRIC_INVALID = -1,
} SvAlertMetric;

const char *sv_alert_metric_to_string(SvAlertMetric m); /* "memory_percent", "cpu_percent", ... */
SvAlertMetric sv_alert_metric_from_string(const char *s);

typedef struct SvAlertRule {
        const char *name;
        SvAlertMetric metric;
        double threshold;   /* a sample above it is a breach */
        double clear;       /* hysteresis: a firing alert clears below this; <= threshold */
        unsigned breaches;  /* consecutive breaches before firing, >= 1 */
} SvAlertRule;

/* -EINVAL unless name is set, metric valid, clear <= threshold (both finite) and breaches >= 1 */
int sv_alert_rule_validate(const SvAlertRule *r);

typedef struct SvAlertState {
        bool firing;
        unsigned streak;     /* consecutive breaches while not firing */
        double last_value;   /* last value given, NaN before any */
} SvAlertState;

typedef enum SvAlertEdge {
        SV_ALERT_EDGE_NONE,
        SV_ALERT_EDGE_FIRED,
        SV_ALERT_EDGE_CLEARED,
} SvAlertEdge;

void sv_alert_state_init(SvAlertState *st);
/* One sample. Not firing: value > threshold extends the streak, anything else (NaN too) ends it; the
 * rule's breaches-th consecutive breach fires. Firing: value < clear clears at once; NaN (no data)
 * changes nothing. */
SvAlertEdge sv_alert_update(SvAlertState *st, const SvAlertRule *r, double value);

#define SV_ALERT_JOURNAL_FIELDS 9
/* The structured fields sv_alert_journal() sends, "KEY=value" each; free each of the n strings. */
int sv_alert_journal_fields(const SvAlertRule *r, const char *target, double value, bool fired,
                            char *ret[static SV_ALERT_JOURNAL_FIELDS], size_t *ret_n);

typedef struct SvAlertInstance {
        const SvAlertRule *rule;
        const char *target;
        SvAlertState state;
} SvAlertInstance;

/*   msd_alert_firing{project,alert,target}  gauge 1 or 0, one per instance */
void sv_alert_metrics(StrBuf *b, const char *project, const SvAlertInstance *a, size_t n);
