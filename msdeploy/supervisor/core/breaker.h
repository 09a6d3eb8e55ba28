/* SPDX-License-Identifier: MIT */
/* Circuit breaker (closed, open, half-open) over a count-based window of call outcomes. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "util/units.h"

/* closed: calls flow; each outcome enters a window of the last `window` calls. Once at least `min_calls`
 *   outcomes are in it and failures * 100 >= failure_rate * calls (at the threshold counts), it opens.
 * open: calls are rejected for the current wait (initially `wait`). The first sv_breaker_allow() at or
 *   after the end of the wait moves to half-open.
 * half-open: `probes` calls are permitted, the rest rejected. All of them succeeding closes the breaker
 *   (empty window, wait back to `wait`); the first failure opens it again with the wait doubled, at most
 *   `max_wait`.
 * Outcomes recorded while open (calls let through before it opened, finishing late) are ignored. */

#define SV_BREAKER_WINDOW_MAX 256u

typedef enum SvBreakerState {
        SV_BREAKER_CLOSED,
        SV_BREAKER_OPEN,
        SV_BREAKER_HALF_OPEN,
        _SV_BREAKER_STATE_MAX,
        _SV_BREAKER_STATE_INVALID = -1,
} SvBreakerState;

typedef struct SvBreakerPolicy {
        unsigned window;          /* last N calls, 1 .. SV_BREAKER_WINDOW_MAX */
        unsigned min_calls;       /* outcomes needed before the rate is judged, 1 .. window */
        unsigned failure_rate;    /* percent, 1 .. 100 */
        usec_t wait;              /* first open period, > 0 */
        usec_t max_wait;          /* cap of the doubling, >= wait; 0: 32 * wait */
        unsigned probes;          /* calls permitted in half-open, >= 1 */
} SvBreakerPolicy;

typedef struct SvBreaker {
        SvBreakerPolicy policy;   /* max_wait resolved */
        SvBreakerState state;
        uint64_t outcomes[SV_BREAKER_WINDOW_MAX / 64]; /* ring of bits, 1 = failure */
        unsigned head;            /* next slot written */
        unsigned n;               /* outcomes in the window */
        unsigned failures;        /* failures in the window */
        usec_t current_wait;      /* of the present or next open period */
        usec_t opened_at;
        unsigned probes_permitted; /* in this half-open period */
        unsigned probes_succeeded;
        /* for metrics, never reset */
        uint64_t n_opened;        /* transitions to open */
        uint64_t n_rejected;      /* calls refused by sv_breaker_allow() */
        uint64_t n_calls;         /* outcomes recorded and counted */
        uint64_t n_failures;
} SvBreaker;

const char *sv_breaker_state_to_string(SvBreakerState s);
SvBreakerState sv_breaker_state_from_string(const char *s);

/* 0, or -EINVAL when the policy is out of the ranges above. */
int sv_breaker_policy_validate(const SvBreakerPolicy *p);
/* Closed, empty. 0 or -EINVAL (then *b is zeroed). */
int sv_breaker_init(SvBreaker *b, const SvBreakerPolicy *p);

/* May a call go through at `now`? Moves open -> half-open when the wait has passed, counts probes and
 * rejections. */
bool sv_breaker_allow(SvBreaker *b, usec_t now);
/* The outcome of a call that was allowed. */
void sv_breaker_record(SvBreaker *b, bool success, usec_t now);

SvBreakerState sv_breaker_state(const SvBreaker *b);
/* When open: the time at which calls are tried again (for a timer, not polling); else USEC_INFINITY. */
usec_t sv_breaker_retry_at(const SvBreaker *b);
/* Failure percentage of the window (rounded down), or -ENODATA below min_calls. */
int sv_breaker_failure_rate(const SvBreaker *b);
