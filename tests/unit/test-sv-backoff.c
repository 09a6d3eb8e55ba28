/* SPDX-License-Identifier: MIT */
/* Tests of the restart backoff policies (exponential, linear, adaptive, none), jitter spread and the PRNG. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "supervisor/core/backoff.h"
#include "supervisor/core/rng.h"
#include "util/xalloc.h"

#define MS USEC_PER_MSEC
#define S USEC_PER_SEC

static SvBackoffPolicy policy(BackoffKind kind, usec_t base, usec_t cap, double multiplier) {
        return (SvBackoffPolicy) {
                .kind = kind,
                .base = base,
                .cap = cap,
                .multiplier = multiplier,
                .jitter = 0.0,
                .min_uptime = 10 * S,
                .reset_after = 0,
        };
}

/* the delays of `n` successive deaths, each after living `uptime` */
static void expect_sequence(const SvBackoffPolicy *p, SvBackoff *b, usec_t uptime, const usec_t *want, size_t n) {
        for (size_t i = 0; i < n; i++) {
                usec_t got = sv_backoff_next(b, p, uptime, /* rng= */ NULL);
                if (got != want[i])
                        fail_msg("death %zu: delay %llu, expected %llu", i, (unsigned long long) got,
                                 (unsigned long long) want[i]);
        }
}

static void test_kind_strings(void **state) {
        (void) state;
        for (int k = 0; k < _BACKOFF_KIND_MAX; k++)
                assert_int_equal(backoff_kind_from_string(backoff_kind_to_string(k)), k);
        assert_string_equal(backoff_kind_to_string(BACKOFF_EXPONENTIAL), "exponential");
        assert_string_equal(backoff_kind_to_string(BACKOFF_NONE), "none");
        assert_null(backoff_kind_to_string(_BACKOFF_KIND_INVALID));
        assert_null(backoff_kind_to_string(_BACKOFF_KIND_MAX));
        assert_int_equal(backoff_kind_from_string("Exponential"), _BACKOFF_KIND_INVALID);
        assert_int_equal(backoff_kind_from_string(""), _BACKOFF_KIND_INVALID);
        assert_int_equal(backoff_kind_from_string(NULL), _BACKOFF_KIND_INVALID);
}

static void test_validate(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_EXPONENTIAL, 100 * MS, 30 * S, 2.0);
        assert_int_equal(sv_backoff_policy_validate(&p), 0);
        p.jitter = 1.0;
        assert_int_equal(sv_backoff_policy_validate(&p), 0);
        p.jitter = 1.01;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.jitter = -0.1;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.jitter = NAN;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.jitter = 0;
        p.multiplier = 0.5;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.multiplier = INFINITY;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.multiplier = 1.0;
        assert_int_equal(sv_backoff_policy_validate(&p), 0);
        p.cap = p.base - 1;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.cap = p.base;
        assert_int_equal(sv_backoff_policy_validate(&p), 0);
        p.kind = _BACKOFF_KIND_MAX;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
        p.kind = _BACKOFF_KIND_INVALID;
        assert_int_equal(sv_backoff_policy_validate(&p), -EINVAL);
}

static void test_exponential(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_EXPONENTIAL, 100 * MS, 1 * S, 2.0);
        SvBackoff b;
        sv_backoff_init(&b, &p);
        assert_int_equal(b.k, 0);
        static const usec_t want[] = { 100 * MS, 200 * MS, 400 * MS, 800 * MS, 1 * S, 1 * S, 1 * S };
        expect_sequence(&p, &b, 1 * S, want, ELEMENTSOF(want));
        assert_int_equal(b.k, ELEMENTSOF(want));

        /* a non-integer multiplier: 100ms * 1.5^k, rounded to the microsecond */
        p = policy(BACKOFF_EXPONENTIAL, 100 * MS, 1 * S, 1.5);
        sv_backoff_init(&b, &p);
        static const usec_t want15[] = { 100000, 150000, 225000, 337500, 506250, 759375, 1 * S };
        expect_sequence(&p, &b, 0, want15, ELEMENTSOF(want15));

        /* multiplier 1: constant */
        p = policy(BACKOFF_EXPONENTIAL, 250 * MS, 1 * S, 1.0);
        sv_backoff_init(&b, &p);
        static const usec_t want1[] = { 250 * MS, 250 * MS, 250 * MS };
        expect_sequence(&p, &b, 0, want1, ELEMENTSOF(want1));

        /* cap equal to base: always base */
        p = policy(BACKOFF_EXPONENTIAL, 1 * S, 1 * S, 2.0);
        sv_backoff_init(&b, &p);
        static const usec_t wantc[] = { 1 * S, 1 * S, 1 * S };
        expect_sequence(&p, &b, 0, wantc, ELEMENTSOF(wantc));
}

