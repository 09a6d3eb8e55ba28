/* SPDX-License-Identifier: MIT */
/* Reading msd-supervisor's configuration with the spec's own loader and schema checker, into the model's
 * types (Supervision, SvSupervisor, SvWorker, HealthCheck). */
#include "supervisor/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/load.h"
#include "spec/node-values.h"
#include "spec/schema.h"
#include "spec/syntax.h"
#include "util/xalloc.h"

static const Schema c_string = { S_STRING, "text" };
static const Schema c_name = { S_NAME, "a name" };
static const Schema c_user = { S_USER, "a user or group name" };
static const Schema c_command = { S_COMMAND, "a command line" };
static const Schema c_address = { S_ADDRESS, "host:port" };
static const Schema c_duration = { S_DURATION, "a duration" };
static const Schema c_count = { S_INT, "a count", .min = 0, .max = 1000000 };
static const Schema c_version = { S_INT, "config version", .min = 1, .max = 1 };
static const Schema c_bool = { S_BOOL, "true or false" };
static const Schema c_number = { S_FLOAT, "a number" };
static const Schema c_fraction = { S_FLOAT, "a fraction", .min = 0, .max = 1 };
static const Schema c_factor = { S_FLOAT, "a factor", .min = 1, .max = 100 };
static const Schema c_env = { S_DICT, "environment", .item = &c_string, .key = &(const Schema) { S_ENV_NAME } };
static const Schema c_units = { S_LIST, "unit names", .item = &(const Schema) { S_UNIT_REF, "a unit name" } };

static const Schema c_phi = { S_OBJECT, "phi accrual detector", .fields = SCHEMA_FIELDS(
        { "threshold", &c_number, false, "" },
        { "max_samples", &c_count, false, "" },
        { "min_stddev", &c_duration, false, "" },
        { "acceptable_pause", &c_duration, false, "" }) };
static const Schema c_backoff = { S_OBJECT, "backoff", .fields = SCHEMA_FIELDS(
        { "kind", &(const Schema) { S_ENUM, "backoff kind", backoff_kind_table }, false, "" },
        { "base", &c_duration, false, "" },
        { "cap", &c_duration, false, "" },
        { "multiplier", &c_factor, false, "" },
        { "jitter", &c_fraction, false, "" },
        { "min_uptime", &c_duration, false, "" },
        { "reset_after", &c_duration, false, "" }) };
static const Schema c_child_ref = { S_OBJECT, "a child", .fields = SCHEMA_FIELDS(
        { "name", &c_name, true, "" },
        { "type", &(const Schema) { S_ENUM, "child type", SCHEMA_VALUES("supervisor", "worker") }, true, "" }) };
static const Schema c_supervisor = { S_OBJECT, "a supervisor", .label = "supervisor", .fields = SCHEMA_FIELDS(
        { "name", &c_name, true, "" },
        { "strategy", &(const Schema) { S_ENUM, "strategy", strategy_table }, false, "" },
        { "intensity", &c_count, false, "" },
        { "period", &c_duration, false, "" },
        { "shutdown", &c_duration, false, "" },
        { "backoff", &c_backoff, false, "" },
        { "children", &(const Schema) { S_LIST, "children in start order", .item = &c_child_ref }, true, "" }) };
static const Schema c_worker = { S_OBJECT, "a worker", .label = "worker", .fields = SCHEMA_FIELDS(
        { "name", &c_name, true, "" },
        { "exec", &c_command, true, "" },
        { "restart", &(const Schema) { S_ENUM, "restart", child_restart_table }, false, "" },
        { "shutdown", &c_duration, false, "" },
        { "readiness", &(const Schema) { S_ENUM, "readiness", readiness_table }, false, "" },
        { "check", &c_string, false, "" },
        { "start_timeout", &c_duration, false, "" },
        { "critical", &c_bool, false, "" },
        { "user", &c_user, false, "" },
        { "group", &c_user, false, "" },
        { "environment", &c_env, false, "" },
        { "env_files", &(const Schema) { S_LIST, "env file paths", .item = &(const Schema) { S_PATH, "a path" } }, false, "" },
        { "credentials", &(const Schema) { S_DICT, "variable: credential id", .item = &c_name, .key = &(const Schema) { S_ENV_NAME } }, false,
          "" }) };
