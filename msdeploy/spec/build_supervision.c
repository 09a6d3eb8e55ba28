/* SPDX-License-Identifier: MIT */
/* Model building for health checks, the supervision tree (references, one parent each, no cycles, workers'
 * env files and credentials) and alert rules. */
#include <string.h>

#include "spec/build_internal.h"
#include "spec/syntax.h"

HealthCheck build_check(Builder *b, const NodePair *p, const char *component) {
        const Node *n = p->value;
        HealthCheck c = node_health_check(n, p->key, component ? component : p->key, p->key_loc);
        const char *why = syntax_check_check_target(c.kind, c.target);
        if (!why && c.kind == HEALTH_HTTP && syntax_secret_hint(NULL, c.target))
                diag_warning(b->d, b_loc(n, "target"), "http check '%s' target has a password in its URL, and lands in the world-readable "
                             "health-checks.yaml; let the endpoint answer health checks without one", c.name);
        if (why)
                diag_error(b->d, b_loc(n, "target"), "%s check '%s' target '%s' %s", health_kind_to_string(c.kind), c.name, c.target, why);
        if (c.timeout != USEC_INFINITY && c.interval != USEC_INFINITY && c.timeout > c.interval)
                diag_warning(b->d, b_loc(n, "timeout"), "check '%s' has a timeout longer than its interval", c.name);
        return c;
}

void build_checks(Builder *b) {
        const Node *health = node_get(b->root, "health");
        const Node *checks = node_get(health, "checks");
        Model *m = b->m;
        m->health_listen = b_str(b, health, "listen", NULL);
        m->checks = arena_alloc_array(b->a, checks ? checks->n : 0, sizeof(HealthCheck));
        for (size_t i = 0; checks && i < checks->n; i++)
                m->checks[m->n_checks++] = build_check(b, &checks->pairs[i], NULL);
}

/* Whether user (NULL: root) may read env file f: as its owner, or through its group. */
static bool env_file_readable(Builder *b, const EnvFile *f, const char *user) {
        if (!user || strcmp(user, "root") == 0)
                return true;
        if (strcmp(f->owner, user) == 0)
                return f->mode & 0400;
        const User *u = model_find_user(b->m, user);
        bool member = u && strcmp(u->group, f->group) == 0;
        for (size_t i = 0; u && i < u->groups.n && !member; i++)
                member = strcmp(u->groups.items[i], f->group) == 0;
        return member && (f->mode & 0040);
}

static bool service_loads_credential(const Service *svc, const char *id) {
        for (size_t i = 0; i < svc->n_secrets; i++)
                if (strcmp(svc->secrets[i].id, id) == 0)
                        return true;
        return false;
}

/* A worker's credentials are files in $CREDENTIALS_DIRECTORY of each unit that runs msd-supervisor: every one
 * must load them (LoadCredential=, its 'secrets:'), and only that unit's user can read them, so the worker runs
 * as that user. */
static void check_worker_credentials(Builder *b, const Node *w, const SvWorker *x) {
        const Node *creds = node_get(w, "credentials");
        const KeyValue *twice = sv_worker_credential_in_environment(x);
        if (twice)
                diag_error(b->d, node_get_pair(creds, twice->key)->key_loc, "worker '%s' sets '%s' both in 'environment' and in 'credentials'",
                           x->name, twice->key);
        if (x->n_credentials == 0)
                return;
        size_t units = 0;
        for (size_t j = 0; j < b->m->n_services; j++) {
                const Service *svc = &b->m->services[j];
                if (!svc->supervisor)
                        continue;
                units++;
                for (size_t k = 0; k < x->n_credentials; k++)
                        if (!service_loads_credential(svc, x->credentials[k].value))
                                diag_error(b->d, b_loc(creds, x->credentials[k].key),
                                           "worker '%s' names credential '%s', which service '%s' (it runs msd-supervisor) does not load; "
                                           "add it to that service's 'secrets:'",
                                           x->name, x->credentials[k].value, svc->key);
                const char *owner = svc->user ? svc->user : "root";
                if (x->user && strcmp(x->user, owner) != 0)
                        diag_error(b->d, b_loc(w, "user"),
                                   "worker '%s' runs as '%s' and has credentials, which only '%s' can read, the user service '%s' "
                                   "runs msd-supervisor as; drop the worker's 'user' or make it '%s'",
                                   x->name, x->user, owner, svc->key, owner);
        }
        if (units == 0)
                diag_error(b->d, creds->loc, "worker '%s' has credentials, but no service runs msd-supervisor ('supervisor: true') to load them",
                           x->name);
}

/* Depth-first from the root: each supervisor and worker has one parent; a supervisor met again on
 * the current path is a cycle. */
