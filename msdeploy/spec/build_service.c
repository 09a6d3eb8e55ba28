/* SPDX-License-Identifier: MIT */
/* Model building for services: unit names, references (users, slices, env files, dependencies),
 * capabilities via libcap, and ordering cycles. */
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "spec/build_internal.h"
#include "spec/directives.h"
#include "spec/syntax.h"
#include "util/twin.h"
#include "util/xalloc.h"

static const char *const dep_keys[] = { "after", "before", "requires", "wants", "binds_to", "part_of" };

static const char *service_key_suggestion(Builder *b, const Node *services, const char *ref) {
        const char **keys = arena_alloc_array(b->a, services->n, sizeof(char *));
        for (size_t i = 0; i < services->n; i++)
                keys[i] = services->pairs[i].key;
        return b_closest(b, ref, keys, services->n);
}

/* Dependency list: service keys become unit names, unit names pass through. */
static StrList resolve_deps(Builder *b, const Node *services, const Node *svc, const char *self, const char *key) {
        StrList l = node_strlist(b->a, svc, key);
        const Node *list = node_get(svc, key);
        for (size_t i = 0; i < l.n; i++) {
                const char *ref = l.items[i];
                Loc at = list->items[i]->loc;
                if (strchr(ref, '.'))
                        continue; /* a unit name, already checked by the schema */
                const NodePair *p = node_get_pair(services, ref);
                if (!p) {
                        const char *near = service_key_suggestion(b, services, ref);
                        diag_error(b->d, at, "'%s' names unknown service '%s'%s%s%s; name a service of this spec or a unit such as 'network-online.target'",
                                   key, ref, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
                        continue;
                }
                if (strcmp(ref, self) == 0) {
                        diag_error(b->d, at, "service '%s' lists itself in '%s'", self, key);
                        continue;
                }
                if (node_bool(p->value, "template", false)) {
                        diag_error(b->d, at, "'%s' names template service '%s'; name an instance instead, e.g. '%s-%s@1.service'", key, ref,
                                   b->m->name, ref);
                        continue;
                }
                l.items[i] = arena_printf(b->a, "%s-%s.service", b->m->name, ref);
        }
        return l;
}

static StrList build_instances(Builder *b, const Node *svc, bool templated, const char *key) {
        StrList l = {};
        const Node *inst = node_get(svc, "instances");
        if (!inst)
                return l;
        if (!templated) {
                diag_error(b->d, inst->loc, "service '%s' has 'instances' but is not a template; add 'template: true'", key);
                return l;
        }
        if (inst->kind == NODE_SEQ)
                return node_strlist(b->a, svc, "instances");
        uint64_t n = node_uint(svc, "instances", 0);
        l.items = arena_alloc_array(b->a, n, sizeof(char *));
        for (uint64_t i = 1; i <= n; i++)
                l.items[l.n++] = arena_printf(b->a, "%llu", (unsigned long long) i);
        return l;
}

static StrList build_capabilities(Builder *b, const Node *svc) {
        StrList l = node_strlist(b->a, svc, "capabilities");
        for (size_t i = 0; i < l.n; i++) {
                cap_value_t cap;
                if (cap_from_name(l.items[i], &cap) < 0)
                        continue; /* reported by the schema */
                char *name = cap_to_name(cap);
                char *up = arena_strdup(b->a, name);
                cap_free(name);
                for (char *p = up; *p; p++)
                        if (*p >= 'a' && *p <= 'z')
                                *p = (char) (*p - 'a' + 'A');
                l.items[i] = up;
        }
        return l;
}

/* Exit statuses as systemd writes them back ("007" is 7); signal names as given. */
static StrList build_exit_statuses(Builder *b, const Node *svc) {
        StrList l = node_strlist(b->a, svc, "success_exit_status");
        for (size_t i = 0; i < l.n; i++) {
                uint64_t u;
                if (parse_uint(l.items[i], 0, 255, &u) == 0)
                        l.items[i] = arena_printf(b->a, "%u", (unsigned) u);
        }
        return l;
}

static void check_refs(Builder *b, Service *s, const Node *svc) {
        Model *m = b->m;
        if (s->user && !model_find_user(m, s->user)) {
                if (strcmp(s->user, "root") == 0)
                        diag_warning(b->d, b_loc(svc, "user"), "service '%s' runs as root; hardening cannot contain it", s->key);
                else
                        diag_error(b->d, b_loc(svc, "user"), "service '%s' runs as unknown user '%s'; declare it under 'users:'", s->key, s->user);
        }
        if (!s->user && !s->supervisor && !s->health_aggregator)
                diag_warning(b->d, s->loc, "service '%s' has no 'user' and would run as root; set 'user:' to a dedicated user", s->key);
        else if (!s->user)
                diag_warning(b->d, s->loc, "service '%s' runs msd-supervisor as root; set 'user:' to a dedicated user", s->key);
        if (s->group && !b_group_known(b, s->group))
                diag_error(b->d, b_loc(svc, "group"), "service '%s' uses unknown group '%s'; declare it under 'groups:'", s->key, s->group);
        if (s->slice && !model_find_slice(m, s->slice)) {
                const char **names = arena_alloc_array(b->a, m->n_slices, sizeof(char *));
                for (size_t i = 0; i < m->n_slices; i++)
                        names[i] = m->slices[i].name;
                const char *near = b_closest(b, s->slice, names, m->n_slices);
                diag_error(b->d, b_loc(svc, "slice"), "service '%s' names unknown slice '%s'%s%s%s", s->key, s->slice,
                           near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        }
        const Node *envs = node_get(svc, "env_files");
        for (size_t i = 0; i < s->env_files.n; i++)
                if (!model_find_env_file(m, s->env_files.items[i]))
                        diag_error(b->d, envs->items[i]->loc, "service '%s' names unknown env file '%s'; declare it under 'env_files:'", s->key,
                                   s->env_files.items[i]);
        const Slice *slice = s->slice ? model_find_slice(m, s->slice) : NULL;
        if (slice && s->resources.memory_max != UNSET_U64 && slice->limits.memory_max != UNSET_U64 &&
            s->resources.memory_max > slice->limits.memory_max) {
                char a[64], c[64];
                diag_error(b->d, b_loc(node_get(svc, "resources"), "memory_max"), "service '%s' memory_max %s exceeds its slice '%s' (%s)", s->key,
                           format_size(a, sizeof(a), s->resources.memory_max), slice->name, format_size(c, sizeof(c), slice->limits.memory_max));
        }
}

static void build_command(Builder *b, Service *s, const Node *svc) {
        const Loc at = s->loc;
        const char *cfg = s->supervisor ? "supervisor.yaml" : s->health_aggregator ? "health-checks.yaml" : NULL;
        if (s->supervisor && s->health_aggregator)
                diag_error(b->d, b_loc(svc, "health_aggregator"), "service '%s' cannot be both 'supervisor' and 'health_aggregator'", s->key);
        if (cfg && s->exec) /* the renderer writes msd-supervisor's command line */
                diag_error(b->d, b_loc(svc, "exec"), "service '%s' runs msd-supervisor, so msdeploy writes its command; remove 'exec'", s->key);
        else if (!cfg && !s->exec)
                diag_error(b->d, at, "service '%s' has no 'exec' (the command to run)", s->key);
        if (s->supervisor && !node_get(b->root, "supervision"))
                diag_error(b->d, b_loc(svc, "supervisor"), "service '%s' is a supervisor but the spec has no 'supervision:' tree", s->key);
        if (!s->templated && s->exec && strstr(s->exec, "%i"))
                diag_error(b->d, b_loc(svc, "exec"), "service '%s' uses '%%i' but is not a template; add 'template: true'", s->key);
        /* msd-supervisor stops on SIGTERM or SIGINT; any other signal would leave it running until SIGKILL */
        if (cfg && s->kill_signal && strcmp(s->kill_signal, "SIGTERM") != 0 && strcmp(s->kill_signal, "SIGINT") != 0)
                diag_error(b->d, b_loc(svc, "kill_signal"), "service '%s' runs msd-supervisor, which stops on SIGTERM or SIGINT, not '%s'; remove 'kill_signal'",
                           s->key, s->kill_signal);
        /* systemd refuses the whole unit: "Service has Restart= set to either always or on-success, which isn't allowed
         * for Type=oneshot services" */
        if (s->type == SERVICE_ONESHOT && (s->restart.policy == RESTART_ALWAYS || s->restart.policy == RESTART_ON_SUCCESS)) {
                /* at the policy when the spec set it, else at the service (the tier's default is no mistake of its own) */
                Loc policy = b_loc(node_get(svc, "restart"), "policy");
                bool own = policy.src && policy.src->text == b->m->spec_text;
                diag_error(b->d, own ? policy : s->loc,
                           "service '%s' is Type=oneshot with restart policy '%s'%s, which systemd refuses for oneshot services; set "
                           "'restart: {policy: on-failure}' or 'no'",
                           s->key, restart_policy_to_string(s->restart.policy), own ? "" : " (the tier's default)");
        }
        if (s->type == SERVICE_NOTIFY && s->watchdog == USEC_UNSET)
                diag_note(b->d, s->loc, "service '%s' is Type=notify without a watchdog; consider 'watchdog:'", s->key);
}

static void build_one(Builder *b, const Node *services, const NodePair *p, Service *s) {
        const Node *svc = p->value;
        Model *m = b->m;
        bool templated = node_bool(svc, "template", false);
        const Node *restart = node_get(svc, "restart"), *timeouts = node_get(svc, "timeouts"), *hard = node_get(svc, "hardening");
        *s = (Service) {
                .key = p->key,
                .name = arena_printf(b->a, "%s-%s%s", m->name, p->key, templated ? "@" : ""),
                .templated = templated,
                .description = b_str(b, svc, "description", arena_printf(b->a, "%s %s", b_project_title(m), p->key)),
                .type = service_type_from_string(b_str(b, svc, "type", "simple")),
                .exec = b_str(b, svc, "exec", NULL),
                .exec_start_pre = node_strlist(b->a, svc, "exec_start_pre"),
                .user = b_str(b, svc, "user", NULL),
                .group = b_str(b, svc, "group", NULL),
                .slice = b_str(b, svc, "slice", NULL),
                .working_directory = b_str(b, svc, "working_directory", NULL),
                .restart = {
                        .policy = restart_policy_from_string(b_str(b, restart, "policy", "on-failure")),
                        .delay = node_duration(restart, "delay", USEC_UNSET),
                        .burst = (unsigned) node_uint(restart, "burst", 0),
                        .interval = node_duration(restart, "interval", USEC_UNSET),
                        .steps = (unsigned) node_uint(restart, "steps", 0),
                        .max_delay = node_duration(restart, "max_delay", USEC_UNSET),
                },
                .watchdog = node_duration(svc, "watchdog", USEC_UNSET),
                .timeout_start = node_duration(timeouts, "start", USEC_UNSET),
                .timeout_stop = node_duration(timeouts, "stop", USEC_UNSET),
                .kill_signal = b_str(b, svc, "kill_signal", NULL),
                .success_exit_status = build_exit_statuses(b, svc),
                .log_level = b_str(b, svc, "log_level", b_str(b, node_get(b->root, "project"), "log_level", "info")),
                .log_format = b_str(b, svc, "log_format", b_str(b, node_get(b->root, "project"), "log_format", "text")),
                .env_files = node_strlist(b->a, svc, "env_files"),
                .capabilities = build_capabilities(b, svc),
                .hardening = hardening_profile_from_string(b_str(b, hard, "profile", "standard")),
                .read_write_paths = node_strlist(b->a, svc, "read_write_paths"),
                .resources = b_limits(node_get(svc, "resources")),
                .limit_nofile = node_uint(node_get(svc, "resources"), "limit_nofile", UNSET_U64),
                .supervisor = node_bool(svc, "supervisor", false),
                .health_aggregator = node_bool(svc, "health_aggregator", false),
                .loc = p->key_loc,
        };
        if (strlen(s->name) + strlen(".service") > 255)
                diag_error(b->d, p->key_loc, "unit name '%s.service' is longer than 255 characters", s->name);
        /* systemd takes TimeoutStartSec=0 and TimeoutStopSec=0 for no timeout at all, not for none to wait */
        static const char *const timeout_keys[][2] = { { "start", "TimeoutStartSec" }, { "stop", "TimeoutStopSec" } };
        for (size_t i = 0; i < ELEMENTSOF(timeout_keys); i++)
                if (node_duration(timeouts, timeout_keys[i][0], USEC_UNSET) == 0)
                        diag_error(b->d, b_loc(timeouts, timeout_keys[i][0]),
                                   "service '%s' timeouts.%s is 0, which systemd reads as no timeout at all (%s=0); write 'infinity' "
                                   "for that, or the longest it may take",
                                   s->key, timeout_keys[i][0], timeout_keys[i][1]);
        s->instances = build_instances(b, svc, templated, p->key);
        s->environment = b_kv(b, svc, "environment", &s->n_environment);
        b_warn_inline_secrets(b, node_get(svc, "environment"), s->environment, s->n_environment, arena_printf(b->a, "service '%s'", s->key),
                              "unit file", "put it in an env file ('env_files:', mode 0640) or pass it with 'secrets:'");
        s->hardening_overrides = b_kv(b, hard, "overrides", &s->n_hardening_overrides);
        for (size_t i = 0; i < s->n_hardening_overrides; i++) {
                const KeyValue *o = &s->hardening_overrides[i];
                char buf[256];
                const char *why = directive_check_value(o->key, o->value, buf, sizeof(buf));
                if (why)
                        diag_error(b->d, b_loc(node_get(hard, "overrides"), o->key), "service '%s' hardening override '%s=%s' %s; systemd would ignore it",
                                   s->key, o->key, o->value, why);
        }
        StrList *deps[] = { &s->after, &s->before, &s->requires, &s->wants, &s->binds_to, &s->part_of };
        for (size_t i = 0; i < ELEMENTSOF(dep_keys); i++)
                *deps[i] = resolve_deps(b, services, svc, p->key, dep_keys[i]);
        size_t n_secrets;
        KeyValue *secrets = b_kv(b, svc, "secrets", &n_secrets);
        s->secrets = arena_alloc_array(b->a, n_secrets, sizeof(Secret));
        for (size_t i = 0; i < n_secrets; i++)
                s->secrets[s->n_secrets++] = (Secret) { secrets[i].key, secrets[i].value, node_get_pair(node_get(svc, "secrets"), secrets[i].key)->key_loc };
        const Node *checks = node_get(svc, "health_checks");
        s->checks = arena_alloc_array(b->a, checks ? checks->n : 0, sizeof(HealthCheck));
        for (size_t i = 0; checks && i < checks->n; i++)
                s->checks[s->n_checks++] = build_check(b, &checks->pairs[i], p->key);
        build_command(b, s, svc);
        check_refs(b, s, svc);
}

/* Ordering cycles over After= (and reversed Before=) between this spec's services: systemd would
 * break such a cycle by dropping a job at boot, so it is an error here. */
typedef struct Graph {
        size_t *edges;  /* adjacency: successors of i are edges[start[i] .. start[i+1]) */
        size_t *start;
        unsigned char *state; /* 0 new, 1 on stack, 2 done */
        size_t *stack;
} Graph;

static size_t service_index(Builder *b, const Node *services, const char *unit) {
        size_t plen = strlen(b->m->name);
        if (strncmp(unit, b->m->name, plen) != 0 || unit[plen] != '-')
                return (size_t) -1;
        const char *key = unit + plen + 1, *dot = strrchr(key, '.');
        if (!dot || strcmp(dot, ".service") != 0)
                return (size_t) -1;
        char *k = arena_strndup(b->a, key, (size_t) (dot - key));
        const NodePair *p = node_get_pair(services, k);
        return p ? (size_t) (p - services->pairs) : (size_t) -1;
}

static void report_cycle(Builder *b, Graph *g, size_t depth, size_t from) {
        size_t first = 0;
        while (g->stack[first] != from)
                first++;
        StrBuf path = {};
        for (size_t i = first; i < depth; i++)
                sb_printf(&path, "%s -> ", b->m->services[g->stack[i]].key);
        sb_append(&path, b->m->services[from].key);
        diag_error(b->d, b->m->services[from].loc, "ordering cycle between services: %s (via 'after'/'before')", path.s);
        sb_free(&path);
}

static void find_cycles(Builder *b, Graph *g, size_t n) {
        /* iterative DFS: the stack holds the path, next[] the edge to try */
        size_t *next = xcalloc(n ? n : 1, sizeof(size_t));
        for (size_t root = 0; root < n; root++) {
                if (g->state[root])
                        continue;
                size_t depth = 0;
                g->stack[depth++] = root;
                g->state[root] = 1;
                next[root] = g->start[root];
                while (depth) {
                        size_t v = g->stack[depth - 1];
                        if (next[v] == g->start[v + 1]) {
                                g->state[v] = 2;
                                depth--;
                                continue;
                        }
                        size_t w = g->edges[next[v]++];
                        if (g->state[w] == 1)
                                report_cycle(b, g, depth, w);
                        else if (g->state[w] == 0) {
                                g->state[w] = 1;
                                next[w] = g->start[w];
                                g->stack[depth++] = w;
                        }
                }
        }
        free(next);
}

static void check_ordering_cycles(Builder *b, const Node *services) {
        Model *m = b->m;
        size_t n = m->n_services, n_edges = 0;
        for (size_t i = 0; i < n; i++)
                n_edges += m->services[i].after.n + m->services[i].before.n;
        Graph g = {
                .edges = xcalloc(n_edges + 1, sizeof(size_t)),
                .start = xcalloc(n + 1, sizeof(size_t)),
                .state = xcalloc(n + 1, 1),
                .stack = xcalloc(n + 1, sizeof(size_t)),
        };
        /* edge i -> j: i starts after j. Before= in j naming i is the same edge. Count, then fill. */
        size_t *count = xcalloc(n + 1, sizeof(size_t));
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < n; i++) {
                        const Service *s = &m->services[i];
                        for (size_t k = 0; k < s->after.n + s->before.n; k++) {
                                bool after = k < s->after.n;
                                size_t j = service_index(b, services, after ? s->after.items[k] : s->before.items[k - s->after.n]);
                                if (j == (size_t) -1)
                                        continue;
                                size_t from = after ? i : j, to = after ? j : i;
                                if (pass == 0)
                                        count[from]++;
                                else
                                        g.edges[g.start[from] + count[from]++] = to;
                        }
                }
                if (pass == 0) {
                        for (size_t i = 0; i < n; i++)
                                g.start[i + 1] = g.start[i] + count[i];
                        memset(count, 0, (n + 1) * sizeof(size_t));
                }
        }
        find_cycles(b, &g, n);
        free(count);
        free(g.edges);
        free(g.start);
        free(g.state);
        free(g.stack);
}