static void test_exponential_huge_k(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_EXPONENTIAL, 100 * MS, 30 * S, 2.0);
        SvBackoff b;
        sv_backoff_init(&b, &p);
        b.k = 63;
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 30 * S);
        b.k = 64;
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 30 * S);
        b.k = 5000; /* 2^5000 overflows a double: inf, clamped */
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 30 * S);
        b.k = UINT_MAX - 1;
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 30 * S);
        assert_int_equal(b.k, UINT_MAX);
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 30 * S);
        assert_int_equal(b.k, UINT_MAX); /* saturates */

        /* no cap at all: the largest representable delay, never a wrapped small one */
        p.cap = USEC_INFINITY;
        b.k = 100;
        assert_true(sv_backoff_next(&b, &p, 0, NULL) == USEC_INFINITY);
        b.k = 63; /* 100ms * 2^63 > 2^64 */
        assert_true(sv_backoff_next(&b, &p, 0, NULL) == USEC_INFINITY);
        b.k = 20; /* 100ms * 2^20, exact */
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 100 * MS << 20);
}

static void test_linear(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_LINEAR, 100 * MS, 250 * MS, 7.0 /* ignored */);
        SvBackoff b;
        sv_backoff_init(&b, &p);
        static const usec_t want[] = { 100 * MS, 200 * MS, 250 * MS, 250 * MS };
        expect_sequence(&p, &b, 0, want, ELEMENTSOF(want));

        p.cap = 10 * S;
        sv_backoff_init(&b, &p);
        static const usec_t want2[] = { 100 * MS, 200 * MS, 300 * MS, 400 * MS, 500 * MS };
        expect_sequence(&p, &b, 0, want2, ELEMENTSOF(want2));

        /* exactly reaching the cap */
        p.cap = 300 * MS;
        sv_backoff_init(&b, &p);
        static const usec_t want3[] = { 100 * MS, 200 * MS, 300 * MS, 300 * MS };
        expect_sequence(&p, &b, 0, want3, ELEMENTSOF(want3));

        /* base * (k+1) would overflow 64 bits */
        p = policy(BACKOFF_LINEAR, (usec_t) 1 << 40, USEC_INFINITY, 1.0);
        sv_backoff_init(&b, &p);
        b.k = UINT_MAX - 1;
        assert_true(sv_backoff_next(&b, &p, 0, NULL) == USEC_INFINITY);
        b.k = (1u << 24) - 1; /* 2^40 * 2^24 = 2^64: just too big */
        assert_true(sv_backoff_next(&b, &p, 0, NULL) == USEC_INFINITY);
        b.k = (1u << 23) - 1; /* 2^63: fits */
        assert_true(sv_backoff_next(&b, &p, 0, NULL) == (usec_t) 1 << 63);
}

static void test_zero_base_and_none(void **state) {
        (void) state;
        SvRng rng;
        sv_rng_seed(&rng, 1);
        for (int k = 0; k < _BACKOFF_KIND_MAX; k++) {
                SvBackoffPolicy p = policy(k, 0, 10 * S, 2.0);
                p.jitter = 0.5;
                SvBackoff b;
                sv_backoff_init(&b, &p);
                for (int i = 0; i < 50; i++)
                        assert_int_equal(sv_backoff_next(&b, &p, i % 2 ? 0 : 20 * S, &rng), 0);
        }

        /* none ignores base, jitter and k */
        SvBackoffPolicy p = policy(BACKOFF_NONE, 5 * S, 10 * S, 2.0);
        p.jitter = 1.0;
        SvBackoff b;
        sv_backoff_init(&b, &p);
        for (int i = 0; i < 10; i++)
                assert_int_equal(sv_backoff_next(&b, &p, 0, &rng), 0);
        b.k = UINT_MAX;
        assert_int_equal(sv_backoff_next(&b, &p, 0, &rng), 0);
}

