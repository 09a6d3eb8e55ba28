/* SPDX-License-Identifier: MIT */
/* Renders health-checks.yaml, the configuration msd-supervisor reads in health-aggregator mode. */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/unitnames.h"
#include "util/xalloc.h"

static const char health_doc[] =
        "# msd-supervisor health aggregation: msd-supervisor --config THIS_FILE (health-aggregator mode).\n"
        "#\n"
        "# listen          GET /health (JSON status) and GET /metrics (Prometheus) are served here\n"
        "# components      checks grouped by what they watch: a service (with its units) or a system check\n"
        "#   checks[]      name, kind and target:\n"
        "#                   http      target is a URL; a 2xx answer within timeout passes\n"
        "#                   tcp       target is host:port; an accepted connection passes\n"
        "#                   process   target is a process name; a running process passes\n"
        "#                   database  target is host:port, database says how to ask (postgresql | tcp)\n"
        "#                   script    target is an executable; exit status 0 passes\n"
        "#                 interval, timeout, initial_delay: durations (first run initial_delay after start)\n"
        "#                 failures_before_critical: consecutive failures before a check counts as failing\n"
        "#                 successes_before_passing: consecutive successes before it passes again\n"
        "#                 critical: whether a failing check makes its component unhealthy (else degraded)\n"
        "#\n"
        "# Aggregation: a component takes the worst status of its checks; the system takes the worst\n"
        "# status of its components. Only a failing critical check makes the system unhealthy (HTTP 503);\n"
        "# a failing non-critical check at most makes it degraded (HTTP 200).\n";

/* A check's component: set by the model, else its service's key, else its own name. */
static const char *check_component(const HealthCheck *c, const Service *owner) {
        return c->component ? c->component : owner ? owner->key : c->name;
}

static void render_check(YamlWriter *y, const HealthCheck *c) {
        yaml_item(y);
        yaml_str(y, "name", c->name);
        yaml_str(y, "kind", health_kind_to_string(c->kind));
        yaml_str(y, "target", c->target);
        if (c->kind == HEALTH_DATABASE)
                yaml_str(y, "database", c->database ? c->database : "tcp");
        yaml_duration(y, "interval", c->interval);
        yaml_duration(y, "timeout", c->timeout);
        yaml_duration(y, "initial_delay", c->initial_delay);
        yaml_uint(y, "failures_before_critical", c->failures_before_critical);
        yaml_uint(y, "successes_before_passing", c->successes_before_passing);
        yaml_bool(y, "critical", c->critical);
        yaml_end(y);
}

typedef struct CheckRef {
        const HealthCheck *check;
        const Service *owner; /* NULL for a system-wide check */
        const char *component;
        size_t order;         /* position in spec order */
        size_t first;         /* spec-order position of its component's first check */
} CheckRef;

static int ref_by_component(const void *a, const void *b) {
        const CheckRef *x = a, *y = b;
        int r = strcmp(x->component, y->component);
        return r ? r : x->order < y->order ? -1 : x->order > y->order;
}

static int ref_by_first(const void *a, const void *b) {
        const CheckRef *x = a, *y = b;
        if (x->first != y->first)
                return x->first < y->first ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* refs[0..n) all belong to one component. */
static void render_component(YamlWriter *y, const Model *m, const CheckRef *refs, size_t n) {
        const char *name = refs[0].component;
        const Service *s = NULL;
        for (size_t i = 0; i < n && !s; i++)
                if (refs[i].owner && strcmp(refs[i].owner->key, name) == 0)
                        s = refs[i].owner;
        if (!s && !refs[0].owner)
                s = model_find_service(m, name); /* a system check named after a service joins it */
        yaml_item(y);
        yaml_str(y, "name", name);
        if (s && service_unit_count(s) > 0) {
                yaml_open(y, "units");
                for (size_t i = 0; i < service_unit_count(s); i++) {
                        _cleanup_free_ char *unit = service_unit_name(s, i);
                        yaml_list_str(y, unit);
                }
                yaml_end(y);
        }
        yaml_open(y, "checks");
        for (size_t i = 0; i < n; i++)
                render_check(y, refs[i].check);
        yaml_end(y);
        yaml_end(y);
}

/* Groups checks by component, components in order of their first check (services in spec order, then
 * system checks), checks in spec order within each: two sorts, no quadratic search. */
static void order_by_component(CheckRef *refs, size_t n) {
        qsort(refs, n, sizeof(CheckRef), ref_by_component);
        for (size_t i = 0, start = 0; i < n; i++) {
                if (i > 0 && strcmp(refs[i].component, refs[start].component) != 0)
                        start = i;
                refs[i].first = refs[start].order;
        }
        qsort(refs, n, sizeof(CheckRef), ref_by_first);
}

int render_health_config(const Model *m, ArtifactSet *out, Diags *d) {
        (void) d;
        size_t n = m->n_checks;
        for (size_t i = 0; i < m->n_services; i++)
                n += m->services[i].n_checks;
        _cleanup_free_ CheckRef *refs = xcalloc(n + 1, sizeof(CheckRef));
        size_t k = 0;
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < m->services[i].n_checks; j++, k++)
                        refs[k] = (CheckRef) { &m->services[i].checks[j], &m->services[i],
                                               check_component(&m->services[i].checks[j], &m->services[i]), k };
        for (size_t i = 0; i < m->n_checks; i++, k++)
                refs[k] = (CheckRef) { &m->checks[i], NULL, check_component(&m->checks[i], NULL), k };
        order_by_component(refs, n);

        StrBuf b = {};
        YamlWriter y = { .b = &b };
        render_sv_config_begin(&y, m, health_doc, m->health_listen);
        yaml_open(&y, "aggregation");
        yaml_str(&y, "component", "worst_check");
        yaml_str(&y, "system", "worst_component");
        yaml_str(&y, "critical_failing", "unhealthy");
        yaml_str(&y, "noncritical_failing", "degraded");
        yaml_end(&y);
        if (n == 0)
                yaml_empty_list(&y, "components");
        else {
                yaml_open(&y, "components");
                for (size_t i = 0, start = 0; i <= n; i++)
                        if (i == n || refs[i].first != refs[start].first) {
                                render_component(&y, m, refs + start, i - start);
                                start = i;
                        }
                yaml_end(&y);
        }

        artifact_set_takef(out, &b, 0644, "%s/health-checks.yaml", m->config_dir);
        return 0;
}