static const Schema c_check = { S_OBJECT, "a health check", .label = "check", .fields = SCHEMA_FIELDS(
        { "name", &c_name, true, "" },
        { "kind", &(const Schema) { S_ENUM, "check kind", health_kind_table }, true, "" },
        { "target", &c_string, true, "" },
        { "database", &(const Schema) { S_ENUM, "database", SCHEMA_VALUES("postgresql", "tcp") }, false, "" },
        { "interval", &c_duration, false, "" },
        { "timeout", &c_duration, false, "" },
        { "initial_delay", &c_duration, false, "" },
        { "failures_before_critical", &c_count, false, "" },
        { "successes_before_passing", &c_count, false, "" },
        { "critical", &c_bool, false, "" }) };
static const Schema c_component = { S_OBJECT, "a component", .label = "component", .fields = SCHEMA_FIELDS(
        { "name", &c_name, true, "" },
        { "units", &c_units, false, "" },
        { "checks", &(const Schema) { S_LIST, "checks", .item = &c_check }, false, "" }) };
static const Schema c_alert = { S_OBJECT, "an alert rule", .label = "alert", .fields = SCHEMA_FIELDS(
        { "name", &c_name, true, "" },
        { "metric", &(const Schema) { S_ENUM, "metric", SCHEMA_VALUES("memory_percent", "memory_bytes", "cpu_percent", "pids", "oom_kills",
                                                                        "tcp_established", "tcp_time_wait") }, true, "" },
        { "threshold", &c_number, true, "" },
        { "clear", &c_number, false, "" },
        { "breaches", &c_count, false, "" }) };
static const Schema c_monitor = { S_OBJECT, "resource monitoring", .fields = SCHEMA_FIELDS(
        { "interval", &c_duration, false, "" },
        { "alerts", &(const Schema) { S_LIST, "alert rules", .item = &c_alert }, false, "" }) };
static const Schema c_aggregation = { S_DICT, "aggregation rules (informative)", .item = &c_string };

static const Schema sv_config_schema = { S_OBJECT, "an msd-supervisor configuration", .fields = SCHEMA_FIELDS(
        { "version", &c_version, false, "" },
        { "project", &c_name, false, "" },
        { "listen", &c_address, false, "" },
        { "phi", &c_phi, false, "" },
        { "root", &c_name, false, "" },
        { "supervisors", &(const Schema) { S_LIST, "supervisors", .item = &c_supervisor }, false, "" },
        { "workers", &(const Schema) { S_LIST, "workers", .item = &c_worker }, false, "" },
        { "aggregation", &c_aggregation, false, "" },
        { "components", &(const Schema) { S_LIST, "components", .item = &c_component }, false, "" },
        { "monitor", &c_monitor, false, "" }) };

SvConfig *sv_config_free(SvConfig *c) {
        if (!c)
                return NULL;
        source_free(c->source);
        arena_free(c->arena);
        free(c);
        return NULL;
}

static void read_checks(SvConfig *c, SvComponent *comp, const Node *list, Diags *d) {
        comp->checks = arena_alloc_array(c->arena, list ? list->n : 0, sizeof(HealthCheck));
        for (size_t i = 0; list && i < list->n; i++) {
                const Node *n = list->items[i];
                HealthCheck *k = &comp->checks[comp->n_checks++];
                *k = node_health_check(n, node_str(n, "name", ""), comp->name, n->loc);
                const char *why = syntax_check_check_target(k->kind, k->target);
                if (why)
                        diag_error(d, node_get(n, "target")->loc, "%s check '%s' target '%s' %s", health_kind_to_string(k->kind), k->name, k->target, why);
        }
}

