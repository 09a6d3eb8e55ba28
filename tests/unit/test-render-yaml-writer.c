/* SPDX-License-Identifier: MIT */
/* Tests for render/yaml_writer.c: scalar quoting and block structure, read back with libyaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/render-check.h"
#include "render/yaml_writer.h"
#include "util/xalloc.h"

static void assert_scalar(const char *in, const char *expected) {
        StrBuf b = {};
        yaml_quote(&b, in);
        assert_string_equal(b.s, expected);
        sb_free(&b);
}

static void test_quote(void **state) {
        (void) state;
        assert_scalar("mister-smith", "mister-smith");
        assert_scalar("30s", "30s");
        assert_scalar("1min 30s", "1min 30s");
        assert_scalar("http://127.0.0.1:9091/health", "http://127.0.0.1:9091/health");
        assert_scalar("/opt/x --role planner", "/opt/x --role planner");
        assert_scalar("", "\"\"");
        assert_scalar("127.0.0.1:9091", "\"127.0.0.1:9091\"");
        assert_scalar("8080", "\"8080\"");
        assert_scalar("1:30", "\"1:30\"");
        assert_scalar("0x1F", "\"0x1F\"");
        assert_scalar("2001-12-14", "\"2001-12-14\"");
        assert_scalar(".inf", "\".inf\"");
        assert_scalar("yes", "\"yes\"");
        assert_scalar("Off", "\"Off\"");
        assert_scalar("null", "\"null\"");
        assert_scalar("~", "\"~\"");
        assert_scalar("a: b", "\"a: b\"");
        assert_scalar("a #b", "\"a #b\"");
        assert_scalar("{{ $labels.unit }}", "\"{{ $labels.unit }}\"");
        assert_scalar("-x", "\"-x\"");
        assert_scalar("say \"hi\"\\", "\"say \\\"hi\\\"\\\\\"");
        assert_scalar("tab\tnl\n\x01", "\"tab\\tnl\\n\\x01\"");
        assert_scalar("trailing ", "\"trailing \"");
        assert_scalar("key:", "\"key:\"");
        /* YAML 1.1 implicit types: timestamps (any separator, zone or case), sexagesimal, binary, octal, floats */
        assert_scalar("2001-12-14T21:59:43Z", "\"2001-12-14T21:59:43Z\"");
        assert_scalar("2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\"");
        assert_scalar("2001-12-14 21:59:43.10 -5", "\"2001-12-14 21:59:43.10 -5\"");
        assert_scalar("2001-12-14 21:59:43.10 Z", "\"2001-12-14 21:59:43.10 Z\"");
        assert_scalar("2001-1-4T1:59:43", "\"2001-1-4T1:59:43\"");
        assert_scalar("190:20:30", "\"190:20:30\"");
        assert_scalar("190:20:30.15", "\"190:20:30.15\"");
        assert_scalar("0b1010_0111", "\"0b1010_0111\"");
        assert_scalar("0o17", "\"0o17\"");
        assert_scalar("0777", "\"0777\"");
        assert_scalar("1_000", "\"1_000\"");
        assert_scalar("6.8523015e+5", "\"6.8523015e+5\"");
        assert_scalar(".NaN", "\".NaN\"");
        assert_scalar("-.INF", "\"-.INF\"");
        /* not a YAML type: plain */
        assert_scalar("2001-12-14-backup", "2001-12-14-backup");
        /* escapes: C1 controls, line and paragraph separators, byte order mark, U+FFFE and U+FFFF */
        assert_scalar("a\xc2\x85" "b", "\"a\\x85b\"");
        assert_scalar("\xc2\x80\xc2\x9f\x7f", "\"\\x80\\x9F\\x7F\"");
        assert_scalar("a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"");
        assert_scalar("\xef\xbb\xbfx\xef\xbf\xbe\xef\xbf\xbf", "\"\\uFEFFx\\uFFFE\\uFFFF\"");
        assert_scalar("\xc2\xa0é\xf0\x9f\x98\x80", "\"\xc2\xa0é\xf0\x9f\x98\x80\"");
        assert_scalar("bad \xff", "\"bad \\uFFFD\"");
}

