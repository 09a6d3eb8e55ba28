/* SPDX-License-Identifier: MIT */
/* render/envfile.c's files sourced by bash: a shell reads the same values systemd's EnvironmentFile= does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

static void test_sourced_by_bash(void **state) {
        (void) state;
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_env_files(m, &out, &d), 0);
        const char *text = artifact_set_find(&out, "etc/mister-smith/orchestrator.env")->data;
        StrBuf script = {};
        sb_printf(&script, "set -e\n%s\nprintf '%%s|' \"$MISTER_SMITH_ROLE\" \"$GREETING\"\n", text);
        char *res = NULL;
        assert_int_equal(check_run((const char *const[]) { "bash", "--norc", "-s", NULL }, script.s, &res), 0);
        assert_string_equal(res, "orchestrator|say \"hi\" to $USER `now` \\o/|");
        free(res);
        sb_free(&script);
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sourced_by_bash),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
