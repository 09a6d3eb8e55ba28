/* SPDX-License-Identifier: MIT */
/* Tests of the circuit breaker: every transition, the window, the threshold, wait doubling and probes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "supervisor/core/breaker.h"

#define MS USEC_PER_MSEC
#define S USEC_PER_SEC

static const SvBreakerPolicy base_policy = {
        .window = 10,
        .min_calls = 5,
        .failure_rate = 50,
        .wait = 1 * S,
        .max_wait = 8 * S,
        .probes = 2,
};

/* n calls allowed and recorded with the given outcome */
static void calls(SvBreaker *b, unsigned n, bool success, usec_t now) {
        for (unsigned i = 0; i < n; i++) {
                assert_true(sv_breaker_allow(b, now));
                sv_breaker_record(b, success, now);
        }
}

static void test_state_strings(void **state) {
        (void) state;
        for (int s = 0; s < _SV_BREAKER_STATE_MAX; s++)
                assert_int_equal(sv_breaker_state_from_string(sv_breaker_state_to_string(s)), s);
        assert_string_equal(sv_breaker_state_to_string(SV_BREAKER_HALF_OPEN), "half-open");
        assert_null(sv_breaker_state_to_string(_SV_BREAKER_STATE_INVALID));
        assert_null(sv_breaker_state_to_string(_SV_BREAKER_STATE_MAX));
        assert_int_equal(sv_breaker_state_from_string("half_open"), _SV_BREAKER_STATE_INVALID);
        assert_int_equal(sv_breaker_state_from_string(NULL), _SV_BREAKER_STATE_INVALID);
}

static void test_validate(void **state) {
        (void) state;
        SvBreaker b;
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_true(sv_breaker_retry_at(&b) == USEC_INFINITY);

        SvBreakerPolicy p;
#define BAD(field, value)                                                     \
        do {                                                                  \
                p = base_policy;                                              \
                p.field = (value);                                            \
                memset(&b, 0x55, sizeof(b));                                  \
                assert_int_equal(sv_breaker_init(&b, &p), -EINVAL);           \
                assert_int_equal(b.n_opened, 0);                              \
        } while (0)
        BAD(window, 0);
        BAD(window, SV_BREAKER_WINDOW_MAX + 1);
        BAD(min_calls, 0);
        BAD(min_calls, 11);
        BAD(failure_rate, 0);
        BAD(failure_rate, 101);
        BAD(wait, 0);
        BAD(wait, USEC_INFINITY);
        BAD(max_wait, 999 * MS);
        BAD(probes, 0);
#undef BAD
        p = base_policy;
        p.window = SV_BREAKER_WINDOW_MAX;
        p.min_calls = SV_BREAKER_WINDOW_MAX;
        p.failure_rate = 100;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        /* max_wait 0: 32 times wait */
        p = base_policy;
        p.max_wait = 0;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        assert_int_equal(b.policy.max_wait, 32 * S);
        p.wait = USEC_INFINITY / 2;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        assert_true(b.policy.max_wait == USEC_INFINITY);
}

