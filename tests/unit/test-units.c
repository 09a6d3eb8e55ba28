/* SPDX-License-Identifier: MIT */
/* Tests of value parsing and formatting: durations, sizes, percentages, modes, escaping, suggestions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "util/escape.h"
#include "util/suggest.h"
#include "util/units.h"

static void test_durations(void **state) {
        (void) state;
        usec_t u;
        assert_int_equal(parse_duration("500ms", &u), 0);
        assert_int_equal(u, 500 * USEC_PER_MSEC);
        assert_int_equal(parse_duration("1min 30s", &u), 0);
        assert_int_equal(u, 90 * USEC_PER_SEC);
        assert_int_equal(parse_duration("2h", &u), 0);
        assert_int_equal(u, 7200 * USEC_PER_SEC);
        assert_int_equal(parse_duration("45", &u), 0);
        assert_int_equal(u, 45 * USEC_PER_SEC);
        assert_int_equal(parse_duration("infinity", &u), 0);
        assert_true(u == USEC_INFINITY);
        assert_int_equal(parse_duration("", &u), -EINVAL);
        assert_int_equal(parse_duration("5 parsecs", &u), -EINVAL);
        assert_int_equal(parse_duration("-5s", &u), -EINVAL);
        assert_int_equal(parse_duration("99999999999999999999d", &u), -ERANGE);
        char buf[64];
        assert_string_equal(format_duration(buf, sizeof(buf), 90 * USEC_PER_SEC), "1min 30s");
        assert_string_equal(format_duration(buf, sizeof(buf), 250 * USEC_PER_MSEC), "250ms");
        assert_string_equal(format_duration(buf, sizeof(buf), 0), "0");
        assert_string_equal(format_duration(buf, sizeof(buf), USEC_INFINITY), "infinity");
        /* round trip */
        assert_int_equal(parse_duration(format_duration(buf, sizeof(buf), 3723 * USEC_PER_SEC + 5000), &u), 0);
        assert_int_equal(u, 3723 * USEC_PER_SEC + 5000);
}

static void test_sizes(void **state) {
        (void) state;
        uint64_t v;
        assert_int_equal(parse_size("8G", &v), 0);
        assert_int_equal(v, 8ULL << 30);
        assert_int_equal(parse_size("1.5G", &v), 0);
        assert_int_equal(v, 3ULL << 29);
        assert_int_equal(parse_size("512MiB", &v), 0);
        assert_int_equal(v, 512ULL << 20);
        assert_int_equal(parse_size("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size("infinity", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_size("8 gigs", &v), -EINVAL);
        assert_int_equal(parse_size("1.5", &v), -EINVAL);
        assert_int_equal(parse_size("-1G", &v), -EINVAL);
        assert_int_equal(parse_size("99999E", &v), -ERANGE);
        char buf[64];
        assert_string_equal(format_size(buf, sizeof(buf), 3ULL << 29), "1536M");
        assert_string_equal(format_size(buf, sizeof(buf), 8ULL << 30), "8G");
        assert_string_equal(format_size(buf, sizeof(buf), 1000), "1000");
}

static void test_percent_mode_uint_bool(void **state) {
        (void) state;
        uint64_t v;
        mode_t m;
        bool b;
        assert_int_equal(parse_percent("800%", &v), 0);
        assert_int_equal(v, 800);
        assert_int_equal(parse_percent("80", &v), -EINVAL);
        assert_int_equal(parse_percent("%", &v), -EINVAL);
        assert_int_equal(parse_mode("0750", &m), 0);
        assert_int_equal(m, 0750);
        assert_int_equal(parse_mode("640", &m), 0);
        assert_int_equal(m, 0640);
        assert_int_equal(parse_mode("0999", &m), -EINVAL);
        assert_int_equal(parse_mode("77777", &m), -ERANGE);
        assert_int_equal(parse_uint("10", 1, 5, &v), -ERANGE);
        assert_int_equal(parse_uint("-1", 0, 5, &v), -EINVAL);
        assert_int_equal(parse_uint("3x", 0, 5, &v), -EINVAL);
        assert_int_equal(parse_bool("yes", &b), 0);
        assert_true(b);
        assert_int_equal(parse_bool("off", &b), 0);
        assert_false(b);
        assert_int_equal(parse_bool("maybe", &b), -EINVAL);
}

static void test_escape_and_suggest(void **state) {
        (void) state;
        char buf[32];
        assert_string_equal(escape_value(buf, sizeof(buf), "a\nb\x07"), "a\\nb\\x07");
        assert_string_equal(escape_value(buf, 12, "abcdefghijklmnop"), "abcdefgh...");
        /* invisible or unprintable characters: C1, separators, U+FEFF, noncharacters; others as they are */
        assert_string_equal(escape_value(buf, sizeof(buf), "\xc2\x85\xe2\x80\xa8\xef\xbb\xbf"), "\\u0085\\u2028\\ufeff");
        assert_string_equal(escape_value(buf, sizeof(buf), "\xef\xb7\x90\xef\xbf\xbe\xf0\x9f\xbf\xbf"), "\\ufdd0\\ufffe\\U0001ffff");
        assert_string_equal(escape_value(buf, sizeof(buf), "é\xc2\xa0\xf0\x9f\x98\x80 \xff"), "é\xc2\xa0\xf0\x9f\x98\x80 \xff");
        assert_string_equal(escape_value(buf, 11, "abcdef\xe2\x82\xac\xe2\x82\xac"), "abcdef...");
        assert_true(escape_word_plain("Mister-smith_2.0", "_.-"));
        assert_false(escape_word_plain("a b", "_.-"));
        assert_false(escape_word_plain("a%b", "_.-"));
        assert_true(escape_word_plain("a%b", "%"));
        assert_false(escape_word_plain("", "_.-"));
        assert_false(escape_word_plain("caf\xc3\xa9", "_.-")); /* ASCII only */
        static const char *const words[] = { "restart", "resources", "requires", NULL };
        assert_string_equal(suggest_closest("restrat", words, sizeof(char *)), "restart");
        assert_string_equal(suggest_closest("resource", words, sizeof(char *)), "resources");
        assert_null(suggest_closest("xyz", words, sizeof(char *)));
        assert_int_equal(edit_distance("kitten", "sitting"), 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_durations),
                cmocka_unit_test(test_sizes),
                cmocka_unit_test(test_percent_mode_uint_bool),
                cmocka_unit_test(test_escape_and_suggest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
