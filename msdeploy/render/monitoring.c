/* SPDX-License-Identifier: MIT */
/* Renders monitoring.yaml: Prometheus alerting rules over the metrics msd-supervisor exports. */
#include <errno.h>
#include <string.h>

#include "render/render.h"
#include "render/yaml_writer.h"
#include "util/xalloc.h"

/*
 * The metrics these rules use. msd-supervisor exports exactly these names on GET /metrics
 * (health-aggregator mode exports the unit and cgroup ones, supervisor mode the child ones;
 * both export the health-check ones for the checks they run):
 *
 *   msd_unit_active{project, unit}                       gauge  1 when the systemd unit is active, else 0
 *   msd_cgroup_memory_current_bytes{project, unit}       gauge  memory.current of the unit's cgroup
 *   msd_cgroup_memory_max_bytes{project, unit}           gauge  memory.max (absent when unlimited)
 *   msd_cgroup_cpu_usage_seconds_total{project, unit}    counter  cpu.stat usage_usec / 1e6
 *   msd_cgroup_cpu_quota_cores{project, unit}            gauge  cpu.max quota / period (absent when unlimited)
 *   msd_child_up{project, supervisor, child}             gauge  1 when the supervised child is running and ready
 *   msd_health_check_status{project, component, check}  gauge  0 passing, 1 warning, 2 critical
 *   msd_health_check_duration_seconds{project, component, check}  gauge  duration of the last run
 *
 * 'project' is the spec's project name (the supervisor's config carries it); units are named
 * "mister-smith-worker@2.service", "mister-smith.slice", ... Selecting by project keeps every rule one
 * line long however many services the spec has.
 */
#define METRIC_UNIT_ACTIVE "msd_unit_active"
#define METRIC_MEMORY_CURRENT "msd_cgroup_memory_current_bytes"
#define METRIC_MEMORY_MAX "msd_cgroup_memory_max_bytes"
#define METRIC_CPU_USAGE "msd_cgroup_cpu_usage_seconds_total"
#define METRIC_CPU_QUOTA "msd_cgroup_cpu_quota_cores"
#define METRIC_CHILD_UP "msd_child_up"
#define METRIC_CHECK_STATUS "msd_health_check_status"
#define METRIC_CHECK_DURATION "msd_health_check_duration_seconds"

#define CPU_RATE_WINDOW "5m"