static void walk_tree(Builder *b, SvSupervisor *s, unsigned char *state, const char **parent_of) {
        Supervision *sv = &b->m->supervision;
        size_t idx = (size_t) (s - sv->supervisors);
        state[idx] = 1;
        for (size_t i = 0; i < s->n_children; i++) {
                SvChildRef *c = &s->children[i];
                if (c->worker) {
                        size_t w = (size_t) (c->worker - sv->workers);
                        if (parent_of[sv->n_supervisors + w])
                                diag_error(b->d, c->loc, "worker '%s' is already a child of '%s'; a worker has one supervisor", c->name,
                                           parent_of[sv->n_supervisors + w]);
                        else
                                parent_of[sv->n_supervisors + w] = s->name;
                        continue;
                }
                size_t k = (size_t) (c->supervisor - sv->supervisors);
                if (state[k] == 1) {
                        diag_error(b->d, c->loc, "supervision cycle: '%s' is its own ancestor (through '%s')", c->name, s->name);
                        continue;
                }
                if (parent_of[k]) {
                        diag_error(b->d, c->loc, "supervisor '%s' is already a child of '%s'; the supervision tree is a tree", c->name,
                                   parent_of[k]);
                        continue;
                }
                parent_of[k] = s->name;
                walk_tree(b, c->supervisor, state, parent_of);
        }
        state[idx] = 2;
}

void build_supervision(Builder *b) {
        const Node *n = node_get(b->root, "supervision");
        if (!n)
                return;
        Supervision *sv = &b->m->supervision;
        const Node *sups = node_get(n, "supervisors"), *workers = node_get(n, "workers"), *phi = node_get(n, "phi");
        sv->listen = b_str(b, n, "listen", "127.0.0.1:9090");
        node_sv_phi(phi, sv);
        sv->workers = arena_alloc_array(b->a, workers ? workers->n : 0, sizeof(SvWorker));
        for (size_t i = 0; workers && i < workers->n; i++) {
                const Node *w = workers->pairs[i].value;
                SvWorker *x = &sv->workers[sv->n_workers++];
                *x = node_sv_worker(b->a, w, workers->pairs[i].key, workers->pairs[i].key_loc);
                if (x->readiness == READINESS_CHECK && !x->check)
                        diag_error(b->d, b_loc(w, "readiness"), "worker '%s' has 'readiness: check' but no 'check' to run", x->name);
                const char *why = x->check ? syntax_check_readiness_check(x->check) : NULL;
                if (why)
                        diag_error(b->d, b_loc(w, "check"), "worker '%s' check '%s' %s", x->name, x->check, why);
                else if (x->check && x->readiness != READINESS_CHECK)
                        diag_warning(b->d, b_loc(w, "check"), "worker '%s' has a 'check' but readiness '%s', so it never runs; set 'readiness: check'",
                                     x->name, readiness_to_string(x->readiness));
                else if (x->check && syntax_secret_hint(NULL, x->check))
                        diag_warning(b->d, b_loc(w, "check"), "worker '%s' check has a password in its URL, and lands in the world-readable "
                                     "supervisor.yaml; let the endpoint answer readiness checks without one", x->name);
                b_warn_inline_secrets(b, node_get(w, "environment"), x->environment, x->n_environment, arena_printf(b->a, "worker '%s'", x->name),
                                      "supervisor.yaml", "put it in an env file and list it in the worker's 'env_files', or pass a "
                                      "credential of the unit running msd-supervisor with 'credentials:'");
                check_worker_credentials(b, w, x);
                if (x->user && !b_user_known(b, x->user))
                        diag_error(b->d, b_loc(w, "user"), "worker '%s' runs as unknown user '%s'", x->name, x->user);
                for (size_t k = 0; k < x->env_files.n; k++) { /* keys become the paths msd-supervisor reads */
                        const EnvFile *f = model_find_env_file(b->m, x->env_files.items[k]);
                        for (size_t j = 0; f && j < b->m->n_services; j++) {
                                const Service *svc = &b->m->services[j];
                                if (svc->supervisor && !env_file_readable(b, f, svc->user))
                                        diag_error(b->d, node_get(w, "env_files")->items[k]->loc,
                                                   "worker '%s' env file '%s' (owner '%s', group '%s', mode %04o) cannot be read by '%s', "
                                                   "the user service '%s' runs msd-supervisor as; give the file that group",
                                                   x->name, f->key, f->owner, f->group, (unsigned) f->mode, svc->user, svc->key);
                        }
                        if (f)
                                x->env_files.items[k] = f->path;
                        else
                                diag_error(b->d, node_get(w, "env_files")->items[k]->loc, "worker '%s' names unknown env file '%s'; declare it under 'env_files:'",
                                           x->name, x->env_files.items[k]);
                }
        }
        sv->supervisors = arena_alloc_array(b->a, sups ? sups->n : 0, sizeof(SvSupervisor));
        for (size_t i = 0; sups && i < sups->n; i++) {
                const Node *s = sups->pairs[i].value;
                sv->supervisors[sv->n_supervisors++] = node_sv_supervisor(s, sups->pairs[i].key, sups->pairs[i].key_loc);
                if (node_get_pair(workers, sups->pairs[i].key))
                        diag_error(b->d, sups->pairs[i].key_loc, "'%s' is both a supervisor and a worker", sups->pairs[i].key);
        }
        for (size_t i = 0; i < sv->n_supervisors; i++) {
                SvSupervisor *s = &sv->supervisors[i];
                const Node *list = node_get(sups->pairs[i].value, "children");
                StrList names = node_strlist(b->a, sups->pairs[i].value, "children");
                s->children = arena_alloc_array(b->a, names.n, sizeof(SvChildRef));
                for (size_t k = 0; k < names.n; k++) {
                        SvChildRef c = { .name = names.items[k], .loc = list->items[k]->loc };
                        const NodePair *sp = node_get_pair(sups, c.name), *wp = node_get_pair(workers, c.name);
                        if (sp)
                                c.supervisor = &sv->supervisors[sp - sups->pairs];
                        else if (wp)
                                c.worker = &sv->workers[wp - workers->pairs];
                        else {
                                diag_error(b->d, c.loc, "supervisor '%s' names unknown child '%s'; declare it under 'supervisors:' or 'workers:'",
                                           s->name, c.name);
                                continue;
                        }
                        s->children[s->n_children++] = c;
                }
        }
        const char *root = b_str(b, n, "root", NULL);
        const NodePair *rp = node_get_pair(sups, root);
        if (!rp) {
                diag_error(b->d, b_loc(n, "root"), "root supervisor '%s' is not declared under 'supervisors:'", root);
                return;
        }
        sv->root = &sv->supervisors[rp - sups->pairs];
        unsigned char *state = arena_alloc(b->a, sv->n_supervisors + 1);
        const char **parent_of = arena_alloc_array(b->a, sv->n_supervisors + sv->n_workers + 1, sizeof(char *));
        parent_of[sv->root - sv->supervisors] = "(root)";
        walk_tree(b, sv->root, state, parent_of);
        for (size_t i = 0; i < sv->n_supervisors; i++)
                if (!parent_of[i])
                        diag_warning(b->d, sv->supervisors[i].loc, "supervisor '%s' is not reachable from root '%s', ignoring", sv->supervisors[i].name,
                                     root);
        for (size_t i = 0; i < sv->n_workers; i++)
                if (!parent_of[sv->n_supervisors + i])
                        diag_warning(b->d, sv->workers[i].loc, "worker '%s' is not reachable from root '%s', ignoring", sv->workers[i].name, root);
        /* supervisors beside the tree are left out, but a cycle among them is a mistake to say so */
        for (size_t i = 0; i < sv->n_supervisors; i++)
                if (!state[i])
                        walk_tree(b, &sv->supervisors[i], state, parent_of);
}

