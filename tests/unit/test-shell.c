/* SPDX-License-Identifier: MIT */
/* Tests for render/shell.c: shell quoting, checked against bash itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/render-check.h"
#include "render/shell.h"

static char *quoted(const char *s) {
        StrBuf b = {};
        shell_quote(&b, s);
        return sb_take(&b, NULL);
}

static void assert_quote(const char *in, const char *expected) {
        char *q = quoted(in);
        assert_string_equal(q, expected);
        free(q);
}

static void test_bare_words(void **state) {
        (void) state;
        assert_quote("mister-smith", "mister-smith");
        assert_quote("/var/lib/mister-smith", "/var/lib/mister-smith");
        assert_quote("127.0.0.1:9090", "127.0.0.1:9090");
        assert_quote("worker@1.service", "worker@1.service");
        assert_quote("800000", "800000");
}

static void test_quoted_words(void **state) {
        (void) state;
        assert_quote("", "''");
        assert_quote("a b", "'a b'");
        assert_quote("it's", "'it'\\''s'");
        assert_quote("$HOME", "'$HOME'");
        assert_quote("~root", "'~root'");
        assert_quote("a=b", "'a=b'");
        assert_quote("{a,b}", "'{a,b}'");
        assert_quote("a,b.env", "'a,b.env'"); /* bare, shellcheck would take it for two array elements */
        assert_quote("*", "'*'");
        assert_quote("''", "''\\'''\\'''");
}

/* What bash makes of each quoted word is exactly the input. */
static void test_bash_roundtrip(void **state) {
        (void) state;
        static const char *const inputs[] = {
                "", "plain", "two words", "it's", "\"dq\"", "$(id)", "`id`", "$HOME ${x}", "back\\slash", "*?[a]",
                "~", "a;b|c&d", "<in >out", "!hist", "#comment", "tab\there", "'", "''", "-n", "%s %d", "é ü",
        };
        StrBuf script = {}, expected = {};
        for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
                sb_append(&script, "printf '%s\\n' ");
                shell_quote(&script, inputs[i]);
                sb_putc(&script, '\n');
                sb_printf(&expected, "%s\n", inputs[i]);
        }
        char *out = NULL;
        int r = check_run((const char *const[]) { "bash", "--norc", "-s", NULL }, script.s, &out);
        assert_int_equal(r, 0);
        assert_string_equal(out, expected.s);
        free(out);
        sb_free(&script);
        sb_free(&expected);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bare_words),
                cmocka_unit_test(test_quoted_words),
                cmocka_unit_test(test_bash_roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