static void test_min_calls(void **state) {
        (void) state;
        SvBreaker b;
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        /* 4 failures out of 4: 100%, but fewer than min_calls */
        calls(&b, 4, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_int_equal(sv_breaker_failure_rate(&b), -ENODATA);
        /* the 5th call makes the rate count */
        calls(&b, 1, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
        assert_int_equal(b.n_opened, 1);
        assert_int_equal(sv_breaker_failure_rate(&b), 100);

        /* the 5th call succeeding: 4/5 = 80% >= 50% opens too */
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        calls(&b, 4, false, 0);
        calls(&b, 1, true, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);

        /* empty */
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        assert_int_equal(sv_breaker_failure_rate(&b), -ENODATA);
}

static void test_threshold(void **state) {
        (void) state;
        SvBreaker b;
        /* exactly at the threshold opens: 5 failures of 10 = 50% */
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        calls(&b, 6, true, 0);
        calls(&b, 4, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_int_equal(sv_breaker_failure_rate(&b), 40);
        calls(&b, 1, false, 0); /* window: 5 successes, 5 failures (the oldest success slid out) */
        assert_int_equal(b.n, 10);
        assert_int_equal(b.failures, 5);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);

        /* just below: 33% with a 34% threshold stays closed; 1 of 3 with min_calls 3 */
        SvBreakerPolicy p = base_policy;
        p.window = 3;
        p.min_calls = 3;
        p.failure_rate = 34;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        calls(&b, 2, true, 0);
        calls(&b, 1, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        p.failure_rate = 33; /* 1 * 100 >= 33 * 3: opens (no rounding in the comparison) */
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        calls(&b, 2, true, 0);
        calls(&b, 1, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);

        /* the window slides: old failures are forgotten */
        p = base_policy;
        p.window = 4;
        p.min_calls = 4;
        p.failure_rate = 75;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        calls(&b, 2, false, 0);
        calls(&b, 2, true, 0); /* 50% */
        calls(&b, 2, true, 0); /* both failures slid out: 0% */
        assert_int_equal(sv_breaker_failure_rate(&b), 0);
        calls(&b, 2, false, 0); /* 50% */
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        calls(&b, 1, false, 0); /* 75% */
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);

        /* 100% threshold: only all-failures opens */
        p = base_policy;
        p.failure_rate = 100;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        calls(&b, 1, true, 0);
        calls(&b, 9, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        calls(&b, 1, false, 0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);

        /* a big window across the word boundaries of the bit ring: the failure count matches a shadow ring */
        p = base_policy;
        p.window = SV_BREAKER_WINDOW_MAX;
        p.min_calls = SV_BREAKER_WINDOW_MAX;
        p.failure_rate = 70;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        bool shadow[3 * SV_BREAKER_WINDOW_MAX];
        for (unsigned i = 0; i < 3 * SV_BREAKER_WINDOW_MAX; i++) {
                shadow[i] = i % 3 != 0 && i % 11 != 0; /* under 2 failures in 3: below 70% */
                calls(&b, 1, !shadow[i], 0);
                unsigned want = 0;
                for (unsigned j = i + 1 > SV_BREAKER_WINDOW_MAX ? i + 1 - SV_BREAKER_WINDOW_MAX : 0; j <= i; j++)
                        want += shadow[j];
                assert_int_equal(b.failures, want);
        }
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_int_equal(b.n, SV_BREAKER_WINDOW_MAX);
        /* failures only: opens once 70% of 256 (180) are failures */
        unsigned extra = 0;
        while (sv_breaker_state(&b) == SV_BREAKER_CLOSED) {
                calls(&b, 1, false, 0);
                extra++;
                assert_true(extra <= SV_BREAKER_WINDOW_MAX);
        }
        assert_true(b.failures * 100 >= 70 * SV_BREAKER_WINDOW_MAX);
        assert_true((b.failures - 1) * 100 < 70 * SV_BREAKER_WINDOW_MAX);
}

static void test_open_rejects_then_half_open(void **state) {
        (void) state;
        SvBreaker b;
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        usec_t t0 = 100 * S;
        calls(&b, 5, false, t0);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
        assert_int_equal(sv_breaker_retry_at(&b), t0 + 1 * S);

        assert_false(sv_breaker_allow(&b, t0));
        assert_false(sv_breaker_allow(&b, t0 + 1 * S - 1));
        assert_int_equal(b.n_rejected, 2);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);

        /* a late outcome while open changes nothing */
        sv_breaker_record(&b, true, t0 + 500 * MS);
        sv_breaker_record(&b, false, t0 + 500 * MS);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
        assert_int_equal(b.n_calls, 5);

        /* exactly at the end of the wait: half-open, 2 probes permitted, the 3rd rejected */
        assert_true(sv_breaker_allow(&b, t0 + 1 * S));
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_HALF_OPEN);
        assert_true(sv_breaker_retry_at(&b) == USEC_INFINITY);
        assert_true(sv_breaker_allow(&b, t0 + 1 * S));
        assert_false(sv_breaker_allow(&b, t0 + 1 * S));
        assert_false(sv_breaker_allow(&b, t0 + 100 * S)); /* still waiting for the probes' outcomes */
        assert_int_equal(b.n_rejected, 4);
        assert_int_equal(b.probes_permitted, 2);

        /* all probes succeed: closed, empty window */
        sv_breaker_record(&b, true, t0 + 2 * S);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_HALF_OPEN);
        sv_breaker_record(&b, true, t0 + 2 * S);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_int_equal(b.n, 0);
        assert_int_equal(sv_breaker_failure_rate(&b), -ENODATA);
        assert_int_equal(b.current_wait, 1 * S);
        assert_true(sv_breaker_allow(&b, t0 + 2 * S));
        /* closed again: needs min_calls anew */
        calls(&b, 4, false, t0 + 3 * S);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        calls(&b, 1, false, t0 + 3 * S);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
        assert_int_equal(b.n_opened, 2);
        assert_int_equal(sv_breaker_retry_at(&b), t0 + 4 * S);

        /* the transition happens on allow() after the wait, however late */
        assert_true(sv_breaker_allow(&b, t0 + 1000 * S));
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_HALF_OPEN);
}

