/* SPDX-License-Identifier: MIT */
/* Tests for util/utf8.c: well-formed sequences of every length, and each way a sequence can be malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/utf8.h"

static size_t len_of(const char *s) {
        return utf8_sequence_length((const unsigned char *) s, strlen(s));
}

static void test_well_formed(void **state) {
        (void) state;
        assert_int_equal(len_of("a"), 1);
        assert_int_equal(len_of("\x7f"), 1);
        assert_int_equal(len_of("\xc3\xa9"), 2);         /* é */
        assert_int_equal(len_of("\xe2\x82\xac"), 3);     /* € */
        assert_int_equal(len_of("\xed\x9f\xbf"), 3);     /* U+D7FF, just below the surrogates */
        assert_int_equal(len_of("\xf0\x9f\x98\x80"), 4); /* 😀 */
        assert_int_equal(len_of("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF, the last code point */
}

static void test_malformed(void **state) {
        (void) state;
        assert_int_equal(len_of("\x80"), 0);             /* a continuation byte alone */
        assert_int_equal(len_of("\xc0\xaf"), 0);         /* overlong '/' */
        assert_int_equal(len_of("\xe0\x80\xaf"), 0);     /* overlong, three bytes */
        assert_int_equal(len_of("\xf0\x80\x80\xaf"), 0); /* overlong, four bytes */
        assert_int_equal(len_of("\xed\xa0\x80"), 0);     /* a surrogate */
        assert_int_equal(len_of("\xf4\x90\x80\x80"), 0); /* above U+10FFFF */
        assert_int_equal(len_of("\xf5\x80\x80\x80"), 0);
        assert_int_equal(len_of("\xff"), 0);
        assert_int_equal(len_of("\xe2\x82"), 0);         /* cut short */
        assert_int_equal(len_of("\xe2\x82x"), 0);        /* not continued */
        assert_int_equal(utf8_sequence_length((const unsigned char *) "\xe2\x82\xac", 2), 0); /* n counts */
}

static uint32_t code_point_of(const char *s) {
        return utf8_code_point((const unsigned char *) s, len_of(s));
}

static void test_code_point(void **state) {
        (void) state;
        assert_int_equal(code_point_of("a"), 'a');
        assert_int_equal(code_point_of("\xc2\x85"), 0x85);         /* NEL, the last byte a continuation */
        assert_int_equal(code_point_of("\xc3\xa9"), 0xe9);         /* é */
        assert_int_equal(code_point_of("\xe2\x80\xa8"), 0x2028);   /* line separator */
        assert_int_equal(code_point_of("\xef\xbb\xbf"), 0xfeff);   /* byte order mark */
        assert_int_equal(code_point_of("\xef\xbf\xbf"), 0xffff);
        assert_int_equal(code_point_of("\xf0\x9f\x98\x80"), 0x1f600);
        assert_int_equal(code_point_of("\xf4\x8f\xbf\xbf"), 0x10ffff);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_well_formed),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_code_point),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