/* Every awkward string survives a trip through the writer and libyaml unchanged. */
static void test_roundtrip(void **state) {
        (void) state;
        static const char *const values[] = {
                "plain", "", "yes", "127.0.0.1:9091", "a: b", "- x", "[1]", "{a}", "*anchor", "&a", "!tag", "|", ">",
                "'single'", "\"double\"", "back\\slash", "%percent", "@at", "`tick`", "x # y", "é", "tab\there", "1e5",
                "nel\xc2\x85here", "c1\xc2\x80\xc2\x9f", "del\x7f", "ls\xe2\x80\xa8ps\xe2\x80\xa9", "\xef\xbb\xbf\x62om",
                "non\xef\xbf\xbe\xef\xbf\xbf",
                "\x01\x1b[0m", "cr\r", "2001-12-14T21:59:43Z",
        };
        StrBuf b = {};
        YamlWriter y = { .b = &b };
        yaml_open(&y, "list");
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                yaml_item(&y);
                yaml_str(&y, "v", values[i]);
                yaml_uint(&y, "n", i);
                yaml_end(&y);
        }
        yaml_end(&y);
        assert_true(check_yaml_valid(b.s));
        assert_int_equal(check_yaml_len(b.s, "list"), (int) ELEMENTSOF(values));
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                char path[32];
                snprintf(path, sizeof(path), "list.%zu.v", i);
                char *v = check_yaml_get(b.s, path, NULL);
                assert_non_null(v);
                assert_string_equal(v, values[i]);
                free(v);
        }
        sb_free(&b);
}

static void test_structure(void **state) {
        (void) state;
        StrBuf b = {};
        YamlWriter y = { .b = &b };
        yaml_uint(&y, "version", 1);
        yaml_open(&y, "groups");
        yaml_item(&y);
        yaml_str(&y, "name", "g");
        yaml_open(&y, "rules");
        yaml_item(&y);
        yaml_str(&y, "alert", "A");
        yaml_double(&y, "x", 0.2);
        yaml_bool(&y, "b", true);
        yaml_end(&y);
        yaml_end(&y);
        yaml_empty_list(&y, "none");
        yaml_end(&y);
        yaml_end(&y);
        yaml_open(&y, "names");
        yaml_list_str(&y, "a b");
        yaml_end(&y);
        yaml_duration(&y, "d", 90 * USEC_PER_SEC);
        yaml_duration(&y, "inf", USEC_INFINITY);
        assert_string_equal(b.s, "version: 1\n"
                                 "groups:\n"
                                 "  - name: g\n"
                                 "    rules:\n"
                                 "      - alert: A\n"
                                 "        x: 0.2\n"
                                 "        b: true\n"
                                 "    none: []\n"
                                 "names:\n"
                                 "  - a b\n"
                                 "d: 1min 30s\n"
                                 "inf: infinity\n");
        assert_true(check_yaml_valid(b.s));
        sb_free(&b);
}

/* libyaml refuses an implicit key over 1024 characters: long keys take the explicit form, at any depth. */
static void test_long_key(void **state) {
        (void) state;
        static const size_t lengths[] = { 999, 1000, 1001, 1100, 5000 };
        for (size_t i = 0; i < ELEMENTSOF(lengths); i++) {
                char *key = xmalloc(lengths[i] + 1);
                memset(key, 'k', lengths[i]);
                key[lengths[i]] = '\0';
                key[lengths[i] / 2] = '"'; /* quoted: the written key is longer still */
                StrBuf b = {};
                YamlWriter y = { .b = &b };
                yaml_str(&y, key, "top");
                yaml_open(&y, "list");
                yaml_item(&y);
                yaml_str(&y, key, "first");
                yaml_str(&y, "after", "x");
                yaml_end(&y);
                yaml_end(&y);
                assert_true(check_yaml_valid(b.s));
                StrBuf path = {};
                sb_printf(&path, "list.0.%s", key);
                char *top = check_yaml_get(b.s, key, NULL), *first = check_yaml_get(b.s, path.s, NULL),
                     *after = check_yaml_get(b.s, "list.0.after", NULL);
                assert_non_null(top);
                assert_non_null(first);
                assert_non_null(after);
                assert_string_equal(top, "top");
                assert_string_equal(first, "first");
                assert_string_equal(after, "x");
                free(top);
                free(first);
                free(after);
                sb_free(&path);
                sb_free(&b);
                free(key);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_quote),
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_structure),
                cmocka_unit_test(test_long_key),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