static void test_adaptive(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_ADAPTIVE, 1 * S, 30 * S, 2.0);
        p.min_uptime = 10 * S;
        SvBackoff b;
        sv_backoff_init(&b, &p);

        /* short lives: grows by the multiplier up to the cap */
        static const usec_t grow[] = { 1 * S, 2 * S, 4 * S, 8 * S, 16 * S, 30 * S, 30 * S };
        expect_sequence(&p, &b, 9 * S, grow, ELEMENTSOF(grow));

        /* stable lives (>= min_uptime, exactly at it included): halves, never below base */
        static const usec_t shrink[] = { 15 * S, 7500 * MS, 3750 * MS, 1875 * MS, 1 * S, 1 * S };
        expect_sequence(&p, &b, 10 * S, shrink, ELEMENTSOF(shrink));

        /* unstable again: grows from where it is */
        static const usec_t regrow[] = { 2 * S, 4 * S };
        expect_sequence(&p, &b, 0, regrow, ELEMENTSOF(regrow));

        /* alternating */
        assert_int_equal(sv_backoff_next(&b, &p, 11 * S, NULL), 2 * S);
        assert_int_equal(sv_backoff_next(&b, &p, 1 * S, NULL), 4 * S);

        /* the first death after init is base whether or not the life was stable */
        sv_backoff_init(&b, &p);
        assert_int_equal(sv_backoff_next(&b, &p, 20 * S, NULL), 1 * S);
        sv_backoff_init(&b, &p);
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 1 * S);

        /* a non-integer multiplier */
        p.multiplier = 1.5;
        sv_backoff_init(&b, &p);
        static const usec_t grow15[] = { 1 * S, 1500 * MS, 2250 * MS, 3375 * MS };
        expect_sequence(&p, &b, 0, grow15, ELEMENTSOF(grow15));

        /* min_uptime 0: every life is stable, the delay stays base */
        p.min_uptime = 0;
        sv_backoff_init(&b, &p);
        static const usec_t flat[] = { 1 * S, 1 * S, 1 * S };
        expect_sequence(&p, &b, 0, flat, ELEMENTSOF(flat));

        /* huge growth stays at cap */
        p = policy(BACKOFF_ADAPTIVE, 1 * S, USEC_INFINITY, 1000.0);
        sv_backoff_init(&b, &p);
        for (int i = 0; i < 20; i++)
                sv_backoff_next(&b, &p, 0, NULL);
        assert_true(b.current == USEC_INFINITY);
        /* and halves from there after a stable life */
        assert_true(sv_backoff_next(&b, &p, 20 * S, NULL) == USEC_INFINITY / 2);
}

