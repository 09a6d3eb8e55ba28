/* SPDX-License-Identifier: MIT */
/* Tests for util/enum-table.h: both directions of a table, values outside it, and every model enum's names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "spec/model.h"
#include "util/enum-table.h"

typedef enum Color {
        COLOR_RED,
        COLOR_UNNAMED, /* a value the table leaves out */
        COLOR_DARK_GREEN,
        _COLOR_MAX,
        _COLOR_INVALID = -1,
} Color;

static const char *const color_table[_COLOR_MAX] = {
        [COLOR_RED] = "red",
        [COLOR_DARK_GREEN] = "dark-green",
};
ENUM_STRING_TABLE(color, Color, _COLOR_MAX)

static void test_both_directions(void **state) {
        (void) state;
        assert_string_equal(color_to_string(COLOR_RED), "red");
        assert_string_equal(color_to_string(COLOR_DARK_GREEN), "dark-green");
        assert_int_equal(color_from_string("red"), COLOR_RED);
        assert_int_equal(color_from_string("dark-green"), COLOR_DARK_GREEN);
}

static void test_outside_the_table(void **state) {
        (void) state;
        assert_null(color_to_string(_COLOR_INVALID));
        assert_null(color_to_string(_COLOR_MAX));
        assert_null(color_to_string(COLOR_UNNAMED));
        assert_int_equal(color_from_string(NULL), _COLOR_INVALID);
        assert_int_equal(color_from_string(""), _COLOR_INVALID);
        assert_int_equal(color_from_string("Red"), _COLOR_INVALID);
        assert_int_equal(color_from_string("dark"), _COLOR_INVALID);
}

/* Every value of a model enum has a name that reads back as the same value, and the table ends in NULL
 * (the schema takes it as its list of allowed values). */
#define ASSERT_ROUND_TRIP(name, max)                                                        \
        do {                                                                                \
                for (int v = 0; v < (max); v++) {                                           \
                        const char *s = name##_to_string(v);                                \
                        assert_non_null(s);                                                 \
                        assert_ptr_equal(s, name##_table[v]);                               \
                        assert_int_equal(name##_from_string(s), v);                         \
                }                                                                           \
                assert_null(name##_table[(max)]);                                           \
                assert_null(name##_to_string(max));                                         \
                assert_int_equal(name##_from_string("no such value"), -1);                  \
        } while (0)

static void test_model_enums(void **state) {
        (void) state;
        ASSERT_ROUND_TRIP(service_type, _SERVICE_TYPE_MAX);
        ASSERT_ROUND_TRIP(restart_policy, _RESTART_POLICY_MAX);
        ASSERT_ROUND_TRIP(hardening_profile, _HARDENING_PROFILE_MAX);
        ASSERT_ROUND_TRIP(health_kind, _HEALTH_KIND_MAX);
        ASSERT_ROUND_TRIP(strategy, _STRATEGY_MAX);
        ASSERT_ROUND_TRIP(backoff_kind, _BACKOFF_KIND_MAX);
        ASSERT_ROUND_TRIP(child_restart, _CHILD_RESTART_MAX);
        ASSERT_ROUND_TRIP(readiness, _READINESS_MAX);
        assert_string_equal(restart_policy_to_string(RESTART_ON_WATCHDOG), "on-watchdog");
        assert_int_equal(strategy_from_string("rest_for_one"), STRATEGY_REST_FOR_ONE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_both_directions),
                cmocka_unit_test(test_outside_the_table),
                cmocka_unit_test(test_model_enums),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
