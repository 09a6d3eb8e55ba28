/* SPDX-License-Identifier: MIT */
/* Typed values of a checked node tree: the schema vetted the syntax, so a value that does not parse can
 * only be an absent key, which yields the default. Used by the model builder and msd-supervisor's config. */
#include "spec/node-values.h"
#include "supervisor/core/phi.h" /* the detector's defaults */

usec_t node_duration(const Node *n, const char *key, usec_t def) {
        usec_t u;
        return parse_duration(node_get_scalar(n, key), &u) < 0 ? def : u;
}

uint64_t node_size(const Node *n, const char *key, uint64_t def) {
        uint64_t u;
        return parse_size(node_get_scalar(n, key), &u) < 0 ? def : u;
}

uint64_t node_percent(const Node *n, const char *key, uint64_t def) {
        uint64_t u;
        return parse_percent(node_get_scalar(n, key), &u) < 0 ? def : u;
}

uint64_t node_uint(const Node *n, const char *key, uint64_t def) {
        uint64_t u;
        return parse_uint(node_get_scalar(n, key), 0, UINT64_MAX, &u) < 0 ? def : u;
}

double node_double(const Node *n, const char *key, double def) {
        double f;
        return parse_double(node_get_scalar(n, key), &f) < 0 ? def : f;
}

bool node_bool(const Node *n, const char *key, bool def) {
        bool v;
        const char *s = node_get_scalar(n, key);
        return s && parse_bool(s, &v) >= 0 ? v : def;
}

mode_t node_mode(const Node *n, const char *key, mode_t def) {
        mode_t v;
        return parse_mode(node_get_scalar(n, key), &v) < 0 ? def : v;
}

StrList node_strlist(Arena *a, const Node *n, const char *key) {
        const Node *l = node_get(n, key);
        StrList r = {};
        if (!l || l->kind != NODE_SEQ)
                return r;
        r.items = arena_alloc_array(a, l->n, sizeof(char *));
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i]->kind == NODE_SCALAR)
                        r.items[r.n++] = l->items[i]->scalar;
        return r;
}

KeyValue *node_key_values(Arena *a, const Node *n, const char *key, size_t *ret_n) {
        const Node *m = node_get(n, key);
        *ret_n = 0;
        if (!m || m->kind != NODE_MAP)
                return NULL;
        KeyValue *kv = arena_alloc_array(a, m->n, sizeof(KeyValue));
        for (size_t i = 0; i < m->n; i++)
                if (m->pairs[i].value->kind == NODE_SCALAR)
                        kv[(*ret_n)++] = (KeyValue) { m->pairs[i].key, m->pairs[i].value->scalar };
        return kv;
}

const char *node_str(const Node *n, const char *key, const char *def) {
        const char *v = node_get_scalar(n, key);
        return v ? v : def;
}

SvWorker node_sv_worker(Arena *a, const Node *n, const char *name, Loc loc) {
        SvWorker w = {
                .name = name,
                .exec = node_str(n, "exec", NULL),
                .restart = child_restart_from_string(node_str(n, "restart", "permanent")),
                .shutdown = node_duration(n, "shutdown", 5 * USEC_PER_SEC),
                .readiness = readiness_from_string(node_str(n, "readiness", "none")),
                .check = node_str(n, "check", NULL),
                .start_timeout = node_duration(n, "start_timeout", SV_DEFAULT_START_TIMEOUT),
                .critical = node_bool(n, "critical", false),
                .user = node_str(n, "user", NULL),
                .group = node_str(n, "group", NULL),
                .env_files = node_strlist(a, n, "env_files"),
                .loc = loc,
        };
        w.environment = node_key_values(a, n, "environment", &w.n_environment);
        w.credentials = node_key_values(a, n, "credentials", &w.n_credentials);
        return w;
}

SvSupervisor node_sv_supervisor(const Node *n, const char *name, Loc loc) {
        const Node *b = node_get(n, "backoff");
        return (SvSupervisor) {
                .name = name,
                .strategy = strategy_from_string(node_str(n, "strategy", "one_for_one")),
                .intensity = (unsigned) node_uint(n, "intensity", 1),
                .period = node_duration(n, "period", 5 * USEC_PER_SEC),
                .shutdown = node_duration(n, "shutdown", USEC_INFINITY),
                .backoff = {
                        .kind = backoff_kind_from_string(node_str(b, "kind", "exponential")),
                        .base = node_duration(b, "base", 100 * USEC_PER_MSEC),
                        .cap = node_duration(b, "cap", 30 * USEC_PER_SEC),
                        .multiplier = node_double(b, "multiplier", 2),
                        .jitter = node_double(b, "jitter", 0.1),
                        .min_uptime = node_duration(b, "min_uptime", USEC_PER_SEC),
                        .reset_after = node_duration(b, "reset_after", 60 * USEC_PER_SEC),
                },
                .loc = loc,
        };
}

HealthCheck node_health_check(const Node *n, const char *name, const char *component, Loc loc) {
        return (HealthCheck) {
                .name = name,
                .component = component,
                .kind = health_kind_from_string(node_str(n, "kind", "tcp")),
                .target = node_str(n, "target", ""),
                .database = node_str(n, "database", "tcp"),
                .interval = node_duration(n, "interval", 30 * USEC_PER_SEC),
                .timeout = node_duration(n, "timeout", 5 * USEC_PER_SEC),
                .initial_delay = node_duration(n, "initial_delay", 0),
                .failures_before_critical = (unsigned) node_uint(n, "failures_before_critical", 3),
                .successes_before_passing = (unsigned) node_uint(n, "successes_before_passing", 1),
                .critical = node_bool(n, "critical", true),
                .loc = loc,
        };
}

void node_sv_phi(const Node *phi, Supervision *s) {
        s->phi_threshold = node_double(phi, "threshold", SV_PHI_DEFAULT_THRESHOLD);
        s->phi_max_samples = (unsigned) node_uint(phi, "max_samples", SV_PHI_DEFAULT_MAX_SAMPLES);
        s->phi_min_stddev = node_duration(phi, "min_stddev", SV_PHI_DEFAULT_MIN_STDDEV);
        s->phi_acceptable_pause = node_duration(phi, "acceptable_pause", SV_PHI_DEFAULT_ACCEPTABLE_PAUSE);
}