static void test_reset_after(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_EXPONENTIAL, 100 * MS, 10 * S, 2.0);
        p.reset_after = 60 * S;
        SvBackoff b;
        sv_backoff_init(&b, &p);
        static const usec_t want[] = { 100 * MS, 200 * MS, 400 * MS };
        expect_sequence(&p, &b, 1 * S, want, ELEMENTSOF(want));
        /* just short of reset_after: still counting */
        assert_int_equal(sv_backoff_next(&b, &p, 60 * S - 1, NULL), 800 * MS);
        /* the life that just ended lasted reset_after: starts again from k = 0 */
        assert_int_equal(sv_backoff_next(&b, &p, 60 * S, NULL), 100 * MS);
        assert_int_equal(b.k, 1);
        assert_int_equal(sv_backoff_next(&b, &p, 1 * S, NULL), 200 * MS);
        assert_int_equal(sv_backoff_next(&b, &p, 3600 * S, NULL), 100 * MS);

        /* linear resets too */
        p.kind = BACKOFF_LINEAR;
        sv_backoff_init(&b, &p);
        static const usec_t lin[] = { 100 * MS, 200 * MS, 300 * MS };
        expect_sequence(&p, &b, 0, lin, ELEMENTSOF(lin));
        assert_int_equal(sv_backoff_next(&b, &p, 61 * S, NULL), 100 * MS);

        /* adaptive: a long life forgets the grown delay, back to base (not merely halved) */
        p.kind = BACKOFF_ADAPTIVE;
        p.min_uptime = 10 * S;
        sv_backoff_init(&b, &p);
        static const usec_t ad[] = { 100 * MS, 200 * MS, 400 * MS, 800 * MS };
        expect_sequence(&p, &b, 0, ad, ELEMENTSOF(ad));
        assert_int_equal(sv_backoff_next(&b, &p, 60 * S, NULL), 100 * MS);

        /* 0 and infinity disable the reset */
        p.kind = BACKOFF_EXPONENTIAL;
        p.reset_after = 0;
        sv_backoff_init(&b, &p);
        expect_sequence(&p, &b, 1 * S, want, ELEMENTSOF(want));
        assert_int_equal(sv_backoff_next(&b, &p, USEC_INFINITY, NULL), 800 * MS);
        p.reset_after = USEC_INFINITY;
        assert_int_equal(sv_backoff_next(&b, &p, USEC_INFINITY, NULL), 1600 * MS);

        /* explicit reset */
        sv_backoff_reset(&b);
        assert_int_equal(b.k, 0);
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 100 * MS);
}

static void test_jitter_bounds(void **state) {
        (void) state;
        SvRng rng;
        sv_rng_seed(&rng, 42);
        SvBackoffPolicy p = policy(BACKOFF_EXPONENTIAL, 1 * S, 8 * S, 2.0);
        p.jitter = 0.25;
        SvBackoff b;
        usec_t lo_seen = USEC_INFINITY, hi_seen = 0;
        unsigned at_cap = 0;
        for (int round = 0; round < 2000; round++) {
                sv_backoff_init(&b, &p);
                b.k = (unsigned) (round % 5); /* d = 1, 2, 4, 8 (cap), 8 (cap) s */
                usec_t d = b.k >= 3 ? 8 * S : (1 * S << b.k);
                usec_t got = sv_backoff_next(&b, &p, 0, &rng);
                assert_true(b.current == d);
                assert_true(b.last == got);
                /* within [d(1-j), d(1+j)] (one microsecond of rounding) and never above cap */
                assert_true(got + 1 >= d - d / 4);
                assert_true(got <= d + d / 4 + 1);
                assert_true(got <= p.cap);
                if (d == 1 * S) {
                        lo_seen = got < lo_seen ? got : lo_seen;
                        hi_seen = got > hi_seen ? got : hi_seen;
                }
                if (got == p.cap)
                        at_cap++;
        }
        /* the draws cover most of [750ms, 1250ms] */
        assert_true(lo_seen < 760 * MS);
        assert_true(hi_seen > 1240 * MS);
        /* at the cap about half the draws are clamped, the other half spread below it */
        assert_true(at_cap > 300 && at_cap < 500);

        /* jitter 1: [0, 2d], capped */
        p.jitter = 1.0;
        p.cap = 100 * S;
        for (int i = 0; i < 1000; i++) {
                sv_backoff_init(&b, &p);
                usec_t got = sv_backoff_next(&b, &p, 0, &rng);
                assert_true(got <= 2 * S);
        }

        /* a NULL rng means no jitter */
        p.jitter = 0.5;
        sv_backoff_init(&b, &p);
        assert_int_equal(sv_backoff_next(&b, &p, 0, NULL), 1 * S);
}

