/* SPDX-License-Identifier: MIT */
/* Renders monitoring.yaml: Prometheus alerting rules over the metrics msd-supervisor exports. */
#include <errno.h>
#include <string.h>

#include "render/render.h"
#include "render/unitnames.h"
#include "render/yaml_writer.h"
#include "util/xalloc.h"

/*
 * The metrics these rules use. msd-supervisor exports exactly these names on GET /metrics
 * (health-aggregator mode exports the unit and cgroup ones, supervisor mode the child ones;
 * both export the health-check ones for the checks they run):
 *
 *   msd_unit_active{unit}                       gauge  1 when the systemd unit is active, else 0
 *   msd_cgroup_memory_current_bytes{unit}       gauge  memory.current of the unit's cgroup
 *   msd_cgroup_memory_max_bytes{unit}           gauge  memory.max (absent when unlimited)
 *   msd_cgroup_cpu_usage_seconds_total{unit}    counter  cpu.stat usage_usec / 1e6
 *   msd_cgroup_cpu_quota_cores{unit}            gauge  cpu.max quota / period (absent when unlimited)
 *   msd_child_up{supervisor, child}             gauge  1 when the supervised child is running and ready
 *   msd_health_check_status{component, check}   gauge  0 passing, 1 warning, 2 critical
 *   msd_health_check_duration_seconds{component, check}  gauge  duration of the last run
 *
 * Units are named "mister-smith-worker@2.service", "mister-smith.slice", ...
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

/* s inside a PromQL double-quoted string. */
static void promql_string(StrBuf *b, const char *s) {
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        sb_putc(b, '\\');
                sb_putc(b, *s);
        }
}

/* s as a literal inside a regular expression inside a PromQL double-quoted string. */
static void promql_regex_literal(StrBuf *b, const char *s) {
        for (; *s; s++) {
                if (*s == '.')
                        sb_append(b, "[.]");
                else if (*s == '"')
                        sb_append(b, "\\\"");
                else if (strchr("\\+*?()[]{}|^$", *s))
                        sb_printf(b, "\\\\%c", *s); /* PromQL "\\" is the regex escape '\' */
                else
                        sb_putc(b, *s);
        }
}

/* unit=~"..." selector body matching every unit of the project: its services (all instances of a
 * template) and, with_slices, its slices. */
static void units_regex(StrBuf *b, const Model *m, bool with_slices) {
        bool first = true;
        for (size_t i = 0; i < m->n_services; i++, first = false) {
                const Service *s = &m->services[i];
                sb_append(b, first ? "" : "|");
                promql_regex_literal(b, s->name);
                sb_append(b, s->templated ? ".+[.]service" : "[.]service");
        }
        for (size_t i = 0; with_slices && i < m->n_slices; i++, first = false) {
                sb_append(b, first ? "" : "|");
                promql_regex_literal(b, m->slices[i].name);
                sb_append(b, "[.]slice");
        }
}

/* check=~"..." selector body matching every health check of the project. */
static void checks_regex(StrBuf *b, const Model *m) {
        bool first = true;
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < m->services[i].n_checks; j++, first = false) {
                        sb_append(b, first ? "" : "|");
                        promql_regex_literal(b, m->services[i].checks[j].name);
                }
        for (size_t i = 0; i < m->n_checks; i++, first = false) {
                sb_append(b, first ? "" : "|");
                promql_regex_literal(b, m->checks[i].name);
        }
}

static void render_rule(YamlWriter *y, const Model *m, const Alert *a, const char *expr, const char *service,
                        const char *summary, const char *description) {
        char buf[64];
        yaml_item(y);
        yaml_str(y, "alert", a->name);
        yaml_str(y, "expr", expr);
        if (a->for_ != USEC_UNSET && a->for_ != USEC_INFINITY)
                yaml_str(y, "for", prom_duration(buf, sizeof(buf), a->for_));
        yaml_open(y, "labels");
        yaml_str(y, "severity", a->severity ? a->severity : "warning");
        yaml_str(y, "project", m->name);
        if (service)
                yaml_str(y, "service", service);
        yaml_end(y);
        yaml_open(y, "annotations");
        yaml_str(y, "summary", summary);
        yaml_str(y, "description", description);
        yaml_end(y);
        yaml_end(y);
}

