/* SPDX-License-Identifier: MIT */
/* Tests of the JSON reader of msdeploy's own documents: every JSON value kind into the node tree, escapes
 * decoded, and malformed text refused with its line and column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "install/doc.h"
#include "util/xalloc.h"

static void test_values(void **state) {
        (void) state;
        const char *text = "{\n  \"s\": \"a\\\"b\\\\c\\/\\n\\t\\u00e9\\ud83d\\ude00\",\n  \"n\": -12.5e+3, \"z\": 0,\n"
                           "  \"t\": true, \"f\": false, \"nil\": null,\n  \"list\": [1, \"two\", [], {}],\n  \"raw\": \"caf\xc3\xa9\"\n}\n";
        Doc d;
        Diags diags = {};
        assert_int_equal(doc_parse("t.json", text, strlen(text), &d, &diags), 0);
        assert_int_equal(diags.n, 0);
        assert_string_equal(node_get_scalar(d.root, "s"), "a\"b\\c/\n\t\xc3\xa9\xf0\x9f\x98\x80");
        assert_string_equal(node_get_scalar(d.root, "n"), "-12.5e+3");
        assert_string_equal(node_get_scalar(d.root, "z"), "0");
        assert_string_equal(node_get_scalar(d.root, "t"), "true");
        assert_string_equal(node_get_scalar(d.root, "f"), "false");
        assert_string_equal(node_get_scalar(d.root, "raw"), "caf\xc3\xa9");
        assert_true(node_get(d.root, "s")->quoted);
        assert_false(node_get(d.root, "n")->quoted);
        assert_int_equal(node_get(d.root, "nil")->kind, NODE_NULL);
        const Node *l = node_get(d.root, "list");
        assert_int_equal(l->kind, NODE_SEQ);
        assert_int_equal(l->n, 4);
        assert_string_equal(l->items[1]->scalar, "two");
        assert_int_equal(l->items[2]->kind, NODE_SEQ);
        assert_int_equal(l->items[3]->kind, NODE_MAP);
        assert_int_equal(node_get(d.root, "list")->loc.line, 5);
        assert_int_equal(node_get(d.root, "list")->loc.col, 11);
        doc_done(&d);
}

static void test_refused(void **state) {
        (void) state;
        const struct {
                const char *text, *why;
        } cases[] = {
                { "[1]", "1:1: the document is not an object" },
                { "", "the text ends where a value must be" },
                { "{\"a\": 1,}", "1:9: expected a key" },
                { "{\"a\": 1 \"b\": 2}", "1:9: expected ',' or '}'" },
                { "{\"a\": [1 2]}", "1:10: expected ',' or ']'" },
                { "{\"a\": 1}\n{}", "2:1: text after the end of the document" },
                { "{\"a\": 1, \"a\": 2}", "key 'a' given twice" },
                { "{\"a\": \"x\ny\"}", "a control character in a string" },
                { "{\"a\": \"\\x\"}", "invalid escape" },
                { "{\"a\": \"\\u0000\"}", "a NUL character" },
                { "{\"a\": \"\\ud800x\"}", "a lone UTF-16 surrogate" },
                { "{\"a\": \"\\udc00\"}", "a lone UTF-16 surrogate" },
                { "{\"a\": \"\xc3(\"}", "invalid UTF-8" },
                { "{\"a\": \"open", "a string is not closed" },
                { "{\"a\": 01}", "invalid number" },
                { "{\"a\": 1.}", "invalid number" },
                { "{\"a\": -}", "invalid number" },
                { "{\"a\": tru}", "unexpected character 't'" },
                { "{\"a\": 'x'}", "unexpected character" },
                { "{\"a\": 1", "expected ',' or '}'" },
                { "{\"a\"}", "expected ':' after a key" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Doc d;
                Diags diags = {};
                assert_int_equal(doc_parse("t.json", cases[i].text, strlen(cases[i].text), &d, &diags), -EBADMSG);
                assert_int_equal(diags.n_errors, 1); /* the first problem only */
                const char *err = diags.items[0].msg;
                if (!strstr(err, cases[i].why) || !strstr(err, "t.json: not a JSON object: "))
                        fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].why);
                diags_clear(&diags);
        }
}

static void test_depth_bound(void **state) {
        (void) state;
        StrBuf b = {};
        sb_append(&b, "{\"a\": ");
        for (int i = 0; i < 100000; i++)
                sb_putc(&b, '[');
        Doc d;
        Diags diags = {};
        assert_int_equal(doc_parse("deep.json", b.s, b.len, &d, &diags), -EBADMSG);
        assert_non_null(strstr(diags.items[0].msg, "nested deeper than"));
        diags_clear(&diags);
        sb_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_depth_bound),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
