/* SPDX-License-Identifier: MIT */
/* Health aggregation: the per-check debounce state machine and the component and system roll-ups. */
#include "supervisor/core/aggregate.h"

#include <assert.h>
#include <limits.h>

#include "util/enum-table.h"

static const char *const sv_check_status_table[_SV_CHECK_STATUS_MAX] = {
        [SV_CHECK_STATUS_UNKNOWN] = "unknown",
        [SV_CHECK_STATUS_PASSING] = "passing",
        [SV_CHECK_STATUS_WARNING] = "warning",
        [SV_CHECK_STATUS_CRITICAL] = "critical",
};
ENUM_STRING_TABLE(sv_check_status, SvCheckStatus, _SV_CHECK_STATUS_MAX)

static const char *const sv_health_table[_SV_HEALTH_MAX] = {
        [SV_HEALTH_HEALTHY] = "healthy",
        [SV_HEALTH_DEGRADED] = "degraded",
        [SV_HEALTH_UNHEALTHY] = "unhealthy",
};
ENUM_STRING_TABLE(sv_health, SvHealth, _SV_HEALTH_MAX)

void sv_check_state_init(SvCheckState *s) {
        assert(s);
        *s = (SvCheckState) { .status = SV_CHECK_STATUS_UNKNOWN, .last = _SV_CHECK_RESULT_INVALID };
}

static unsigned at_least_one(unsigned v) {
        return v > 0 ? v : 1;
}

static void bump(unsigned *v) {
        if (*v < UINT_MAX)
                (*v)++;
}

SvCheckStatus sv_check_state_record(SvCheckState *s, SvCheckResult result, const SvCheckThresholds *t) {
        assert(s);
        assert(t);
        switch (result) {
        case SV_CHECK_FAIL:
                bump(&s->consecutive_failures);
                s->consecutive_successes = 0;
                if (s->consecutive_failures >= at_least_one(t->failures_before_critical))
                        s->status = SV_CHECK_STATUS_CRITICAL;
                else if (s->status != SV_CHECK_STATUS_CRITICAL)
                        s->status = SV_CHECK_STATUS_WARNING;
                break;
        case SV_CHECK_PASS:
                bump(&s->consecutive_successes);
                s->consecutive_failures = 0;
                if (s->status == SV_CHECK_STATUS_UNKNOWN ||
                    s->consecutive_successes >= at_least_one(t->successes_before_passing))
                        s->status = SV_CHECK_STATUS_PASSING;
                break;
        case SV_CHECK_WARN:
                s->consecutive_failures = s->consecutive_successes = 0;
                s->status = SV_CHECK_STATUS_WARNING;
                break;
        default:
                return s->status;
        }
        s->last = result;
        return s->status;
}

static int severity(SvCheckStatus s) {
        switch (s) {
        case SV_CHECK_STATUS_PASSING:
                return 0;
        case SV_CHECK_STATUS_WARNING:
                return 1;
        case SV_CHECK_STATUS_UNKNOWN:
                return 2;
        case SV_CHECK_STATUS_CRITICAL:
        default: /* an invalid status is not trusted */
                return 3;
        }
}

SvCheckStatus sv_health_worst(SvCheckStatus a, SvCheckStatus b) {
        SvCheckStatus w = severity(b) > severity(a) ? b : a;
        return (unsigned) w < _SV_CHECK_STATUS_MAX ? w : SV_CHECK_STATUS_CRITICAL;
}

SvCheckStatus sv_health_component(const SvCheckStatus *checks, size_t n) {
        assert(checks || n == 0);
        SvCheckStatus w = SV_CHECK_STATUS_PASSING;
        for (size_t i = 0; i < n; i++)
                w = sv_health_worst(w, checks[i]);
        return w;
}

SvHealth sv_health_system(const SvHealthItem *items, size_t n) {
        assert(items || n == 0);
        SvHealth h = SV_HEALTH_HEALTHY;
        for (size_t i = 0; i < n; i++) {
                if (items[i].status == SV_CHECK_STATUS_PASSING)
                        continue;
                if (items[i].critical && severity(items[i].status) >= severity(SV_CHECK_STATUS_CRITICAL))
                        return SV_HEALTH_UNHEALTHY;
                h = SV_HEALTH_DEGRADED;
        }
        return h;
}
