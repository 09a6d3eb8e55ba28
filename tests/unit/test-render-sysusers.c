/* SPDX-License-Identifier: MIT */
/* Tests for render/sysusers.c: the lines (what the real systemd-sysusers makes of them:
 * tests/integration/test-render-sysusers.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"
#include "render/sdfield.h"

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

/* A field of '-' reads as unset whatever the quoting: sdfield_quote() refuses it, and the file is not written */
static void test_dash_refused(void **state) {
        (void) state;
        StrBuf b = {};
        assert_int_equal(sdfield_quote(&b, "-"), -EINVAL);
        assert_null(b.s);
        assert_int_equal(sdfield_quote(&b, "-x"), 0);
        assert_int_equal(sdfield_quote(&b, ""), 0);
        assert_string_equal(b.s, "-x\"\"");
        sb_free(&b);

        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        m->users[0].description = "-";
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_sysusers(m, &out, &d), -EINVAL);
        assert_int_equal(out.n, 0);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.items[0].loc.line, m->users[0].loc.line);
        assert_string_equal(d.items[0].msg, "user description '-' cannot be written: systemd-sysusers reads a field of '-' as unset");
        diags_clear(&d);
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
                cmocka_unit_test(test_dash_refused),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