static void read_supervision(SvConfig *c, const Node *root, Diags *d) {
        Supervision *s = &c->supervision;
        size_t errors = d->n_errors;
        const Node *phi = node_get(root, "phi"), *sups = node_get(root, "supervisors"), *workers = node_get(root, "workers");
        s->listen = c->listen;
        node_sv_phi(phi, s);
        s->workers = arena_alloc_array(c->arena, workers ? workers->n : 0, sizeof(SvWorker));
        for (size_t i = 0; workers && i < workers->n; i++) {
                const Node *w = workers->items[i];
                SvWorker *x = &s->workers[s->n_workers++];
                *x = node_sv_worker(c->arena, w, node_str(w, "name", ""), w->loc);
                if (x->readiness == READINESS_CHECK && !x->check)
                        diag_error(d, w->loc, "worker '%s' has 'readiness: check' but no 'check'", x->name);
                const char *why = x->check ? syntax_check_readiness_check(x->check) : NULL;
                if (why)
                        diag_error(d, node_get(w, "check")->loc, "worker '%s' check '%s' %s", x->name, x->check, why);
                const KeyValue *twice = sv_worker_credential_in_environment(x);
                if (twice)
                        diag_error(d, node_get_pair(node_get(w, "credentials"), twice->key)->key_loc,
                                   "worker '%s' sets '%s' both in 'environment' and in 'credentials'", x->name, twice->key);
                for (size_t k = 0; k + 1 < s->n_workers; k++)
                        if (strcmp(s->workers[k].name, x->name) == 0)
                                diag_error(d, w->loc, "worker '%s' is declared twice", x->name);
        }
        s->supervisors = arena_alloc_array(c->arena, sups ? sups->n : 0, sizeof(SvSupervisor));
        for (size_t i = 0; sups && i < sups->n; i++) {
                const Node *n = sups->items[i];
                SvSupervisor *x = &s->supervisors[s->n_supervisors++];
                *x = node_sv_supervisor(n, node_str(n, "name", ""), n->loc);
                for (size_t k = 0; k + 1 < s->n_supervisors; k++)
                        if (strcmp(s->supervisors[k].name, x->name) == 0)
                                diag_error(d, n->loc, "supervisor '%s' is declared twice", x->name);
                for (size_t k = 0; k < s->n_workers; k++)
                        if (strcmp(s->workers[k].name, x->name) == 0)
                                diag_error(d, n->loc, "'%s' is both a supervisor and a worker", x->name);
        }
        /* children by name; each supervisor and worker has one parent and the tree has no cycle */
        size_t n_nodes = s->n_supervisors + s->n_workers;
        const char **parent = arena_alloc_array(c->arena, n_nodes + 1, sizeof(char *));
        for (size_t i = 0; sups && i < sups->n; i++) {
                SvSupervisor *sv = &s->supervisors[i];
                const Node *list = node_get(sups->items[i], "children");
                sv->children = arena_alloc_array(c->arena, list ? list->n : 0, sizeof(SvChildRef));
                for (size_t k = 0; list && k < list->n; k++) {
                        const Node *ref = list->items[k];
                        SvChildRef cr = { .name = node_str(ref, "name", ""), .loc = ref->loc };
                        bool is_sup = strcmp(node_str(ref, "type", ""), "supervisor") == 0;
                        size_t idx = (size_t) -1;
                        for (size_t j = 0; j < (is_sup ? s->n_supervisors : s->n_workers); j++)
                                if (strcmp(is_sup ? s->supervisors[j].name : s->workers[j].name, cr.name) == 0)
                                        idx = j;
                        if (idx == (size_t) -1) {
                                diag_error(d, ref->loc, "supervisor '%s' names unknown %s '%s'", sv->name, is_sup ? "supervisor" : "worker", cr.name);
                                continue;
                        }
                        size_t slot = is_sup ? idx : s->n_supervisors + idx;
                        if (parent[slot]) {
                                diag_error(d, ref->loc, "'%s' is already a child of '%s'", cr.name, parent[slot]);
                                continue;
                        }
                        parent[slot] = sv->name;
                        if (is_sup)
                                cr.supervisor = &s->supervisors[idx];
                        else
                                cr.worker = &s->workers[idx];
                        sv->children[sv->n_children++] = cr;
                }
        }
        const char *root_name = node_str(root, "root", NULL);
        if (!root_name) {
                if (s->n_supervisors > 0)
                        diag_error(d, root->loc, "the configuration has supervisors but no 'root'");
                return;
        }
        for (size_t i = 0; i < s->n_supervisors && !s->root; i++)
                if (strcmp(s->supervisors[i].name, root_name) == 0)
                        s->root = &s->supervisors[i];
        if (!s->root) {
                diag_error(d, node_get(root, "root")->loc, "root supervisor '%s' is not declared under 'supervisors'", root_name);
                return;
        }
        if (parent[s->root - s->supervisors])
                diag_error(d, node_get(root, "root")->loc, "root supervisor '%s' is a child of '%s' (a cycle)", root_name,
                           parent[s->root - s->supervisors]);
        /* what the root does not reach never runs: a supervisor cycle beside the tree, a forgotten worker (said once
         * the names and links are right, which it depends on) */
        if (d->n_errors > errors)
                return;
        _cleanup_free_ bool *sup_ok = xcalloc(s->n_supervisors + 1, sizeof(bool)), *worker_ok = xcalloc(s->n_workers + 1, sizeof(bool));
        supervision_reachable(s, sup_ok, worker_ok);
        for (size_t i = 0; i < s->n_supervisors; i++)
                if (!sup_ok[i])
                        diag_error(d, s->supervisors[i].loc, "supervisor '%s' is not reachable from root '%s'%s, so it would never run", s->supervisors[i].name,
                                   root_name, parent[i] ? " (a cycle of supervisors beside the tree)" : "");
        for (size_t i = 0; i < s->n_workers; i++)
                if (!worker_ok[i])
                        diag_error(d, s->workers[i].loc, "worker '%s' is not reachable from root '%s', so it would never run", s->workers[i].name, root_name);
}

