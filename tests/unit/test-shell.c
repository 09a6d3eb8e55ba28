/* SPDX-License-Identifier: MIT */
/* Tests for render/shell.c: shell quoting (checked against bash itself: tests/integration/test-shell.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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

/* A bare word of letters and digits is quoted in an assignment: PROJECT=wc reads to shellcheck as a forgotten
 * $(wc) (SC2209). */
static void test_assign(void **state) {
        (void) state;
        static const char *const cases[][2] = {
                { "wc", "PROJECT='wc'\n" },
                { "mister-smith", "PROJECT=mister-smith\n" },
                { "", "PROJECT=''\n" },
                { "a b", "PROJECT='a b'\n" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                StrBuf b = {};
                shell_assign(&b, "PROJECT", cases[i][0]);
                assert_string_equal(b.s, cases[i][1]);
                sb_free(&b);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bare_words),
                cmocka_unit_test(test_quoted_words),
                cmocka_unit_test(test_assign),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
