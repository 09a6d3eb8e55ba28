/* SPDX-License-Identifier: MIT */
/* render/shell.c's quoting checked against bash itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/render-check.h"
#include "render/shell.h"

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
                cmocka_unit_test(test_bash_roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