/* A service running the supervision tree: systemd must not SIGKILL the tree while msd-supervisor is still stopping
 * it, one child after another. Without timeouts.stop the renderer raises TimeoutStopSec= itself. */
static void check_stop_timeout(Builder *b, const Service *s, const Node *svc) {
        const Supervision *sv = &b->m->supervision;
        if (!s->supervisor || !sv->root || s->timeout_stop == USEC_UNSET || s->timeout_stop == USEC_INFINITY)
                return;
        usec_t need = supervision_stop_timeout(sv);
        if (s->timeout_stop >= need)
                return;
        const Node *timeouts = node_get(svc, "timeouts");
        Loc at = timeouts ? b_loc(timeouts, "stop") : s->loc;
        char have[64], tree[64], want[64];
        format_duration(have, sizeof(have), s->timeout_stop);
        format_duration(want, sizeof(want), need);
        if (need == USEC_INFINITY)
                diag_warning(b->d, at,
                             "service '%s' has timeouts.stop %s, but a worker of its supervision tree has shutdown 'infinity'; "
                             "systemd would SIGKILL the children msd-supervisor has not stopped yet; set timeouts.stop to 'infinity'",
                             s->key, have);
        else
                diag_warning(b->d, at,
                             "service '%s' has timeouts.stop %s, but msd-supervisor may need up to %s to stop its supervision tree "
                             "(the workers' shutdown times, one child after another); systemd would SIGKILL the children it has "
                             "not stopped yet; set timeouts.stop to at least %s",
                             s->key, have, format_duration(tree, sizeof(tree), supervision_stop_time(sv)), want);
}

