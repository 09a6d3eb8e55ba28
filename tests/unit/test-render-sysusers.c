/* SPDX-License-Identifier: MIT */
/* Tests for render/sysusers.c: the lines (what the real systemd-sysusers makes of them:
 * tests/integration/test-render-sysusers.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

static void test_lines(void **state) {
        (void) state;
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_sysusers(m, &out, &d), 0);
        const Artifact *a = artifact_set_find(&out, "etc/sysusers.d/mister-smith.conf");
        assert_non_null(a);
        assert_int_equal(a->mode, 0644);
        const char *body = strchr(a->data, '\n') + 1;
        assert_string_equal(body, "g mister-smith -\n"
                                  "g msnats -\n"
                                  "u mister-smith -:mister-smith \"Mister \\\"Smith\\\" 100%% agents\" /var/lib/mister-smith -\n"
                                  "u mister-smith-nats -:msnats NATS - -\n"
                                  "m mister-smith-nats mister-smith\n");
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_example(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_1", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_sysusers(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_non_null(strstr(t, "\ng mister-smith -\n"));
        assert_non_null(strstr(t, "\nu mister-smith -:mister-smith \"Mister Smith agents\" /var/lib/mister-smith -\n"));
        assert_non_null(strstr(t, "\nu mister-smith-nats -:mister-smith \"Mister Smith NATS messaging\" - -\n"));
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
