/* SPDX-License-Identifier: MIT */
/* Tests for render/health.c: health-checks.yaml parses back with the expected structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

static void test_structure(void **state) {
        (void) state;
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_health_config(m, &out, &d), 0);
        const Artifact *a = artifact_set_find(&out, "etc/mister-smith/health-checks.yaml");
        assert_non_null(a);
        assert_int_equal(a->mode, 0644);
        const char *t = a->data;
        assert_true(check_yaml_valid(t));
        check_assert_yaml(t, "version", "1");
        check_assert_yaml(t, "listen", "127.0.0.1:9091");
        check_assert_yaml(t, "aggregation.system", "worst_component");
        check_assert_yaml(t, "aggregation.noncritical_failing", "degraded");
        /* messaging, worker, then the two system checks, each its own component */
        assert_int_equal(check_yaml_len(t, "components"), 4);
        check_assert_yaml(t, "components.0.name", "messaging");
        check_assert_yaml(t, "components.0.units.0", "mister-smith-messaging.service");
        assert_int_equal(check_yaml_len(t, "components.0.checks"), 2);
        check_assert_yaml(t, "components.0.checks.1.name", "nats-monitor");
        check_assert_yaml(t, "components.0.checks.1.kind", "http");
        check_assert_yaml(t, "components.0.checks.1.target", "http://127.0.0.1:8222/healthz?a=1&b=%41");
        check_assert_yaml(t, "components.0.checks.1.interval", "10s");
        check_assert_yaml(t, "components.0.checks.1.timeout", "2s");
        check_assert_yaml(t, "components.0.checks.1.initial_delay", "15s");
        check_assert_yaml(t, "components.0.checks.1.failures_before_critical", "2");
        check_assert_yaml(t, "components.0.checks.1.successes_before_passing", "3");
        check_assert_yaml(t, "components.0.checks.1.critical", "true");
        check_assert_yaml(t, "components.1.name", "worker");
        assert_int_equal(check_yaml_len(t, "components.1.units"), 2);
        check_assert_yaml(t, "components.1.units.1", "mister-smith-worker@2.service");
        check_assert_yaml(t, "components.1.checks.0.critical", "false");
        check_assert_yaml(t, "components.3.name", "state-db");
        assert_int_equal(check_yaml_len(t, "components.3.units"), -1);
        check_assert_yaml(t, "components.3.checks.0.database", "tcp");
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_no_listen_no_checks(void **state) {
        (void) state;
        Fixture *f = fixture_yaml(FIXTURE_MINIMAL_YAML, "tier_3", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_health_config(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_true(check_yaml_valid(t));
        assert_null(check_yaml_get(t, "listen", NULL));
        assert_int_equal(check_yaml_len(t, "components"), 0);
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_example(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_health_config(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_true(check_yaml_valid(t));
        check_assert_yaml(t, "listen", "127.0.0.1:9091");
        check_assert_yaml(t, "components.0.name", "messaging");
        check_assert_yaml(t, "components.0.checks.0.name", "nats-client");
        check_assert_yaml(t, "components.1.name", "orchestrator");
        check_assert_yaml(t, "components.1.checks.0.target", "http://127.0.0.1:9090/health");
        assert_int_equal(check_yaml_len(t, "components.2.units"), 4);
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_structure),
                cmocka_unit_test(test_no_listen_no_checks),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