/* The health aggregator's process checks look for the other services' processes: an override that hides them makes
 * those checks fail whatever runs. */
static void check_process_visibility(Builder *b, const Service *s, const Node *svc) {
        if (!model_service_watches_processes(b->m, s))
                return;
        for (size_t i = 0; i < s->n_hardening_overrides; i++) {
                const KeyValue *o = &s->hardening_overrides[i];
                if (strcmp(o->key, "ProtectProc") != 0 || strcmp(o->value, "default") == 0)
                        continue;
                diag_warning(b->d, b_loc(node_get(node_get(svc, "hardening"), "overrides"), "ProtectProc"),
                             "service '%s' runs process checks, but ProtectProc=%s hides the other services' processes from it, "
                             "so those checks always fail; remove the override or set it to 'default'",
                             s->key, o->value);
        }
}

static bool listed(const StrList *l, const char *s) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->items[i], s) == 0)
                        return true;
        return false;
}

/* The strict profile is what makes tier_3 operational: an override that protects less needs to be meant, by naming
 * its directive in hardening.allow_weaker. The baseline is what the service would get without the override. */
static void check_weaker_overrides(Builder *b, const Service *s, const Node *svc) {
        const Node *hard = node_get(svc, "hardening"), *overrides = node_get(hard, "overrides");
        StrList allowed = node_strlist(b->a, hard, "allow_weaker");
        /* a service may not quietly leave the strict profile the tier's defaults give every service (tier_3) */
        const char *tier_profile = node_get_scalar(node_get(node_get(node_get(b->root, "defaults"), "service"), "hardening"), "profile");
        if (tier_profile && hardening_profile_from_string(tier_profile) == HARDENING_STRICT && s->hardening != HARDENING_STRICT &&
            !listed(&allowed, "profile"))
                diag_error(b->d, b_loc(hard, "profile"),
                           "service '%s' has hardening profile '%s', below the tier's '%s'; add 'profile' to 'hardening.allow_weaker' if "
                           "that is meant",
                           s->key, hardening_profile_to_string(s->hardening), tier_profile);
        if (s->hardening != HARDENING_STRICT)
                return;
        /* Capabilities the strict profile lets a service keep: together they leave it rated 1.5 at most by systemd-analyze
         * security (measured on 252); any other one is for a service to ask for in allow_weaker */
        static const char *const mild[] = { "CAP_BLOCK_SUSPEND", "CAP_IPC_LOCK", "CAP_KILL", "CAP_LEASE", "CAP_NET_BIND_SERVICE",
                                            "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_SYS_NICE", "CAP_SYS_TTY_CONFIG", "CAP_WAKE_ALARM" };
        for (size_t i = 0; i < s->capabilities.n && !listed(&allowed, "CapabilityBoundingSet"); i++) {
                bool ok = false;
                for (size_t k = 0; k < ELEMENTSOF(mild) && !ok; k++)
                        ok = strcmp(mild[k], s->capabilities.items[i]) == 0;
                if (!ok)
                        diag_error(b->d, node_get(svc, "capabilities")->items[i]->loc,
                                   "service '%s' keeps %s, more than the strict profile lets a service keep; add "
                                   "'CapabilityBoundingSet' to 'hardening.allow_weaker' if that is meant",
                                   s->key, s->capabilities.items[i]);
        }
        size_t n;
        const HardeningDirective *p = hardening_profile_directives(HARDENING_STRICT, &n);
        for (size_t i = 0; i < s->n_hardening_overrides; i++) {
                const KeyValue *o = &s->hardening_overrides[i];
                char buf[256];
                if (directive_check_value(o->key, o->value, buf, sizeof(buf)))
                        continue; /* reported already */
                const char *base = NULL, *shown = NULL; /* the profile's first value, and all its lines of the key */
                for (size_t k = 0; k < n; k++)
                        if (strcmp(p[k].key, o->key) == 0) {
                                shown = shown ? arena_printf(b->a, "%s' and '%s=%s", shown, p[k].key, p[k].value)
                                              : arena_printf(b->a, "%s=%s", p[k].key, p[k].value);
                                base = base ? base : p[k].value;
                        }
                if (strcmp(o->key, "ProtectProc") == 0 && model_service_watches_processes(b->m, s))
                        base = shown = "ProtectProc=default"; /* what the renderer relaxes it to for process checks */
                if (strcmp(o->key, "PrivateUsers") == 0 && s->capabilities.n > 0)
                        base = NULL; /* left out for a service with capabilities */
                if (strcmp(o->key, "CapabilityBoundingSet") == 0 || strcmp(o->key, "AmbientCapabilities") == 0) {
                        StrBuf caps = {}; /* what the service keeps: its 'capabilities' */
                        for (size_t k = 0; k < s->capabilities.n; k++)
                                sb_printf(&caps, "%s%s", k ? " " : "", s->capabilities.items[k]);
                        base = arena_strdup(b->a, caps.s ? caps.s : "");
                        shown = arena_printf(b->a, "%s=%s", o->key, base);
                        sb_free(&caps);
                }
                if (!directive_weaker(o->key, o->value, base) || listed(&allowed, o->key))
                        continue;
                diag_error(b->d, b_loc(overrides, o->key),
                           "service '%s' sets '%s=%s', which protects less than the strict profile's '%s'; add '%s' to "
                           "'hardening.allow_weaker' if that is meant",
                           s->key, o->key, o->value, shown, o->key);
        }
}

