/* SPDX-License-Identifier: MIT */
/* Circuit breaker state machine: a bit ring of the last N outcomes and a doubling open period. */
#include "supervisor/core/breaker.h"

#include <assert.h>
#include <errno.h>

#include "util/enum-table.h"

static const char *const sv_breaker_state_table[_SV_BREAKER_STATE_MAX] = {
        [SV_BREAKER_CLOSED] = "closed",
        [SV_BREAKER_OPEN] = "open",
        [SV_BREAKER_HALF_OPEN] = "half-open",
};
ENUM_STRING_TABLE(sv_breaker_state, SvBreakerState, _SV_BREAKER_STATE_MAX)

int sv_breaker_policy_validate(const SvBreakerPolicy *p) {
        assert(p);
        if (p->window == 0 || p->window > SV_BREAKER_WINDOW_MAX)
                return -EINVAL;
        if (p->min_calls == 0 || p->min_calls > p->window)
                return -EINVAL;
        if (p->failure_rate == 0 || p->failure_rate > 100)
                return -EINVAL;
        if (p->wait == 0 || p->wait == USEC_INFINITY)
                return -EINVAL;
        if (p->max_wait != 0 && p->max_wait < p->wait)
                return -EINVAL;
        if (p->probes == 0)
                return -EINVAL;
        return 0;
}

static void window_clear(SvBreaker *b) {
        memset(b->outcomes, 0, sizeof(b->outcomes));
        b->head = b->n = b->failures = 0;
}

int sv_breaker_init(SvBreaker *b, const SvBreakerPolicy *p) {
        assert(b);
        *b = (SvBreaker) {};
        int r = sv_breaker_policy_validate(p);
        if (r < 0)
                return r;
        b->policy = *p;
        if (b->policy.max_wait == 0)
                b->policy.max_wait = p->wait > USEC_INFINITY / 32 ? USEC_INFINITY : p->wait * 32;
        b->state = SV_BREAKER_CLOSED;
        b->current_wait = p->wait;
        return 0;
}

static bool bit_get(const SvBreaker *b, unsigned i) {
        return b->outcomes[i / 64] >> (i % 64) & 1;
}

static void bit_set(SvBreaker *b, unsigned i, bool v) {
        uint64_t m = UINT64_C(1) << (i % 64);
        if (v)
                b->outcomes[i / 64] |= m;
        else
                b->outcomes[i / 64] &= ~m;
}

static void window_push(SvBreaker *b, bool failure) {
        if (b->n == b->policy.window)
                b->failures -= bit_get(b, b->head);
        else
                b->n++;
        bit_set(b, b->head, failure);
        b->failures += failure;
        b->head = b->head + 1 == b->policy.window ? 0 : b->head + 1;
}

static void open_at(SvBreaker *b, usec_t now) {
        b->state = SV_BREAKER_OPEN;
        b->opened_at = now;
        b->probes_permitted = b->probes_succeeded = 0;
        b->n_opened++;
}

bool sv_breaker_allow(SvBreaker *b, usec_t now) {
        assert(b);
        switch (b->state) {
        case SV_BREAKER_CLOSED:
                return true;
        case SV_BREAKER_OPEN:
                if (now < sv_breaker_retry_at(b)) {
                        b->n_rejected++;
                        return false;
                }
                b->state = SV_BREAKER_HALF_OPEN;
                b->probes_permitted = b->probes_succeeded = 0;
                __attribute__((fallthrough));
        case SV_BREAKER_HALF_OPEN:
                if (b->probes_permitted < b->policy.probes) {
                        b->probes_permitted++;
                        return true;
                }
                b->n_rejected++;
                return false;
        default:
                assert(!"bad breaker state");
                return false;
        }
}

void sv_breaker_record(SvBreaker *b, bool success, usec_t now) {
        assert(b);
        switch (b->state) {
        case SV_BREAKER_CLOSED:
                b->n_calls++;
                b->n_failures += !success;
                window_push(b, !success);
                if (b->n >= b->policy.min_calls &&
                    (uint64_t) b->failures * 100 >= (uint64_t) b->policy.failure_rate * b->n)
                        open_at(b, now);
                break;
        case SV_BREAKER_HALF_OPEN:
                b->n_calls++;
                b->n_failures += !success;
                if (!success) {
                        b->current_wait = b->current_wait > b->policy.max_wait / 2 ? b->policy.max_wait
                                                                                   : b->current_wait * 2;
                        open_at(b, now);
                } else if (++b->probes_succeeded >= b->policy.probes) {
                        b->state = SV_BREAKER_CLOSED;
                        b->current_wait = b->policy.wait;
                        window_clear(b);
                }
                break;
        case SV_BREAKER_OPEN:
        default:
                break; /* a late outcome of a call allowed before opening */
        }
}

SvBreakerState sv_breaker_state(const SvBreaker *b) {
        assert(b);
        return b->state;
}

usec_t sv_breaker_retry_at(const SvBreaker *b) {
        assert(b);
        if (b->state != SV_BREAKER_OPEN)
                return USEC_INFINITY;
        return b->current_wait > USEC_INFINITY - b->opened_at ? USEC_INFINITY : b->opened_at + b->current_wait;
}

int sv_breaker_failure_rate(const SvBreaker *b) {
        assert(b);
        if (b->n == 0 || b->n < b->policy.min_calls)
                return -ENODATA;
        return (int) (b->failures * 100u / b->n);
}
