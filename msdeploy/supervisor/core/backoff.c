/* SPDX-License-Identifier: MIT */
/* Restart delay computation: exponential, linear and adaptive backoff with jitter, pure and overflow-safe. */
#include "supervisor/core/backoff.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

int sv_backoff_policy_validate(const SvBackoffPolicy *p) {
        assert(p);
        if ((unsigned) p->kind >= _BACKOFF_KIND_MAX)
                return -EINVAL;
        if (p->cap < p->base)
                return -EINVAL;
        if (!isfinite(p->multiplier) || p->multiplier < 1.0)
                return -EINVAL;
        if (!(p->jitter >= 0.0 && p->jitter <= 1.0)) /* also rejects NaN */
                return -EINVAL;
        return 0;
}

void sv_backoff_init(SvBackoff *b, const SvBackoffPolicy *p) {
        assert(b);
        assert(p);
        *b = (SvBackoff) {};
}

void sv_backoff_reset(SvBackoff *b) {
        assert(b);
        *b = (SvBackoff) {};
}

/* d as usec_t, rounded to nearest, or cap when d is at least cap or not a number */
static usec_t clamp_to_cap(double d, usec_t cap) {
        if (!(d < (double) cap)) /* also NaN */
                return cap;
        if (d <= 0.0)
                return 0;
        /* d < (double) cap <= 2^64, so d <= 2^64 - 2048 and d + 0.5 still fits */
        usec_t v = (usec_t) (d + 0.5);
        return v < cap ? v : cap;
}

static double multiplier_of(const SvBackoffPolicy *p) {
        return isfinite(p->multiplier) && p->multiplier >= 1.0 ? p->multiplier : 1.0;
}

static usec_t delay_exponential(const SvBackoffPolicy *p, usec_t cap, unsigned k) {
        if (p->base == 0)
                return 0; /* 0 * inf would be NaN */
        /* pow() of a huge k is inf, which clamps to cap: no integer overflow possible */
        return clamp_to_cap((double) p->base * pow(multiplier_of(p), (double) k), cap);
}

static usec_t delay_linear(const SvBackoffPolicy *p, usec_t cap, unsigned k) {
        if (p->base == 0)
                return 0;
        usec_t steps = (usec_t) k + 1;
        if (steps > cap / p->base)
                return cap;
        return p->base * steps;
}

static usec_t delay_adaptive(const SvBackoffPolicy *p, usec_t cap, usec_t previous, usec_t uptime) {
        usec_t base = p->base < cap ? p->base : cap;
        if (previous == 0)
                return base;
        if (uptime >= p->min_uptime) {
                usec_t half = previous / 2;
                return half > base ? half : base;
        }
        return clamp_to_cap((double) previous * multiplier_of(p), cap);
}

static usec_t apply_jitter(usec_t d, const SvBackoffPolicy *p, usec_t cap, SvRng *rng) {
        if (!rng || d == 0 || !(p->jitter > 0.0))
                return d;
        double j = p->jitter < 1.0 ? p->jitter : 1.0;
        double f = 1.0 + j * (2.0 * sv_rng_double(rng) - 1.0); /* [1-j, 1+j) */
        return clamp_to_cap((double) d * f, cap);
}

usec_t sv_backoff_next(SvBackoff *b, const SvBackoffPolicy *p, usec_t uptime, SvRng *rng) {
        assert(b);
        assert(p);

        if (p->reset_after != 0 && p->reset_after != USEC_INFINITY && uptime >= p->reset_after)
                sv_backoff_reset(b);

        usec_t cap = p->cap;
        usec_t d;
        switch (p->kind) {
        case BACKOFF_EXPONENTIAL:
                d = delay_exponential(p, cap, b->k);
                break;
        case BACKOFF_LINEAR:
                d = delay_linear(p, cap, b->k);
                break;
        case BACKOFF_ADAPTIVE:
                d = delay_adaptive(p, cap, b->current, uptime);
                break;
        case BACKOFF_NONE:
        default:
                d = 0;
                break;
        }

        if (b->k < UINT_MAX)
                b->k++;
        b->current = d;
        b->last = apply_jitter(d, p, cap, rng);
        return b->last;
}
