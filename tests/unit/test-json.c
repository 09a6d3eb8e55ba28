/* SPDX-License-Identifier: MIT */
/* Tests for util/json.c: layout of the writer and string escaping (tests/integration/test-json.c reads them back with jq). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/json.h"

static char *quoted(const char *s, size_t n) {
        StrBuf b = {};
        json_quoten(&b, s, n);
        return sb_take(&b, NULL);
}

static void assert_quote(const char *in, const char *expected) {
        char *q = quoted(in, strlen(in));
        assert_string_equal(q, expected);
        free(q);
}

static void test_compact_layout(void **state) {
        (void) state;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_COMPACT);
        json_object_begin(&w);
        json_kv_string(&w, "status", "healthy");
        json_kv_int(&w, "n", -3);
        json_kv_uint(&w, "big", UINT64_MAX);
        json_kv_bool(&w, "ok", true);
        json_key(&w, "list");
        json_array_begin(&w);
        json_string(&w, "a");
        json_null(&w);
        json_double(&w, 0.5);
        json_object_begin(&w);
        json_object_end(&w);
        json_array_end(&w);
        json_key(&w, "empty");
        json_array_begin(&w);
        json_array_end(&w);
        json_kv_string(&w, "none", NULL);
        json_object_end(&w);
        assert_string_equal(b.s, "{\"status\": \"healthy\", \"n\": -3, \"big\": 18446744073709551615, \"ok\": true, "
                                 "\"list\": [\"a\", null, 0.5, {}], \"empty\": [], \"none\": null}");
        sb_free(&b);
}

static void test_pretty_layout(void **state) {
        (void) state;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_int(&w, "format_version", 1);
        json_key(&w, "items");
        json_array_begin(&w);
        json_object_begin(&w);
        json_kv_string(&w, "path", "/etc/x");
        json_object_end(&w);
        json_array_end(&w);
        json_object_end(&w);
        assert_string_equal(b.s, "{\n  \"format_version\": 1,\n  \"items\": [\n    {\n      \"path\": \"/etc/x\"\n    }\n  ]\n}");
        sb_free(&b);
}

static void test_non_finite_doubles_are_null(void **state) {
        (void) state;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_COMPACT);
        json_array_begin(&w);
        json_double(&w, 1.0 / 0.0);
        json_double(&w, 0.0 / 0.0);
        json_array_end(&w);
        assert_string_equal(b.s, "[null, null]");
        sb_free(&b);
}

static void test_escapes(void **state) {
        (void) state;
        assert_quote("plain", "\"plain\"");
        assert_quote("a\"b\\c", "\"a\\\"b\\\\c\"");
        assert_quote("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"");
        assert_quote("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        assert_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
        assert_quote("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
}

static void test_invalid_utf8_becomes_replacement(void **state) {
        (void) state;
        assert_quote("\xff", "\"\\ufffd\"");
        assert_quote("\xc0\xaf", "\"\\ufffd\\ufffd\"");         /* overlong '/' */
        assert_quote("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
        assert_quote("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
        assert_quote("a\xe2\x82", "\"a\\ufffd\\ufffd\"");            /* truncated */
        char *q = quoted("a\0b", 3);
        assert_string_equal(q, "\"a\\u0000b\"");
        free(q);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_compact_layout),
                cmocka_unit_test(test_pretty_layout),
                cmocka_unit_test(test_non_finite_doubles_are_null),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_invalid_utf8_becomes_replacement),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
