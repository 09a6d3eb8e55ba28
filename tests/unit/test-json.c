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

static void test_records_layout(void **state) {
        (void) state;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_RECORDS);
        json_object_begin(&w);
        json_key(&w, "files");
        json_array_begin(&w);
        json_object_begin(&w);
        json_kv_string(&w, "path", "a");
        json_key(&w, "side");
        json_object_begin(&w);
        json_kv_int(&w, "line", 3);
        json_object_end(&w);
        json_key(&w, "tags");
        json_array_begin(&w);
        json_string(&w, "x");
        json_string(&w, "y");
        json_array_end(&w);
        json_object_end(&w);
        json_object_begin(&w);
        json_kv_string(&w, "path", "b");
        json_object_end(&w);
        json_array_end(&w);
        json_key(&w, "values");
        json_array_begin(&w);
        json_array_end(&w);
        json_kv_uint(&w, "n", 2);
        json_object_end(&w);
        assert_string_equal(b.s, "{\n"
                                 " \"files\": [\n"
                                 "  {\"path\": \"a\", \"side\": {\"line\": 3}, \"tags\": [\"x\", \"y\"]},\n"
                                 "  {\"path\": \"b\"}\n"
                                 " ],\n"
                                 " \"values\": [],\n"
                                 " \"n\": 2\n"
                                 "}");
        sb_free(&b);

        /* a top-level list of records, and an empty one */
        b = (StrBuf) {};
        w = json_writer(&b, JSON_RECORDS);
        json_array_begin(&w);
        for (int i = 1; i <= 2; i++) {
                json_object_begin(&w);
                json_kv_int(&w, "i", i);
                json_object_end(&w);
        }
        json_array_end(&w);
        json_array_begin(&w);
        json_array_end(&w);
        assert_string_equal(b.s, "[\n {\"i\": 1},\n {\"i\": 2}\n][]");
        sb_free(&b);
}

static void test_non_finite_doubles_are_null(void **state) {
        (void) state;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_COMPACT);
        json_array_begin(&w);
        json_double(&w, 1.0 / 0.0);
        json_double(&w, 0.0 / 0.0);
        json_double_fixed(&w, -1.0 / 0.0, 3);
        json_array_end(&w);
        assert_string_equal(b.s, "[null, null, null]");
        sb_free(&b);
}

static void test_fixed_doubles(void **state) {
        (void) state;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_COMPACT);
        json_object_begin(&w);
        json_key(&w, "ms");
        json_double_fixed(&w, 1234.0 / 1000.0, 3); /* not 1.2339999999999999 */
        json_key(&w, "phi");
        json_double_fixed(&w, 0.0, 3);
        json_key(&w, "n");
        json_double_fixed(&w, 2.5, 0);
        json_object_end(&w);
        assert_string_equal(b.s, "{\"ms\": 1.234, \"phi\": 0.000, \"n\": 2}");
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
                cmocka_unit_test(test_records_layout),
                cmocka_unit_test(test_non_finite_doubles_are_null),
                cmocka_unit_test(test_fixed_doubles),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_invalid_utf8_becomes_replacement),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