int sv_config_load(const char *path, SvConfig **ret, Diags *d) {
        SvConfig *c = xcalloc(1, sizeof(SvConfig));
        *ret = c;
        c->arena = arena_new();
        size_t errors = d->n_errors;
        int r = source_read_file(path, &c->source, d);
        if (r < 0)
                return r;
        Node *root;
        r = spec_load(c->arena, c->source, &root, d);
        if (r < 0)
                return r;
        if (root->kind != NODE_MAP) {
                diag_error(d, root->loc, "a configuration is a mapping of keys to values");
                return -EINVAL;
        }
        if (schema_check(&sv_config_schema, root, 0, d) < 0)
                return -EINVAL;
        c->project = node_str(root, "project", "msd");
        c->listen = node_str(root, "listen", NULL);
        read_supervision(c, root, d);
        const Node *comps = node_get(root, "components");
        c->components = arena_alloc_array(c->arena, comps ? comps->n : 0, sizeof(SvComponent));
        for (size_t i = 0; comps && i < comps->n; i++) {
                SvComponent *comp = &c->components[c->n_components++];
                comp->name = node_str(comps->items[i], "name", "");
                comp->units = node_strlist(c->arena, comps->items[i], "units");
                read_checks(c, comp, node_get(comps->items[i], "checks"), d);
        }
        const Node *mon = node_get(root, "monitor"), *alerts = node_get(mon, "alerts");
        c->monitor_interval = node_duration(mon, "interval", 10 * USEC_PER_SEC);
        c->alerts = arena_alloc_array(c->arena, alerts ? alerts->n : 0, sizeof(SvAlertRule));
        for (size_t i = 0; alerts && i < alerts->n; i++) {
                const Node *n = alerts->items[i];
                SvAlertRule *a = &c->alerts[c->n_alerts++];
                *a = (SvAlertRule) {
                        .name = node_str(n, "name", ""),
                        .metric = sv_alert_metric_from_string(node_str(n, "metric", "")),
                        .threshold = node_double(n, "threshold", 0),
                        .breaches = (unsigned) node_uint(n, "breaches", 3),
                };
                a->clear = node_double(n, "clear", a->threshold);
                if (sv_alert_rule_validate(a) < 0)
                        diag_error(d, n->loc, "alert '%s' is not valid: 'clear' must not exceed 'threshold' and 'breaches' be at least 1", a->name);
        }
        return d->n_errors > errors ? -EINVAL : 0;
}

