/* SPDX-License-Identifier: MIT */
/* Tests of health aggregation: the per-check debounce state machine, component and system status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "supervisor/core/aggregate.h"

#define U SV_CHECK_STATUS_UNKNOWN
#define P SV_CHECK_STATUS_PASSING
#define W SV_CHECK_STATUS_WARNING
#define C SV_CHECK_STATUS_CRITICAL

/* feeds "pwf" (pass, warn, fail) one by one and checks the status after each */
static void run(SvCheckState *s, const SvCheckThresholds *t, const char *results, const SvCheckStatus *want) {
        for (size_t i = 0; results[i]; i++) {
                SvCheckResult r = results[i] == 'p' ? SV_CHECK_PASS : results[i] == 'w' ? SV_CHECK_WARN : SV_CHECK_FAIL;
                SvCheckStatus got = sv_check_state_record(s, r, t);
                assert_int_equal(got, s->status);
                if (got != want[i])
                        fail_msg("result %zu ('%c' in \"%s\"): %s, expected %s", i, results[i], results,
                                 sv_check_status_to_string(got), sv_check_status_to_string(want[i]));
        }
}

static void test_strings(void **state) {
        (void) state;
        for (int i = 0; i < _SV_CHECK_STATUS_MAX; i++)
                assert_int_equal(sv_check_status_from_string(sv_check_status_to_string(i)), i);
        for (int i = 0; i < _SV_HEALTH_MAX; i++)
                assert_int_equal(sv_health_from_string(sv_health_to_string(i)), i);
        assert_string_equal(sv_check_status_to_string(U), "unknown");
        assert_string_equal(sv_check_status_to_string(C), "critical");
        assert_string_equal(sv_health_to_string(SV_HEALTH_DEGRADED), "degraded");
        assert_null(sv_check_status_to_string(_SV_CHECK_STATUS_INVALID));
        assert_null(sv_check_status_to_string(_SV_CHECK_STATUS_MAX));
        assert_null(sv_health_to_string(_SV_HEALTH_INVALID));
        assert_int_equal(sv_check_status_from_string("ok"), _SV_CHECK_STATUS_INVALID);
        assert_int_equal(sv_health_from_string(NULL), _SV_HEALTH_INVALID);
}

static void test_defaults_thresholds_one(void **state) {
        (void) state;
        SvCheckState s;
        sv_check_state_init(&s);
        assert_int_equal(s.status, U);
        assert_int_equal(s.last, _SV_CHECK_RESULT_INVALID);
        /* a zeroed state is unknown too */
        SvCheckState z;
        memset(&z, 0, sizeof(z));
        assert_int_equal(z.status, U);

        /* thresholds 0 and 1 behave the same: every result takes effect at once */
        for (unsigned v = 0; v <= 1; v++) {
                SvCheckThresholds t = { v, v };
                sv_check_state_init(&s);
                static const SvCheckStatus want[] = { C, P, W, C, W, P, P };
                run(&s, &t, "fpwfwpp", want);
        }
        assert_int_equal(s.last, SV_CHECK_PASS);
}

static void test_failures_before_critical(void **state) {
        (void) state;
        SvCheckThresholds t = { .failures_before_critical = 3, .successes_before_passing = 1 };
        SvCheckState s;
        sv_check_state_init(&s);
        /* passing; two fails warn, the third convicts; critical stays through more fails */
        static const SvCheckStatus w1[] = { P, W, W, C, C, C };
        run(&s, &t, "pfffff", w1);
        assert_int_equal(s.consecutive_failures, 5);

        /* a pass in between restarts the count */
        sv_check_state_init(&s);
        static const SvCheckStatus w2[] = { P, W, W, P, W, W, C };
        run(&s, &t, "pffpfff", w2);

        /* a warn in between restarts it too */
        sv_check_state_init(&s);
        static const SvCheckStatus w3[] = { W, W, W, W, W, C };
        run(&s, &t, "ffwfff", w3);

        /* from unknown, fails below the threshold are warnings */
        sv_check_state_init(&s);
        static const SvCheckStatus w4[] = { W, W, C };
        run(&s, &t, "fff", w4);

        /* the count saturates */
        s.consecutive_failures = UINT_MAX;
        assert_int_equal(sv_check_state_record(&s, SV_CHECK_FAIL, &t), C);
        assert_int_equal(s.consecutive_failures, UINT_MAX);
}

