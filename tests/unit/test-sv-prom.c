/* SPDX-License-Identifier: MIT */
/* Tests of the Prometheus text writer: families, labels and their escaping, number spelling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "supervisor/core/prom.h"
#include "util/xalloc.h"

static char *value_text(double v) {
        StrBuf b = {};
        sv_prom_value(&b, v);
        return sb_take(&b, NULL);
}

#define assert_value(v, expected)                          \
        do {                                               \
                _cleanup_free_ char *_s = value_text(v);   \
                assert_string_equal(_s, expected);         \
        } while (0)

static void test_family_and_samples(void **state) {
        (void) state;
        StrBuf b = {};
        sv_prom_family(&b, "msd_child_restarts_total", "counter", "Restarts of a child since the supervisor started.");
        sv_prom_sample(&b, "msd_child_restarts_total", (const char *const[]) { "supervisor", "root", "child", "db", NULL }, 3);
        sv_prom_sample(&b, "msd_child_restarts_total", (const char *const[]) { "supervisor", "root", "child", "web", NULL }, 0);
        sv_prom_family(&b, "msd_up", "gauge", NULL);
        sv_prom_sample(&b, "msd_up", NULL, 1);
        sv_prom_sample(&b, "msd_up", (const char *const[]) { NULL }, 1);
        assert_string_equal(b.s,
                            "# HELP msd_child_restarts_total Restarts of a child since the supervisor started.\n"
                            "# TYPE msd_child_restarts_total counter\n"
                            "msd_child_restarts_total{supervisor=\"root\",child=\"db\"} 3\n"
                            "msd_child_restarts_total{supervisor=\"root\",child=\"web\"} 0\n"
                            "# TYPE msd_up gauge\n"
                            "msd_up 1\n"
                            "msd_up 1\n");
        sb_free(&b);
}

static void test_escaping(void **state) {
        (void) state;
        StrBuf b = {};
        sv_prom_family(&b, "x", "gauge", "back\\slash \"quoted\"\nsecond line");
        sv_prom_sample(&b, "x", (const char *const[]) { "path", "C:\\dir\\\"a\"\nb", "empty", "", NULL }, 2.5);
        assert_string_equal(b.s,
                            "# HELP x back\\\\slash \"quoted\"\\nsecond line\n"
                            "# TYPE x gauge\n"
                            "x{path=\"C:\\\\dir\\\\\\\"a\\\"\\nb\",empty=\"\"} 2.5\n");
        sb_free(&b);
}

static void test_numbers(void **state) {
        (void) state;
        assert_value(0, "0");
        assert_value(-0.0, "0");
        assert_value(42, "42");
        assert_value(-7, "-7");
        assert_value(1e15, "1000000000000000");
        assert_value(9007199254740992.0, "9007199254740992");
        assert_value(1e20, "1e+20");
        assert_value(0.1, "0.1");
        assert_value(-2.5, "-2.5");
        assert_value(1.0 / 3.0, "0.33333333333333331");
        assert_value(0.000001, "1e-06");
        assert_value(NAN, "NaN");
        assert_value(INFINITY, "+Inf");
        assert_value(-INFINITY, "-Inf");
}

static void test_names(void **state) {
        (void) state;
        assert_true(sv_prom_name_is_valid("msd_up"));
        assert_true(sv_prom_name_is_valid("ns:rule_total"));
        assert_true(sv_prom_name_is_valid("_x9"));
        assert_false(sv_prom_name_is_valid(""));
        assert_false(sv_prom_name_is_valid("9x"));
        assert_false(sv_prom_name_is_valid("a-b"));
        assert_true(sv_prom_label_name_is_valid("child"));
        assert_false(sv_prom_label_name_is_valid("__name__"));
        assert_false(sv_prom_label_name_is_valid("a:b"));
        assert_false(sv_prom_label_name_is_valid("1a"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_family_and_samples),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
