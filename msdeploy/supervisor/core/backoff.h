/* SPDX-License-Identifier: MIT */
/* Restart delays: how long the supervisor waits before starting a child that died, per backoff policy. */
#pragma once
#include <stdbool.h>

#include "spec/model.h" /* BackoffKind: the spec's own names */
#include "supervisor/core/rng.h"
#include "util/units.h"

/* Same order and spelling as the spec's BackoffKind, so a model value converts with a cast. */

typedef struct SvBackoffPolicy {
        BackoffKind kind;
        usec_t base;              /* first delay; 0 is allowed and makes every delay 0 */
        usec_t cap;               /* no delay exceeds it, jitter included; >= base */
        double multiplier;        /* exponential and adaptive growth factor, >= 1; unused by linear */
        double jitter;            /* 0..1: the delay d becomes uniform in [d(1-jitter), d(1+jitter)], then capped */
        usec_t min_uptime;        /* adaptive: a life at least this long is stable */
        usec_t reset_after;       /* a life at least this long forgets past failures; 0 or USEC_INFINITY: never */
} SvBackoffPolicy;

typedef struct SvBackoff {
        unsigned k;               /* consecutive failures already paid for since the last reset (saturates) */
        usec_t current;           /* the last delay before jitter (adaptive: its state; 0: none yet) */
        usec_t last;              /* the last delay returned, jitter included */
} SvBackoff;


/* 0, or -EINVAL when the kind is unknown, cap < base, multiplier < 1 (or not finite) or jitter is outside
 * [0, 1]. sv_backoff_next() copes with an invalid policy (it clamps) but the config should reject it. */
int sv_backoff_policy_validate(const SvBackoffPolicy *p);

void sv_backoff_init(SvBackoff *b, const SvBackoffPolicy *p);
/* Forget every failure: the next delay is base again (e.g. after an operator's explicit restart). */
void sv_backoff_reset(SvBackoff *b);

/* Called when a child died after living `uptime`; returns the delay before its next start.
 *
 * First, when reset_after is set and uptime >= reset_after, the state is reset: a child that ran that long
 * before dying restarts as if it had never failed (the check uses the uptime of the life that just ended,
 * which is the same as a timer firing reset_after into that life).
 * Then, with k the failures counted so far (0 for the first restart):
 *   exponential: d = min(cap, base * multiplier^k)
 *   linear:      d = min(cap, base * (k + 1))        -- base, 2 base, 3 base, ... cap
 *   adaptive:    d = base on the first death; then d = min(cap, previous * multiplier) when the life was
 *                shorter than min_uptime, and d = max(base, previous / 2) when it was stable
 *   none:        0 (no jitter)
 * and k grows by one. Jitter then draws d' uniformly in [d(1-jitter), d(1+jitter)] and returns min(cap, d').
 * rng may be NULL when jitter is 0; a NULL rng means no jitter. Large k cannot overflow: the delay stays cap. */
usec_t sv_backoff_next(SvBackoff *b, const SvBackoffPolicy *p, usec_t uptime, SvRng *rng);