static void test_successes_before_passing(void **state) {
        (void) state;
        SvCheckThresholds t = { .failures_before_critical = 1, .successes_before_passing = 3 };
        SvCheckState s;
        sv_check_state_init(&s);
        /* from unknown the first pass is enough */
        static const SvCheckStatus w1[] = { P, C, C, C, P, P };
        run(&s, &t, "pfpppp", w1);
        assert_int_equal(s.consecutive_successes, 4);

        /* recovery interrupted by a fail starts over */
        sv_check_state_init(&s);
        static const SvCheckStatus w2[] = { C, C, C, C, C, C, P };
        run(&s, &t, "fppfppp", w2);

        /* a fail while recovering, below failures_before_critical, keeps it critical (no downgrade) */
        t.failures_before_critical = 3;
        sv_check_state_init(&s);
        static const SvCheckStatus w3[] = { W, W, C, C, C, C, C, C, P };
        run(&s, &t, "fffppfppp", w3);

        /* warning needs the passes too */
        sv_check_state_init(&s);
        static const SvCheckStatus w4[] = { P, W, W, W, P };
        run(&s, &t, "pwppp", w4);

        /* a warn from critical is a warning (the check answers), recovery still needs 3 passes */
        sv_check_state_init(&s);
        static const SvCheckStatus w5[] = { W, W, C, W, W, W, P };
        run(&s, &t, "fffwppp", w5);

        /* invalid results are ignored */
        SvCheckState before = s;
        assert_int_equal(sv_check_state_record(&s, _SV_CHECK_RESULT_INVALID, &t), P);
        assert_int_equal(sv_check_state_record(&s, _SV_CHECK_RESULT_MAX, &t), P);
        assert_memory_equal(&s, &before, sizeof(s));
}

static void test_worst_and_component(void **state) {
        (void) state;
        assert_int_equal(sv_health_worst(P, W), W);
        assert_int_equal(sv_health_worst(W, P), W);
        assert_int_equal(sv_health_worst(W, U), U);
        assert_int_equal(sv_health_worst(U, C), C);
        assert_int_equal(sv_health_worst(C, P), C);
        assert_int_equal(sv_health_worst(P, P), P);
        assert_int_equal(sv_health_worst(P, _SV_CHECK_STATUS_INVALID), C);
        assert_int_equal(sv_health_worst(_SV_CHECK_STATUS_MAX, P), C);

        assert_int_equal(sv_health_component(NULL, 0), P);
        static const SvCheckStatus a[] = { P, P, P };
        assert_int_equal(sv_health_component(a, 3), P);
        static const SvCheckStatus b[] = { P, W, P };
        assert_int_equal(sv_health_component(b, 3), W);
        static const SvCheckStatus c[] = { W, U, P };
        assert_int_equal(sv_health_component(c, 3), U);
        static const SvCheckStatus d[] = { U, C, W };
        assert_int_equal(sv_health_component(d, 3), C);
        static const SvCheckStatus e[] = { U };
        assert_int_equal(sv_health_component(e, 1), U);
}

