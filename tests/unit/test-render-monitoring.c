/* SPDX-License-Identifier: MIT */
/* Tests for render/monitoring.c: Prometheus rules parse back as YAML with the expected expressions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

static void test_rules(void **state) {
        (void) state;
        Model *m = check_model_new();
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_monitoring(m, &out, &d), 0);
        const Artifact *a = artifact_set_find(&out, "etc/mister-smith/monitoring.yaml");
        assert_non_null(a);
        assert_int_equal(a->mode, 0644);
        const char *t = a->data;
        assert_true(check_yaml_valid(t));
        check_assert_yaml(t, "groups.0.name", "mister-smith");
        /* 3 services + 1 supervision tree, memory, cpu, health_check, latency */
        assert_int_equal(check_yaml_len(t, "groups.0.rules"), 8);
        check_assert_yaml(t, "groups.0.rules.0.alert", "MisterSmithServiceDown");
        check_assert_yaml(t, "groups.0.rules.0.expr", "msd_unit_active{unit=\"mister-smith-messaging.service\"} == 0");
        check_assert_yaml(t, "groups.0.rules.0.for", "1m");
        check_assert_yaml(t, "groups.0.rules.0.labels.severity", "critical");
        check_assert_yaml(t, "groups.0.rules.0.labels.service", "messaging");
        check_assert_yaml(t, "groups.0.rules.0.annotations.summary", "{{ $labels.unit }} is not active");
        check_assert_yaml(t, "groups.0.rules.2.expr", "msd_unit_active{unit=~\"mister-smith-worker@.+[.]service\"} == 0");
        check_assert_yaml(t, "groups.0.rules.3.expr", "msd_child_up == 0");
        const char *units = "mister-smith-messaging[.]service|mister-smith-orchestrator[.]service|"
                            "mister-smith-worker@.+[.]service|mister-smith[.]slice|mister-smith-workers[.]slice";
        char expected[1024];
        snprintf(expected, sizeof(expected),
                 "100 * msd_cgroup_memory_current_bytes{unit=~\"%s\"} / msd_cgroup_memory_max_bytes{unit=~\"%s\"} > 90",
                 units, units);
        check_assert_yaml(t, "groups.0.rules.4.expr", expected);
        check_assert_yaml(t, "groups.0.rules.4.for", "5m");
        snprintf(expected, sizeof(expected),
                 "100 * rate(msd_cgroup_cpu_usage_seconds_total{unit=~\"%s\"}[5m]) / msd_cgroup_cpu_quota_cores{unit=~\"%s\"} "
                 "> 85.5",
                 units, units);
        check_assert_yaml(t, "groups.0.rules.5.expr", expected);
        check_assert_yaml(t, "groups.0.rules.5.for", "90s");
        check_assert_yaml(t, "groups.0.rules.6.expr",
                    "msd_health_check_status{check=~\"nats-client|nats-monitor|worker-process|state-dir-writable|state-db\"} == 2");
        check_assert_yaml(t, "groups.0.rules.7.expr",
                    "msd_health_check_duration_seconds{check=~\"nats-client|nats-monitor|worker-process|state-dir-writable|"
                    "state-db\"} > 2");
        check_assert_yaml(t, "groups.0.rules.7.for", "10m");
        artifact_set_free(&out);
        check_model_free(m);
}

static void test_escaping(void **state) {
        (void) state;
        Model *m = check_model_new();
        m->services[0].checks[0].name = "a\"b(c)";
        m->n_alerts = 1;
        m->alerts[0] = m->alerts[3];
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_monitoring(m, &out, &d), 0);
        check_assert_yaml(out.items[0].data, "groups.0.rules.0.expr",
                    "msd_health_check_status{check=~\"a\\\"b\\\\(c\\\\)|nats-monitor|worker-process|state-dir-writable|"
                    "state-db\"} == 2");
        artifact_set_free(&out);
        check_model_free(m);
}

static void test_bad_alerts(void **state) {
        (void) state;
        Model *m = check_model_new();
        ArtifactSet out = {};
        Diags d = {};
        m->alerts[1].threshold = 0;
        assert_int_equal(render_monitoring(m, &out, &d), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        diags_clear(&d);
        m->alerts[1].threshold = 90;
        m->alerts[2].kind = "disk";
        assert_int_equal(render_monitoring(m, &out, &d), -EINVAL);
        assert_int_equal(out.n, 0);
        diags_clear(&d);
        m->n_alerts = 0;
        assert_int_equal(render_monitoring(m, &out, &d), 0);
        assert_int_equal(check_yaml_len(out.items[0].data, "groups.0.rules"), 0);
        artifact_set_free(&out);
        check_model_free(m);
}

static void test_example(void **state) {
        (void) state;
        Model *m = fixture_model("tier_3");
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_monitoring(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_true(check_yaml_valid(t));
        /* 4 services + supervision tree, memory, health_check, latency */
        assert_int_equal(check_yaml_len(t, "groups.0.rules"), 8);
        artifact_set_free(&out);
        fixture_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rules),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_bad_alerts),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
