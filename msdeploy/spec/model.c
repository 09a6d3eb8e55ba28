/* SPDX-License-Identifier: MIT */
/* The typed deployment model: enum names, look-ups and release. */
#include "spec/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int lookup(const char *const *table, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return (int) i;
        return -1;
}

#define ENUM_STRINGS(name, type, max, ...)                                                  \
        static const char *const name##_table[max] = { __VA_ARGS__ };                       \
        const char *name##_to_string(type v) {                                              \
                return (unsigned) v < (unsigned) (max) ? name##_table[v] : NULL;            \
        }                                                                                   \
        type name##_from_string(const char *s) {                                            \
                return (type) lookup(name##_table, (size_t) (max), s);                      \
        }

ENUM_STRINGS(service_type, ServiceType, _SERVICE_TYPE_MAX, "simple", "exec", "notify", "oneshot")
ENUM_STRINGS(restart_policy, RestartPolicy, _RESTART_POLICY_MAX, "no", "on-success", "on-failure", "on-abnormal",
             "on-watchdog", "on-abort", "always")
ENUM_STRINGS(hardening_profile, HardeningProfile, _HARDENING_PROFILE_MAX, "basic", "standard", "strict")
ENUM_STRINGS(health_kind, HealthKind, _HEALTH_KIND_MAX, "http", "tcp", "process", "database", "script")
ENUM_STRINGS(strategy, Strategy, _STRATEGY_MAX, "one_for_one", "one_for_all", "rest_for_one")
ENUM_STRINGS(backoff_kind, BackoffKind, _BACKOFF_KIND_MAX, "exponential", "linear", "adaptive", "none")
ENUM_STRINGS(child_restart, ChildRestart, _CHILD_RESTART_MAX, "permanent", "transient", "temporary")
ENUM_STRINGS(readiness, Readiness, _READINESS_MAX, "none", "notify", "check")

static usec_t add_saturating(usec_t a, usec_t b) {
        if (a == USEC_INFINITY || b == USEC_INFINITY || a >= USEC_UNSET - b)
                return USEC_INFINITY;
        return a + b;
}

usec_t supervision_stop_time(const Supervision *sv) {
        if (!sv->root)
                return 0;
        /* depth first over the supervisors reachable from the root, each once (a built tree has no cycle, and
         * every child one parent) */
        const SvSupervisor **stack = xcalloc(sv->n_supervisors + 1, sizeof(*stack));
        bool *seen = xcalloc(sv->n_supervisors + 1, sizeof(bool));
        usec_t total = 0;
        size_t depth = 0;
        stack[depth++] = sv->root;
        if ((size_t) (sv->root - sv->supervisors) < sv->n_supervisors)
                seen[sv->root - sv->supervisors] = true;
        while (depth > 0) {
                const SvSupervisor *s = stack[--depth];
                for (size_t i = 0; i < s->n_children; i++) {
                        const SvChildRef *c = &s->children[i];
                        if (c->worker)
                                total = add_saturating(total, c->worker->shutdown);
                        else if (c->supervisor) {
                                size_t k = (size_t) (c->supervisor - sv->supervisors);
                                if (k >= sv->n_supervisors || seen[k])
                                        continue;
                                seen[k] = true;
                                stack[depth++] = c->supervisor;
                        }
                }
        }
        free(stack);
        free(seen);
        return total;
}

usec_t supervision_stop_timeout(const Supervision *sv) {
        return add_saturating(supervision_stop_time(sv), SV_STOP_MARGIN);
}

bool model_service_watches_processes(const Model *m, const Service *s) {
        if (!s->health_aggregator)
                return false;
        for (size_t i = 0; i < m->n_checks; i++)
                if (m->checks[i].kind == HEALTH_PROCESS)
                        return true;
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; j < m->services[i].n_checks; j++)
                        if (m->services[i].checks[j].kind == HEALTH_PROCESS)
                                return true;
        return false;
}

Model *model_free(Model *m) {
        if (m)
                arena_free(m->arena); /* the model itself lives in its arena */
        return NULL;
}

const Slice *model_find_slice(const Model *m, const char *name) {
        for (size_t i = 0; i < m->n_slices; i++)
                if (strcmp(m->slices[i].name, name) == 0)
                        return &m->slices[i];
        return NULL;
}

const Service *model_find_service(const Model *m, const char *key) {
        for (size_t i = 0; i < m->n_services; i++)
                if (strcmp(m->services[i].key, key) == 0)
                        return &m->services[i];
        return NULL;
}

const User *model_find_user(const Model *m, const char *name) {
        for (size_t i = 0; i < m->n_users; i++)
                if (strcmp(m->users[i].name, name) == 0)
                        return &m->users[i];
        return NULL;
}

const EnvFile *model_find_env_file(const Model *m, const char *key) {
        for (size_t i = 0; i < m->n_env_files; i++)
                if (strcmp(m->env_files[i].key, key) == 0)
                        return &m->env_files[i];
        return NULL;
}
