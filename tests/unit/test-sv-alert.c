/* SPDX-License-Identifier: MIT */
/* Tests for supervisor/core/alert.c: rule validation, firing after consecutive breaches, hysteresis on
 * clearing, the journal fields of an edge and the /metrics of alert instances. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/core/alert.h"

static void assert_contains(const char *text, const char *line) {
        if (!strstr(text, line))
                fail_msg("missing '%s' in:\n%s", line, text);
}

static void test_strings(void **state) {
        (void) state;
        for (int i = 0; i < _SV_ALERT_METRIC_MAX; i++)
                assert_int_equal(sv_alert_metric_from_string(sv_alert_metric_to_string(i)), i);
        assert_string_equal(sv_alert_metric_to_string(SV_ALERT_TCP_ESTABLISHED), "tcp_established");
        assert_null(sv_alert_metric_to_string(_SV_ALERT_METRIC_MAX));
        assert_int_equal(sv_alert_metric_from_string(NULL), _SV_ALERT_METRIC_INVALID);
}

static const SvAlertRule mem_rule = {
        .name = "memory-high",
        .metric = SV_ALERT_MEMORY_PERCENT,
        .threshold = 90,
        .clear = 80,
        .breaches = 3,
};

static void test_validate(void **state) {
        (void) state;
        assert_int_equal(sv_alert_rule_validate(&mem_rule), 0);
        SvAlertRule r = mem_rule;
        r.clear = 91;
        assert_int_equal(sv_alert_rule_validate(&r), -EINVAL);
        r = mem_rule;
        r.breaches = 0;
        assert_int_equal(sv_alert_rule_validate(&r), -EINVAL);
        r = mem_rule;
        r.name = NULL;
        assert_int_equal(sv_alert_rule_validate(&r), -EINVAL);
        r = mem_rule;
        r.metric = _SV_ALERT_METRIC_MAX;
        assert_int_equal(sv_alert_rule_validate(&r), -EINVAL);
        r = mem_rule;
        r.threshold = NAN;
        assert_int_equal(sv_alert_rule_validate(&r), -EINVAL);
        r = mem_rule;
        r.clear = r.threshold; /* no hysteresis is allowed */
        assert_int_equal(sv_alert_rule_validate(&r), 0);
}

static void test_edges(void **state) {
        (void) state;
        SvAlertState st;
        sv_alert_state_init(&st);
        assert_true(isnan(st.last_value));
        /* two breaches, then a sample at the threshold (not above it) ends the streak */
        assert_int_equal(sv_alert_update(&st, &mem_rule, 95), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 95), SV_ALERT_EDGE_NONE);
        assert_int_equal(st.streak, 2);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 90), SV_ALERT_EDGE_NONE);
        assert_int_equal(st.streak, 0);
        /* a missing value ends it too */
        assert_int_equal(sv_alert_update(&st, &mem_rule, 95), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, NAN), SV_ALERT_EDGE_NONE);
        assert_int_equal(st.streak, 0);
        /* three in a row fire, once */
        assert_int_equal(sv_alert_update(&st, &mem_rule, 91), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 99), SV_ALERT_EDGE_NONE);
        assert_false(st.firing);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 92), SV_ALERT_EDGE_FIRED);
        assert_true(st.firing);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 97), SV_ALERT_EDGE_NONE);
        /* hysteresis: below the threshold but not below clear keeps it firing; no data keeps it too */
        assert_int_equal(sv_alert_update(&st, &mem_rule, 85), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 80), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, NAN), SV_ALERT_EDGE_NONE);
        assert_true(st.firing);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 79.9), SV_ALERT_EDGE_CLEARED);
        assert_false(st.firing);
        assert_true(st.last_value == 79.9);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 50), SV_ALERT_EDGE_NONE);
        /* after clearing it takes a full streak again */
        assert_int_equal(sv_alert_update(&st, &mem_rule, 95), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 95), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &mem_rule, 95), SV_ALERT_EDGE_FIRED);

        /* one breach is enough with breaches = 1 */
        SvAlertRule once = { .name = "pids", .metric = SV_ALERT_PIDS, .threshold = 100, .clear = 100, .breaches = 1 };
        sv_alert_state_init(&st);
        assert_int_equal(sv_alert_update(&st, &once, 101), SV_ALERT_EDGE_FIRED);
        assert_int_equal(sv_alert_update(&st, &once, 100), SV_ALERT_EDGE_NONE);
        assert_int_equal(sv_alert_update(&st, &once, 99), SV_ALERT_EDGE_CLEARED);
}

static void test_journal_fields(void **state) {
        (void) state;
        char *f[SV_ALERT_JOURNAL_FIELDS];
        size_t n = 0;
        assert_int_equal(sv_alert_journal_fields(&mem_rule, "x.service", 95.5, /* fired= */ true, f, &n), 0);
        assert_int_equal(n, 9);
        const char *const firing[] = {
                "MESSAGE=Alert 'memory-high' firing for 'x.service': memory_percent 95.5 above 90",
                "PRIORITY=4", "MSD_ALERT=memory-high", "MSD_METRIC=memory_percent", "MSD_TARGET=x.service",
                "MSD_VALUE=95.5", "MSD_THRESHOLD=90", "MSD_CLEAR=80", "MSD_STATE=firing",
        };
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(f[i], firing[i]);
                free(f[i]);
        }
        assert_int_equal(sv_alert_journal_fields(&mem_rule, "x.service", 79, /* fired= */ false, f, &n), 0);
        assert_string_equal(f[0], "MESSAGE=Alert 'memory-high' cleared for 'x.service': memory_percent 79 below 80");
        assert_string_equal(f[1], "PRIORITY=5");
        assert_string_equal(f[8], "MSD_STATE=cleared");
        for (size_t i = 0; i < n; i++)
                free(f[i]);

        SvAlertRule bad = mem_rule;
        bad.breaches = 0;
        assert_int_equal(sv_alert_journal_fields(&bad, "x", 1, true, f, &n), -EINVAL);
        assert_int_equal(sv_alert_journal_fields(&mem_rule, NULL, 1, true, f, &n), -EINVAL);
}

static void test_metrics(void **state) {
        (void) state;
        SvAlertInstance a[2] = {
                { .rule = &mem_rule, .target = "x.service" },
                { .rule = &mem_rule, .target = "y.service" },
        };
        sv_alert_state_init(&a[0].state);
        sv_alert_state_init(&a[1].state);
        a[1].state.firing = true;
        StrBuf b = { 0 };
        sv_alert_metrics(&b, "mister-smith", a, 2);
        assert_contains(b.s, "# TYPE msd_alert_firing gauge\n");
#define A "msd_alert_firing{project=\"mister-smith\",alert=\"memory-high\",target="
        assert_contains(b.s, A "\"x.service\"} 0\n");
        assert_contains(b.s, A "\"y.service\"} 1\n");
#undef A
        sb_free(&b);
        sv_alert_metrics(&b, "mister-smith", a, 0);
        assert_int_equal(b.len, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),        cmocka_unit_test(test_validate),
                cmocka_unit_test(test_edges),          cmocka_unit_test(test_journal_fields),
                cmocka_unit_test(test_metrics),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
