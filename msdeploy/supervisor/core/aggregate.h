/* SPDX-License-Identifier: MIT */
/* Health aggregation: a check's debounced status from its raw results, then component and system status. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* The raw result of one run of a check (host/checks.h runs them and names them). */
typedef enum SvCheckResult {
        SV_CHECK_PASS,
        SV_CHECK_WARN,
        SV_CHECK_FAIL,
        _SV_CHECK_RESULT_MAX,
        _SV_CHECK_RESULT_INVALID = -1,
} SvCheckResult;

/* Debounced status of one check. Listed from best to worst except UNKNOWN, which is first so that a
 * zeroed SvCheckState is unknown; use sv_health_worst() to compare. Severity:
 * passing < warning < unknown < critical (not knowing is worse than a known warning, better than a
 * known failure). */
typedef enum SvCheckStatus {
        SV_CHECK_STATUS_UNKNOWN,  /* no result yet */
        SV_CHECK_STATUS_PASSING,
        SV_CHECK_STATUS_WARNING,
        SV_CHECK_STATUS_CRITICAL,
        _SV_CHECK_STATUS_MAX,
        _SV_CHECK_STATUS_INVALID = -1,
} SvCheckStatus;

typedef enum SvHealth {
        SV_HEALTH_HEALTHY,
        SV_HEALTH_DEGRADED,
        SV_HEALTH_UNHEALTHY,
        _SV_HEALTH_MAX,
        _SV_HEALTH_INVALID = -1,
} SvHealth;

typedef struct SvCheckThresholds {
        unsigned failures_before_critical; /* consecutive fails to turn critical; 0 means 1 */
        unsigned successes_before_passing; /* consecutive passes to return to passing; 0 means 1 */
} SvCheckThresholds;

/* Zeroed (or sv_check_state_init()) is a valid unknown state. */
typedef struct SvCheckState {
        SvCheckStatus status;
        unsigned consecutive_failures;  /* fails since the last pass or warn (saturates) */
        unsigned consecutive_successes; /* passes since the last fail or warn (saturates) */
        SvCheckResult last;             /* _SV_CHECK_RESULT_INVALID before the first result */
} SvCheckState;

/* One entry of the system roll-up: a component (status from sv_health_component(), critical if the
 * component is) or directly a check with its own critical flag. */
typedef struct SvHealthItem {
        SvCheckStatus status;
        bool critical;
} SvHealthItem;

/* "unknown", "passing", "warning", "critical" */
const char *sv_check_status_to_string(SvCheckStatus s);
SvCheckStatus sv_check_status_from_string(const char *s);
/* "healthy", "degraded", "unhealthy" */
const char *sv_health_to_string(SvHealth h);
SvHealth sv_health_from_string(const char *s);

void sv_check_state_init(SvCheckState *s);
/* Feeds one raw result; returns the new status. With F = failures_before_critical, P =
 * successes_before_passing (0 read as 1):
 *   fail: once F consecutive fails are counted -> critical; before that a critical check stays critical
 *         and any other becomes warning (the check is failing but not yet convicted).
 *   pass: from unknown -> passing at once (nothing to recover from); from warning or critical -> passing
 *         once P consecutive passes are counted, else the status is kept.
 *   warn: -> warning, and both streaks restart (a warn is neither a pass nor a fail).
 * An invalid result is ignored (returns the current status). */
SvCheckStatus sv_check_state_record(SvCheckState *s, SvCheckResult result, const SvCheckThresholds *t);

/* The worse of two statuses, by the severity above. */
SvCheckStatus sv_health_worst(SvCheckStatus a, SvCheckStatus b);
/* A component's status: the worst of its checks; passing when it has none. */
SvCheckStatus sv_health_component(const SvCheckStatus *checks, size_t n);
/* The system: unhealthy when a critical item is critical; else degraded when any item is not passing
 * (a failing non-critical item, or a critical one that is warning or unknown); else healthy, which is
 * also the answer for no items. */
SvHealth sv_health_system(const SvHealthItem *items, size_t n);