/* Prometheus durations: one unit that divides exactly, "90s", "5m", "1h", "500ms". */
static const char *prom_duration(char *buf, size_t size, usec_t u) {
        static const struct {
                const char *suffix;
                usec_t usec;
        } table[] = {
                { "d", 86400 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "m", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },         { "ms", USEC_PER_MSEC },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (u >= table[i].usec && u % table[i].usec == 0) {
                        snprintf(buf, size, "%llu%s", (unsigned long long) (u / table[i].usec), table[i].suffix);
                        return buf;
                }
        snprintf(buf, size, "%llums", (unsigned long long) (u / USEC_PER_MSEC)); /* below 1ms: 0ms */
        return buf;
}

/* {project="NAME"}: the selector every rule uses (project names are plain: letters, digits, '_.-'). */
static void project_selector(StrBuf *b, const Model *m) {
        sb_printf(b, "{project=\"%s\"}", m->name);
}

static void render_rule(YamlWriter *y, const Model *m, const Alert *a, const char *expr, const char *summary,
                        const char *description) {
        char buf[64];
        yaml_item(y);
        yaml_str(y, "alert", a->name);
        yaml_str(y, "expr", expr);
        if (a->for_ != USEC_UNSET && a->for_ != USEC_INFINITY)
                yaml_str(y, "for", prom_duration(buf, sizeof(buf), a->for_));
        yaml_open(y, "labels");
        yaml_str(y, "severity", a->severity ? a->severity : "warning");
        yaml_str(y, "project", m->name);
        yaml_end(y);
        yaml_open(y, "annotations");
        yaml_str(y, "summary", summary);
        yaml_str(y, "description", description);
        yaml_end(y);
        yaml_end(y);
}

static int render_alert(YamlWriter *y, const Model *m, const Alert *a, Diags *d) {
        const char *kind = a->kind ? a->kind : "";
        bool needs_threshold = strcmp(kind, "memory") == 0 || strcmp(kind, "cpu") == 0 || strcmp(kind, "latency") == 0;
        if (needs_threshold && !(a->threshold > 0)) {
                diag_error(d, a->loc, "alert '%s': kind '%s' needs a threshold above 0", a->name, kind);
                return -EINVAL;
        }

        StrBuf sel = {}, e = {};
        project_selector(&sel, m);
        if (strcmp(kind, "service_down") == 0) {
                sb_printf(&e, METRIC_UNIT_ACTIVE "%s == 0", sel.s);
                render_rule(y, m, a, e.s, "{{ $labels.unit }} is not active",
                            "systemd reports {{ $labels.unit }} as not active; see journalctl -u {{ $labels.unit }}.");
                if (m->supervision.root) {
                        e.len = 0;
                        sb_printf(&e, METRIC_CHILD_UP "%s == 0", sel.s);
                        render_rule(y, m, a, e.s, "supervised child {{ $labels.child }} is down",
                                    "{{ $labels.child }} under {{ $labels.supervisor }} is not running or not ready; "
                                    "see GET /tree on the supervisor endpoint.");
                }
        } else if (strcmp(kind, "memory") == 0) {
                sb_printf(&e, "100 * " METRIC_MEMORY_CURRENT "%s / " METRIC_MEMORY_MAX "%s > %g", sel.s, sel.s, a->threshold);
                render_rule(y, m, a, e.s, "{{ $labels.unit }} uses {{ $value | humanize }}% of its MemoryMax=",
                            "Memory use of {{ $labels.unit }} is close to its limit; the kernel reclaims and then "
                            "OOM-kills above it.");
        } else if (strcmp(kind, "cpu") == 0) {
                sb_printf(&e, "100 * rate(" METRIC_CPU_USAGE "%s[" CPU_RATE_WINDOW "]) / " METRIC_CPU_QUOTA "%s > %g", sel.s, sel.s,
                          a->threshold);
                render_rule(y, m, a, e.s, "{{ $labels.unit }} uses {{ $value | humanize }}% of its CPUQuota=",
                            "CPU use of {{ $labels.unit }} is close to its quota; it is being throttled.");
        } else if (strcmp(kind, "health_check") == 0) {
                sb_printf(&e, METRIC_CHECK_STATUS "%s == 2", sel.s);
                render_rule(y, m, a, e.s, "health check {{ $labels.check }} of {{ $labels.component }} is critical",
                            "The health check {{ $labels.check }} has failed repeatedly; see GET /health on the "
                            "health aggregator.");
        } else if (strcmp(kind, "latency") == 0) {
                sb_printf(&e, METRIC_CHECK_DURATION "%s > %g", sel.s, a->threshold);
                render_rule(y, m, a, e.s, "health check {{ $labels.check }} takes {{ $value | humanizeDuration }}",
                            "The health check {{ $labels.check }} of {{ $labels.component }} answers slowly, a sign "
                            "of performance degradation.");
        } else {
                diag_error(d, a->loc, "alert '%s': unknown kind '%s'", a->name, kind);
                sb_free(&e), sb_free(&sel);
                return -EINVAL;
        }
        sb_free(&e), sb_free(&sel);
        return 0;
}

int render_monitoring(const Model *m, ArtifactSet *out, Diags *d) {
        StrBuf b = {};
        YamlWriter y = { .b = &b };
        render_header(&b, m, "#");
        sb_append(&b, "# Prometheus alerting rules (rule_files: in prometheus.yml). The metrics come from\n"
                      "# msd-supervisor's GET /metrics: msd_unit_active, msd_cgroup_*, msd_child_up, msd_health_check_*.\n");
        yaml_open(&y, "groups");
        yaml_item(&y);
        yaml_str(&y, "name", m->name);
        bool any = false;
        for (size_t i = 0; i < m->n_alerts; i++) {
                if (!any) {
                        yaml_open(&y, "rules");
                        any = true;
                }
                int r = render_alert(&y, m, &m->alerts[i], d);
                if (r < 0) {
                        sb_free(&b);
                        return r;
                }
        }
        if (any)
                yaml_end(&y);
        else
                yaml_empty_list(&y, "rules");
        yaml_end(&y);
        yaml_end(&y);

        artifact_set_takef(out, &b, 0644, "%s/monitoring.yaml", m->config_dir);
        return 0;
}
