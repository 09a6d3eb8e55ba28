/* SPDX-License-Identifier: MIT */
/* The typed deployment model: enum names, look-ups and release. */
#include "spec/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/enum-table.h"
#include "util/xalloc.h"

const char *const service_type_table[_SERVICE_TYPE_MAX + 1] = {
        [SERVICE_SIMPLE] = "simple",
        [SERVICE_EXEC] = "exec",
        [SERVICE_NOTIFY] = "notify",
        [SERVICE_ONESHOT] = "oneshot",
};
ENUM_STRING_TABLE(service_type, ServiceType, _SERVICE_TYPE_MAX)

const char *const restart_policy_table[_RESTART_POLICY_MAX + 1] = {
        [RESTART_NO] = "no",
        [RESTART_ON_SUCCESS] = "on-success",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ON_ABNORMAL] = "on-abnormal",
        [RESTART_ON_WATCHDOG] = "on-watchdog",
        [RESTART_ON_ABORT] = "on-abort",
        [RESTART_ALWAYS] = "always",
};
ENUM_STRING_TABLE(restart_policy, RestartPolicy, _RESTART_POLICY_MAX)

const char *const hardening_profile_table[_HARDENING_PROFILE_MAX + 1] = {
        [HARDENING_BASIC] = "basic",
        [HARDENING_STANDARD] = "standard",
        [HARDENING_STRICT] = "strict",
};
ENUM_STRING_TABLE(hardening_profile, HardeningProfile, _HARDENING_PROFILE_MAX)

const char *const health_kind_table[_HEALTH_KIND_MAX + 1] = {
        [HEALTH_HTTP] = "http",
        [HEALTH_TCP] = "tcp",
        [HEALTH_PROCESS] = "process",
        [HEALTH_DATABASE] = "database",
        [HEALTH_SCRIPT] = "script",
};
ENUM_STRING_TABLE(health_kind, HealthKind, _HEALTH_KIND_MAX)

const char *const strategy_table[_STRATEGY_MAX + 1] = {
        [STRATEGY_ONE_FOR_ONE] = "one_for_one",
        [STRATEGY_ONE_FOR_ALL] = "one_for_all",
        [STRATEGY_REST_FOR_ONE] = "rest_for_one",
};
ENUM_STRING_TABLE(strategy, Strategy, _STRATEGY_MAX)

const char *const backoff_kind_table[_BACKOFF_KIND_MAX + 1] = {
        [BACKOFF_EXPONENTIAL] = "exponential",
        [BACKOFF_LINEAR] = "linear",
        [BACKOFF_ADAPTIVE] = "adaptive",
        [BACKOFF_NONE] = "none",
};
ENUM_STRING_TABLE(backoff_kind, BackoffKind, _BACKOFF_KIND_MAX)

const char *const child_restart_table[_CHILD_RESTART_MAX + 1] = {
        [CHILD_PERMANENT] = "permanent",
        [CHILD_TRANSIENT] = "transient",
        [CHILD_TEMPORARY] = "temporary",
};
ENUM_STRING_TABLE(child_restart, ChildRestart, _CHILD_RESTART_MAX)

const char *const readiness_table[_READINESS_MAX + 1] = {
        [READINESS_NONE] = "none",
        [READINESS_NOTIFY] = "notify",
        [READINESS_CHECK] = "check",
};
ENUM_STRING_TABLE(readiness, Readiness, _READINESS_MAX)

static usec_t add_saturating(usec_t a, usec_t b) {
        if (a == USEC_INFINITY || b == USEC_INFINITY || a >= USEC_UNSET - b)
                return USEC_INFINITY;
        return a + b;
}

void supervision_reachable(const Supervision *sv, bool *ret_supervisors, bool *ret_workers) {
        memset(ret_supervisors, 0, sv->n_supervisors * sizeof(bool));
        memset(ret_workers, 0, sv->n_workers * sizeof(bool));
        if (!sv->root)
                return;
        /* depth first, each supervisor once: a cycle or a second parent stops nothing */
        const SvSupervisor **stack = xcalloc(sv->n_supervisors + 1, sizeof(*stack));
        size_t depth = 0;
        stack[depth++] = sv->root;
        ret_supervisors[sv->root - sv->supervisors] = true;
        while (depth > 0) {
                const SvSupervisor *s = stack[--depth];
                for (size_t i = 0; i < s->n_children; i++) {
                        const SvChildRef *c = &s->children[i];
                        if (c->worker)
                                ret_workers[c->worker - sv->workers] = true;
                        else if (c->supervisor && !ret_supervisors[c->supervisor - sv->supervisors]) {
                                ret_supervisors[c->supervisor - sv->supervisors] = true;
                                stack[depth++] = c->supervisor;
                        }
                }
        }
        free(stack);
}

usec_t supervision_stop_time(const Supervision *sv) {
        /* one child after another: the shutdown times of the workers the tree runs add up */
        _cleanup_free_ bool *sups = xcalloc(sv->n_supervisors + 1, sizeof(bool)), *workers = xcalloc(sv->n_workers + 1, sizeof(bool));
        supervision_reachable(sv, sups, workers);
        usec_t total = 0;
        for (size_t i = 0; i < sv->n_workers; i++)
                if (workers[i])
                        total = add_saturating(total, sv->workers[i].shutdown);
        return total;
}

usec_t supervision_stop_timeout(const Supervision *sv) {
        return add_saturating(supervision_stop_time(sv), SV_STOP_MARGIN);
}

const KeyValue *sv_worker_credential_in_environment(const SvWorker *w) {
        for (size_t i = 0; i < w->n_credentials; i++)
                for (size_t k = 0; k < w->n_environment; k++)
                        if (strcmp(w->credentials[i].key, w->environment[k].key) == 0)
                                return &w->credentials[i];
        return NULL;
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