static void test_probe_failure_doubles_wait(void **state) {
        (void) state;
        SvBreaker b;
        assert_int_equal(sv_breaker_init(&b, &base_policy), 0);
        usec_t now = 0;
        calls(&b, 5, false, now);
        static const usec_t waits[] = { 1 * S, 2 * S, 4 * S, 8 * S, 8 * S, 8 * S };
        for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
                assert_int_equal(sv_breaker_state(&b), SV_BREAKER_OPEN);
                assert_int_equal(b.current_wait, waits[i]);
                assert_int_equal(sv_breaker_retry_at(&b), now + waits[i]);
                assert_false(sv_breaker_allow(&b, now + waits[i] - 1));
                now += waits[i];
                assert_true(sv_breaker_allow(&b, now));
                /* the first probe succeeds, the second fails: any failure reopens */
                assert_true(sv_breaker_allow(&b, now));
                sv_breaker_record(&b, true, now);
                assert_int_equal(sv_breaker_state(&b), SV_BREAKER_HALF_OPEN);
                sv_breaker_record(&b, false, now);
        }
        assert_int_equal(b.n_opened, 7);

        /* closing resets the wait to the initial one */
        now += 8 * S;
        calls(&b, 2, true, now);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_int_equal(b.current_wait, 1 * S);
        calls(&b, 5, false, now);
        assert_int_equal(sv_breaker_retry_at(&b), now + 1 * S);

        /* a cap that is not a power-of-two multiple: 3 s -> 5 s -> 5 s */
        SvBreakerPolicy p = base_policy;
        p.wait = 3 * S;
        p.max_wait = 5 * S;
        p.probes = 1;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        now = 0;
        calls(&b, 5, false, now);
        static const usec_t waits2[] = { 3 * S, 5 * S, 5 * S };
        for (size_t i = 0; i < sizeof(waits2) / sizeof(waits2[0]); i++) {
                assert_int_equal(b.current_wait, waits2[i]);
                now += waits2[i];
                assert_true(sv_breaker_allow(&b, now));
                assert_false(sv_breaker_allow(&b, now)); /* one probe only */
                sv_breaker_record(&b, false, now);
        }

        /* default cap 32 x wait, and no overflow near the top of the clock */
        p = base_policy;
        p.max_wait = 0;
        p.probes = 1;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        now = USEC_INFINITY - 10 * S;
        calls(&b, 5, false, now);
        for (int i = 0; i < 10; i++) {
                b.state = SV_BREAKER_HALF_OPEN; /* skip the wait, which would pass the end of the clock */
                sv_breaker_record(&b, false, now);
        }
        assert_int_equal(b.current_wait, 32 * S);
        assert_true(sv_breaker_retry_at(&b) == USEC_INFINITY);
        assert_false(sv_breaker_allow(&b, USEC_INFINITY - 1));
}

static void test_half_open_single_probe(void **state) {
        (void) state;
        SvBreakerPolicy p = base_policy;
        p.probes = 1;
        SvBreaker b;
        assert_int_equal(sv_breaker_init(&b, &p), 0);
        calls(&b, 5, false, 0);
        assert_true(sv_breaker_allow(&b, 1 * S));
        assert_false(sv_breaker_allow(&b, 1 * S));
        sv_breaker_record(&b, true, 1 * S);
        assert_int_equal(sv_breaker_state(&b), SV_BREAKER_CLOSED);
        assert_int_equal(b.n_calls, 6);
        assert_int_equal(b.n_failures, 5);
        assert_int_equal(b.n_rejected, 1);
        assert_int_equal(b.n_opened, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_state_strings),
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_min_calls),
                cmocka_unit_test(test_threshold),
                cmocka_unit_test(test_open_rejects_then_half_open),
                cmocka_unit_test(test_probe_failure_doubles_wait),
                cmocka_unit_test(test_half_open_single_probe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
