/* SPDX-License-Identifier: MIT */
/* Tests for render/supervisor.c: supervisor.yaml parses back with the tree as the model has it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

static void test_tree(void **state) {
        (void) state;
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_supervisor(m, &out, &d), 0);
        const Artifact *a = artifact_set_find(&out, "etc/mister-smith/supervisor.yaml");
        assert_non_null(a);
        assert_int_equal(a->mode, 0644);
        const char *t = a->data;
        assert_true(check_yaml_valid(t));
        check_assert_yaml(t, "listen", "127.0.0.1:9090");
        check_assert_yaml(t, "phi.threshold", "8");
        check_assert_yaml(t, "phi.min_stddev", "500ms");
        check_assert_yaml(t, "phi.acceptable_pause", "0");
        check_assert_yaml(t, "root", "RootSupervisor");
        check_assert_yaml(t, "supervisors.0.strategy", "one_for_one");
        check_assert_yaml(t, "supervisors.0.intensity", "3");
        check_assert_yaml(t, "supervisors.0.period", "1min");
        check_assert_yaml(t, "supervisors.0.shutdown", "infinity");
        check_assert_yaml(t, "supervisors.0.backoff.kind", "exponential");
        check_assert_yaml(t, "supervisors.0.backoff.base", "500ms");
        check_assert_yaml(t, "supervisors.0.backoff.multiplier", "2");
        check_assert_yaml(t, "supervisors.0.backoff.jitter", "0.2");
        check_assert_yaml(t, "supervisors.0.backoff.reset_after", "5min");
        check_assert_yaml(t, "supervisors.0.children.0.name", "planner");
        check_assert_yaml(t, "supervisors.0.children.0.type", "worker");
        check_assert_yaml(t, "supervisors.0.children.1.name", "Workers");
        check_assert_yaml(t, "supervisors.0.children.1.type", "supervisor");
        check_assert_yaml(t, "supervisors.1.strategy", "rest_for_one");
        check_assert_yaml(t, "workers.0.exec", "/opt/mister-smith/bin/agent --role planner");
        check_assert_yaml(t, "workers.0.restart", "permanent");
        check_assert_yaml(t, "workers.0.readiness", "notify");
        check_assert_yaml(t, "workers.0.critical", "true");
        bool quoted = false;
        char *v = check_yaml_get(t, "workers.0.environment.AGENT_MODE", &quoted);
        assert_string_equal(v, "yes");
        assert_true(quoted); /* not a boolean */
        free(v);
        assert_null(check_yaml_get(t, "workers.0.user", NULL));
        check_assert_yaml(t, "workers.1.exec", "/opt/mister-smith/bin/agent --role 'bridge'");
        check_assert_yaml(t, "workers.1.shutdown", "infinity");
        check_assert_yaml(t, "workers.1.readiness", "check");
        check_assert_yaml(t, "workers.1.check", "http://127.0.0.1:9121/health");
        check_assert_yaml(t, "workers.1.user", "mister-smith");
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_no_tree_no_file(void **state) {
        (void) state;
        Fixture *f = fixture_yaml(FIXTURE_MINIMAL_YAML, "tier_3", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_supervisor(m, &out, &d), 0);
        assert_int_equal(out.n, 0);
        fixture_free(f);
}

static void test_example(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_supervisor(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_true(check_yaml_valid(t));
        check_assert_yaml(t, "root", "RootSupervisor");
        assert_int_equal(check_yaml_len(t, "supervisors"), 4);
        assert_int_equal(check_yaml_len(t, "workers"), 7);
        check_assert_yaml(t, "supervisors.0.children.2.name", "MessagingSupervisor");
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tree),
                cmocka_unit_test(test_no_tree_no_file),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
