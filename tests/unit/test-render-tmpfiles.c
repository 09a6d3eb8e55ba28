/* SPDX-License-Identifier: MIT */
/* Tests for render/tmpfiles.c: the lines (what the real systemd-tmpfiles creates from them:
 * tests/integration/test-render-tmpfiles.c). */
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
        assert_int_equal(render_tmpfiles(m, &out, &d), 0);
        const Artifact *a = artifact_set_find(&out, "etc/tmpfiles.d/mister-smith.conf");
        assert_non_null(a);
        assert_int_equal(a->mode, 0644);
        /* Sorted by path, so parents come before children. */
        const char *lines = strstr(a->data, "\nd ");
        assert_non_null(lines);
        assert_string_equal(lines + 1, "d /etc/mister-smith 0755 root root -\n"
                                   "d /etc/mister-smith/credentials 0700 root root -\n"
                                   "D /run/mister-smith 0750 mister-smith mister-smith -\n"
                                   "d /var/lib/mister-smith 0750 mister-smith mister-smith -\n");
        artifact_set_free(&out);

        /* a path the spec refuses (a space, a '%'), which the line quotes all the same */
        m->directories[0].path = "/var/lib/mister-smith/odd dir 100%";
        assert_int_equal(render_tmpfiles(m, &out, &d), 0);
        assert_non_null(strstr(out.items[0].data, "\nd \"/var/lib/mister-smith/odd dir 100%%\" 0750 mister-smith mister-smith -\n"));
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_no_top_level_config_dir(void **state) {
        (void) state;
        Fixture *f = fixture_awkward((const char *const[]) { "project.config_dir=/opt",
                                                             "services.orchestrator.secrets.api-key=/opt/ssl/private/key", NULL });
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_tmpfiles(m, &out, &d), 0);
        assert_null(strstr(out.items[0].data, " /opt "));
        assert_null(strstr(out.items[0].data, "/opt/ssl"));
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_example(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_2", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_tmpfiles(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_non_null(strstr(t, "\nd /var/lib/mister-smith/nats 0700 mister-smith-nats mister-smith -\n"));
        assert_non_null(strstr(t, "\nD /run/mister-smith 0750 mister-smith mister-smith -\n"));
        assert_non_null(strstr(t, "\nd /var/log/mister-smith 0750 mister-smith mister-smith -\n"));
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_no_top_level_config_dir),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