void build_check_services(Builder *b) {
        const Node *services = node_get(b->root, "services");
        Model *m = b->m;
        for (size_t i = 0; services && i < m->n_services && i < services->n; i++) {
                check_stop_timeout(b, &m->services[i], services->pairs[i].value);
                check_process_visibility(b, &m->services[i], services->pairs[i].value);
                check_weaker_overrides(b, &m->services[i], services->pairs[i].value);
        }
}

/* A run of the services map built by one thread, with an arena and a list of diagnostics of its own. */
typedef struct ServiceRun {
        Builder b;
        const Node *services;
        size_t from, to;
} ServiceRun;

static void *build_run(void *userdata) {
        ServiceRun *r = userdata;
        for (size_t i = r->from; i < r->to; i++)
                build_one(&r->b, r->services, &r->services->pairs[i], &r->b.m->services[i]);
        return NULL;
}

/* Fewer services are built by one thread: a second costs more than it saves. */
#define SERVICES_SPLIT_MIN 1000

void build_services(Builder *b) {
        const Node *services = node_get(b->root, "services");
        Model *m = b->m;
        size_t n = services ? services->n : 0;
        m->services = arena_alloc_array(b->a, n, sizeof(Service));
        /* each service is built from its own node alone: with a second CPU, the second half of a large spec's services
         * is built on a thread of its own, and what it says follows what the first half says */
        size_t half = twin_worth(n, SERVICES_SPLIT_MIN) ? n / 2 : n;
        Diags said = { .werror = b->d->werror };
        ServiceRun first = { *b, services, 0, half }, second = { *b, services, half, n };
        second.b.a = arena_new();
        second.b.d = &said;
        Twin t;
        twin_start(&t, build_run, &second, half < n);
        build_run(&first);
        twin_join(&t);
        diags_move(b->d, &said);
        arena_adopt(b->a, second.b.a);
        m->n_services = n;
        if (services)
                check_ordering_cycles(b, services);
}
