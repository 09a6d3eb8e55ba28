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
        /* service down (units, supervised children), memory, cpu, health_check, latency: one rule each,
         * selected by project, however many services there are */
        assert_int_equal(check_yaml_len(t, "groups.0.rules"), 6);
        check_assert_yaml(t, "groups.0.rules.0.alert", "MisterSmithServiceDown");
        check_assert_yaml(t, "groups.0.rules.0.expr", "msd_unit_active{project=\"mister-smith\"} == 0");
        check_assert_yaml(t, "groups.0.rules.0.for", "1m");
        check_assert_yaml(t, "groups.0.rules.0.labels.severity", "critical");
        check_assert_yaml(t, "groups.0.rules.0.labels.project", "mister-smith");
        check_assert_yaml(t, "groups.0.rules.0.annotations.summary", "{{ $labels.unit }} is not active");
        check_assert_yaml(t, "groups.0.rules.1.expr", "msd_child_up{project=\"mister-smith\"} == 0");
        check_assert_yaml(t, "groups.0.rules.2.expr",
                          "100 * msd_cgroup_memory_current_bytes{project=\"mister-smith\"} / msd_cgroup_memory_max_bytes{project=\"mister-smith\"} > 90");
        check_assert_yaml(t, "groups.0.rules.2.for", "5m");
        check_assert_yaml(t, "groups.0.rules.3.expr",
                          "100 * rate(msd_cgroup_cpu_usage_seconds_total{project=\"mister-smith\"}[5m]) / "
                          "msd_cgroup_cpu_quota_cores{project=\"mister-smith\"} > 85.5");
        check_assert_yaml(t, "groups.0.rules.3.for", "90s");
        check_assert_yaml(t, "groups.0.rules.4.expr", "msd_health_check_status{project=\"mister-smith\"} == 2");
        check_assert_yaml(t, "groups.0.rules.5.expr", "msd_health_check_duration_seconds{project=\"mister-smith\"} > 2");
        check_assert_yaml(t, "groups.0.rules.5.for", "10m");
        artifact_set_free(&out);
        check_model_free(m);
}

/* The rules do not grow with the spec: a thousand services give as many rules as three. */
static void test_constant_size(void **state) {
        (void) state;
        Model *m = check_model_new();
        ArtifactSet small = {}, large = {};
        Diags d = {};
        assert_int_equal(render_monitoring(m, &small, &d), 0);
        Service *many = calloc(1000, sizeof(Service));
        for (size_t i = 0; i < 1000; i++)
                many[i] = m->services[i % m->n_services];
        Service *orig = m->services;
        size_t orig_n = m->n_services;
        m->services = many;
        m->n_services = 1000;
        assert_int_equal(render_monitoring(m, &large, &d), 0);
        assert_int_equal(small.items[0].size, large.items[0].size);
        m->services = orig;
        m->n_services = orig_n;
        free(many);
        artifact_set_free(&small);
        artifact_set_free(&large);
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
        /* service down (units, supervised children), memory, health_check, latency */
        assert_int_equal(check_yaml_len(t, "groups.0.rules"), 5);
        artifact_set_free(&out);
        fixture_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rules),
                cmocka_unit_test(test_constant_size),
                cmocka_unit_test(test_bad_alerts),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