static void render_service_down(YamlWriter *y, const Model *m, const Alert *a) {
        for (size_t i = 0; i < m->n_services; i++) {
                const Service *s = &m->services[i];
                StrBuf e = {};
                sb_append(&e, METRIC_UNIT_ACTIVE "{unit");
                if (s->templated) {
                        sb_append(&e, "=~\"");
                        promql_regex_literal(&e, s->name);
                        sb_append(&e, ".+[.]service");
                } else {
                        sb_append(&e, "=\"");
                        _cleanup_free_ char *unit = service_unit_name(s, 0);
                        promql_string(&e, unit);
                }
                sb_append(&e, "\"} == 0");
                render_rule(y, m, a, e.s, s->key, "{{ $labels.unit }} is not active",
                            "systemd reports {{ $labels.unit }} as not active; see journalctl -u {{ $labels.unit }}.");
                sb_free(&e);
        }
        if (m->supervision.root)
                render_rule(y, m, a, METRIC_CHILD_UP " == 0", NULL,
                            "supervised child {{ $labels.child }} is down",
                            "{{ $labels.child }} under {{ $labels.supervisor }} is not running or not ready; "
                            "see GET /tree on the supervisor endpoint.");
}

static int render_alert(YamlWriter *y, const Model *m, const Alert *a, Diags *d) {
        const char *kind = a->kind ? a->kind : "";
        bool needs_threshold = strcmp(kind, "memory") == 0 || strcmp(kind, "cpu") == 0 || strcmp(kind, "latency") == 0;
        if (needs_threshold && !(a->threshold > 0)) {
                diag_error(d, a->loc, "alert '%s': kind '%s' needs a threshold above 0", a->name, kind);
                return -EINVAL;
        }

        StrBuf e = {}, units = {}, checks = {};
        units_regex(&units, m, /* with_slices= */ true);
        checks_regex(&checks, m);
        if (strcmp(kind, "service_down") == 0)
                render_service_down(y, m, a);
        else if (strcmp(kind, "memory") == 0) {
                sb_printf(&e, "100 * " METRIC_MEMORY_CURRENT "{unit=~\"%s\"} / " METRIC_MEMORY_MAX "{unit=~\"%s\"} > %g",
                          units.s, units.s, a->threshold);
                render_rule(y, m, a, e.s, NULL, "{{ $labels.unit }} uses {{ $value | humanize }}% of its MemoryMax=",
                            "Memory use of {{ $labels.unit }} is close to its limit; the kernel reclaims and then "
                            "OOM-kills above it.");
        } else if (strcmp(kind, "cpu") == 0) {
                sb_printf(&e,
                          "100 * rate(" METRIC_CPU_USAGE "{unit=~\"%s\"}[" CPU_RATE_WINDOW "]) / " METRIC_CPU_QUOTA
                          "{unit=~\"%s\"} > %g",
                          units.s, units.s, a->threshold);
                render_rule(y, m, a, e.s, NULL, "{{ $labels.unit }} uses {{ $value | humanize }}% of its CPUQuota=",
                            "CPU use of {{ $labels.unit }} is close to its quota; it is being throttled.");
        } else if (strcmp(kind, "health_check") == 0) {
                sb_printf(&e, METRIC_CHECK_STATUS "{check=~\"%s\"} == 2", checks.s);
                render_rule(y, m, a, e.s, NULL, "health check {{ $labels.check }} of {{ $labels.component }} is critical",
                            "The health check {{ $labels.check }} has failed repeatedly; see GET /health on the "
                            "health aggregator.");
        } else if (strcmp(kind, "latency") == 0) {
                sb_printf(&e, METRIC_CHECK_DURATION "{check=~\"%s\"} > %g", checks.s, a->threshold);
                render_rule(y, m, a, e.s, NULL, "health check {{ $labels.check }} takes {{ $value | humanizeDuration }}",
                            "The health check {{ $labels.check }} of {{ $labels.component }} answers slowly, a sign "
                            "of performance degradation.");
        } else {
                diag_error(d, a->loc, "alert '%s': unknown kind '%s'", a->name, kind);
                sb_free(&e), sb_free(&units), sb_free(&checks);
                return -EINVAL;
        }
        sb_free(&e), sb_free(&units), sb_free(&checks);
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

        StrBuf path = {};
        sb_printf(&path, "%s/monitoring.yaml", m->config_dir);
        size_t len;
        char *data = sb_take(&b, &len);
        artifact_set_add(out, path.s + strspn(path.s, "/"), 0644, "root", "root", data, len);
        sb_free(&path);
        return 0;
}