/* "memory-pressure" in project "mister-smith" -> "MisterSmithMemoryPressure" */
static const char *alert_name(Builder *b, const char *project, const char *key) {
        char *s = arena_printf(b->a, "%s-%s", project, key), *o = s;
        bool up = true;
        for (const char *p = s; *p; p++) {
                if (*p == '-' || *p == '_' || *p == '.') {
                        up = true;
                        continue;
                }
                *o++ = up && *p >= 'a' && *p <= 'z' ? (char) (*p - 'a' + 'A') : *p;
                up = false;
        }
        *o = 0;
        return s;
}

void build_alerts(Builder *b) {
        const Node *alerts = node_get(node_get(b->root, "monitoring"), "alerts");
        Model *m = b->m;
        m->alerts = arena_alloc_array(b->a, alerts ? alerts->n : 0, sizeof(Alert));
        for (size_t i = 0; alerts && i < alerts->n; i++) {
                const Node *n = alerts->pairs[i].value;
                const char *kind = b_str(b, n, "kind", "service_down");
                double def = strcmp(kind, "latency") == 0 ? 1 : 90;
                Alert a = {
                        .name = alert_name(b, m->name, alerts->pairs[i].key),
                        .kind = kind,
                        .threshold = node_double(n, "threshold", def),
                        .for_ = node_duration(n, "for", 5 * 60 * USEC_PER_SEC),
                        .severity = b_str(b, n, "severity", "warning"),
                        .loc = alerts->pairs[i].key_loc,
                };
                if ((strcmp(kind, "memory") == 0 || strcmp(kind, "cpu") == 0) && (a.threshold <= 0 || a.threshold > 100))
                        diag_error(b->d, b_loc(n, "threshold"), "alert '%s' threshold must be a percentage between 0 and 100", alerts->pairs[i].key);
                m->alerts[m->n_alerts++] = a;
        }
}