/* 100 children crash together: their restart delays must be spread out, not in lockstep */
static void spread(const SvBackoffPolicy *p, bool shared, unsigned k, double *ret_stddev, usec_t *ret_range,
                   unsigned *ret_distinct) {
        enum { N = 100 };
        SvRng shared_rng, own[N];
        sv_rng_seed(&shared_rng, 7);
        usec_t d[N];
        double sum = 0, sum_sq = 0;
        usec_t lo = USEC_INFINITY, hi = 0;
        for (unsigned i = 0; i < N; i++) {
                sv_rng_seed(&own[i], 1000 + i);
                SvBackoff b;
                sv_backoff_init(&b, p);
                b.k = k;
                d[i] = sv_backoff_next(&b, p, 0, shared ? &shared_rng : &own[i]);
                sum += (double) d[i];
                sum_sq += (double) d[i] * (double) d[i];
                lo = d[i] < lo ? d[i] : lo;
                hi = d[i] > hi ? d[i] : hi;
        }
        double mean = sum / N;
        *ret_stddev = sqrt(fmax(0.0, sum_sq / N - mean * mean));
        *ret_range = hi - lo;
        unsigned distinct = 0;
        for (unsigned i = 0; i < N; i++) {
                bool seen = false;
                for (unsigned j = 0; j < i && !seen; j++)
                        seen = d[j] == d[i];
                distinct += !seen;
        }
        *ret_distinct = distinct;
}

static void test_no_lockstep(void **state) {
        (void) state;
        SvBackoffPolicy p = policy(BACKOFF_EXPONENTIAL, 1 * S, 60 * S, 2.0);
        p.jitter = 0.2;
        double sd;
        usec_t range;
        unsigned distinct;
        for (int shared = 0; shared <= 1; shared++)
                for (unsigned k = 0; k < 4; k++) {
                        usec_t d = 1 * S << k;
                        spread(&p, shared, k, &sd, &range, &distinct);
                        /* uniform over [0.8d, 1.2d]: stddev 0.4d/sqrt(12) = 0.115d, range close to 0.4d */
                        assert_true(sd > 0.08 * (double) d);
                        assert_true(sd < 0.15 * (double) d);
                        assert_true(range > d * 3 / 10);
                        assert_true(range <= d * 4 / 10 + 1);
                        assert_true(distinct >= 95);
                }

        /* jitter 0: all identical */
        p.jitter = 0;
        for (int shared = 0; shared <= 1; shared++) {
                spread(&p, shared, 2, &sd, &range, &distinct);
                assert_true(sd == 0.0);
                assert_int_equal(range, 0);
                assert_int_equal(distinct, 1);
        }
}

static void test_rng(void **state) {
        (void) state;
        SvRng a, b;
        sv_rng_seed(&a, 0);
        sv_rng_seed(&b, 0);
        bool nonzero = false;
        for (int i = 0; i < 100; i++) {
                uint64_t x = sv_rng_next(&a);
                assert_true(x == sv_rng_next(&b)); /* deterministic */
                nonzero |= x != 0;
        }
        assert_true(nonzero);

        /* reference: splitmix64(0) first output, which seeds s[0] */
        sv_rng_seed(&a, 0);
        assert_true(a.s[0] == UINT64_C(0xe220a8397b1dcdaf));

        sv_rng_seed(&a, 1);
        sv_rng_seed(&b, 2);
        assert_true(sv_rng_next(&a) != sv_rng_next(&b));

        double sum = 0;
        for (int i = 0; i < 100000; i++) {
                double x = sv_rng_double(&a);
                assert_true(x >= 0.0 && x < 1.0);
                sum += x;
        }
        assert_true(fabs(sum / 100000 - 0.5) < 0.01);

        unsigned hist[7] = { 0 };
        for (int i = 0; i < 70000; i++) {
                uint64_t x = sv_rng_below(&a, 7);
                assert_true(x < 7);
                hist[x]++;
        }
        for (int i = 0; i < 7; i++)
                assert_true(hist[i] > 9500 && hist[i] < 10500);
        assert_true(sv_rng_below(&a, 0) == 0);
        assert_true(sv_rng_below(&a, 1) == 0);
        (void) sv_rng_below(&a, UINT64_MAX);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kind_strings),
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_exponential),
                cmocka_unit_test(test_exponential_huge_k),
                cmocka_unit_test(test_linear),
                cmocka_unit_test(test_zero_base_and_none),
                cmocka_unit_test(test_adaptive),
                cmocka_unit_test(test_reset_after),
                cmocka_unit_test(test_jitter_bounds),
                cmocka_unit_test(test_no_lockstep),
                cmocka_unit_test(test_rng),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