static void test_system(void **state) {
        (void) state;
        assert_int_equal(sv_health_system(NULL, 0), SV_HEALTH_HEALTHY);
        static const SvHealthItem all_ok[] = { { P, true }, { P, false } };
        assert_int_equal(sv_health_system(all_ok, 2), SV_HEALTH_HEALTHY);
        /* a failing non-critical component only degrades */
        static const SvHealthItem noncrit_down[] = { { P, true }, { C, false } };
        assert_int_equal(sv_health_system(noncrit_down, 2), SV_HEALTH_DEGRADED);
        /* a critical component that is critical: unhealthy, whatever the order */
        static const SvHealthItem crit_down[] = { { C, false }, { W, false }, { C, true }, { P, true } };
        assert_int_equal(sv_health_system(crit_down, 4), SV_HEALTH_UNHEALTHY);
        static const SvHealthItem crit_first[] = { { C, true }, { C, false } };
        assert_int_equal(sv_health_system(crit_first, 2), SV_HEALTH_UNHEALTHY);
        /* a critical component that is only warning or unknown: degraded */
        static const SvHealthItem crit_warn[] = { { W, true }, { P, false } };
        assert_int_equal(sv_health_system(crit_warn, 2), SV_HEALTH_DEGRADED);
        static const SvHealthItem crit_unknown[] = { { U, true } };
        assert_int_equal(sv_health_system(crit_unknown, 1), SV_HEALTH_DEGRADED);
        static const SvHealthItem noncrit_warn[] = { { P, true }, { W, false } };
        assert_int_equal(sv_health_system(noncrit_warn, 2), SV_HEALTH_DEGRADED);
        /* an invalid status in a critical item is not trusted */
        static const SvHealthItem bogus[] = { { _SV_CHECK_STATUS_INVALID, true } };
        assert_int_equal(sv_health_system(bogus, 1), SV_HEALTH_UNHEALTHY);
}

/* the whole chain: checks -> component -> system */
static void test_end_to_end(void **state) {
        (void) state;
        SvCheckThresholds t = { .failures_before_critical = 2, .successes_before_passing = 2 };
        SvCheckState db, http, disk;
        sv_check_state_init(&db);
        sv_check_state_init(&http);
        sv_check_state_init(&disk);

        SvCheckStatus api_checks[2];
        SvHealthItem items[2];
#define ROLLUP()                                                                   \
        (api_checks[0] = db.status, api_checks[1] = http.status,                   \
         items[0] = (SvHealthItem) { sv_health_component(api_checks, 2), true },   \
         items[1] = (SvHealthItem) { disk.status, false },                         \
         sv_health_system(items, 2))

        assert_int_equal(ROLLUP(), SV_HEALTH_DEGRADED); /* nothing known yet */
        sv_check_state_record(&db, SV_CHECK_PASS, &t);
        sv_check_state_record(&http, SV_CHECK_PASS, &t);
        sv_check_state_record(&disk, SV_CHECK_PASS, &t);
        assert_int_equal(ROLLUP(), SV_HEALTH_HEALTHY);
        sv_check_state_record(&disk, SV_CHECK_FAIL, &t);
        sv_check_state_record(&disk, SV_CHECK_FAIL, &t);
        assert_int_equal(disk.status, C);
        assert_int_equal(ROLLUP(), SV_HEALTH_DEGRADED);
        sv_check_state_record(&db, SV_CHECK_FAIL, &t);
        assert_int_equal(ROLLUP(), SV_HEALTH_DEGRADED); /* one fail of two: warning */
        sv_check_state_record(&db, SV_CHECK_FAIL, &t);
        assert_int_equal(ROLLUP(), SV_HEALTH_UNHEALTHY);
        sv_check_state_record(&db, SV_CHECK_PASS, &t);
        assert_int_equal(ROLLUP(), SV_HEALTH_UNHEALTHY);
        sv_check_state_record(&db, SV_CHECK_PASS, &t);
        assert_int_equal(ROLLUP(), SV_HEALTH_DEGRADED); /* the disk still fails */
        sv_check_state_record(&disk, SV_CHECK_PASS, &t);
        sv_check_state_record(&disk, SV_CHECK_PASS, &t);
        assert_int_equal(ROLLUP(), SV_HEALTH_HEALTHY);
#undef ROLLUP
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_defaults_thresholds_one),
                cmocka_unit_test(test_failures_before_critical),
                cmocka_unit_test(test_successes_before_passing),
                cmocka_unit_test(test_worst_and_component),
                cmocka_unit_test(test_system),
                cmocka_unit_test(test_end_to_end),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
