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
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
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
        fixture_free(f);
}

/* A spec with n services and an alert of every kind. */
static Fixture *spec_with_services(size_t n) {
        StrBuf y = {};
        sb_append(&y, "project: {name: demo}\n"
                      "users: {demo: {}}\n"
                      "monitoring:\n"
                      "  alerts:\n"
                      "    down: {kind: service_down}\n"
                      "    memory: {kind: memory, threshold: 90}\n"
                      "    cpu: {kind: cpu, threshold: 80}\n"
                      "    failing: {kind: health_check}\n"
                      "    slow: {kind: latency, threshold: 2}\n"
                      "services:\n");
        for (size_t i = 0; i < n; i++)
                sb_printf(&y, "  s%zu: {exec: /usr/bin/true, user: demo}\n", i);
        Fixture *f = fixture_yaml(y.s, "tier_3", NULL);
        sb_free(&y);
        return f;
}

/* The rules do not grow with the spec: a thousand services give as many rules as three. */
static void test_constant_size(void **state) {
        (void) state;
        Fixture *few = spec_with_services(3), *many = spec_with_services(1000);
        ArtifactSet small = {}, large = {};
        Diags d = {};
        assert_int_equal(render_monitoring(few->model, &small, &d), 0);
        assert_int_equal(render_monitoring(many->model, &large, &d), 0);
        assert_int_equal(check_yaml_len(small.items[0].data, "groups.0.rules"), 5);
        assert_int_equal(small.items[0].size, large.items[0].size);
        artifact_set_free(&small);
        artifact_set_free(&large);
        fixture_free(few);
        fixture_free(many);
}

static void test_bad_alerts(void **state) {
        (void) state;
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        /* alerts the spec refuses, which the renderer refuses all the same */
        assert_string_equal(m->alerts[1].kind, "memory");
        m->alerts[1].threshold = 0;
        assert_int_equal(render_monitoring(m, &out, &d), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        assert_string_equal(d.items[0].msg, "alert 'MisterSmithMemoryPressure': kind 'memory' needs a threshold above 0");
        diags_clear(&d);
        m->alerts[1].threshold = 90;
        m->alerts[2].kind = "disk";
        assert_int_equal(render_monitoring(m, &out, &d), -EINVAL);
        assert_int_equal(out.n, 0);
        assert_string_equal(d.items[0].msg, "alert 'MisterSmithCpuSaturated': unknown kind 'disk'");
        diags_clear(&d);
        fixture_free(f);

        /* no alerts: no rules */
        f = fixture_yaml(FIXTURE_MINIMAL_YAML, "tier_3", NULL);
        assert_int_equal(render_monitoring(f->model, &out, &d), 0);
        assert_int_equal(check_yaml_len(out.items[0].data, "groups.0.rules"), 0);
        artifact_set_free(&out);
        fixture_free(f);
}

static void test_example(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_monitoring(m, &out, &d), 0);
        const char *t = out.items[0].data;
        assert_true(check_yaml_valid(t));
        /* service down (units, supervised children), memory, health_check, latency */
        assert_int_equal(check_yaml_len(t, "groups.0.rules"), 5);
        artifact_set_free(&out);
        fixture_free(f);
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
