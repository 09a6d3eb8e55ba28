/* SPDX-License-Identifier: MIT */
/* Composition: built-in defaults < tiers/T.yaml < spec < spec.tiers.T < --set, then per-item defaults.
 * Every value keeps the location it was written at, so explain and diff can say who set it. */
#include "spec/compose.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/load.h"
#include "spec/merge.h"
#include "spec/schema.h"
#include "spec/syntax.h"
#include "util/strbuf.h"
#include "util/twin.h"
#include "util/xalloc.h"


/* The lowest layer: what a spec gets when nobody says otherwise. */
static const char builtin_defaults[] =
        "version: 1\n"
        "defaults:\n"
        "  service:\n"
        "    type: simple\n"
        "    restart: {policy: on-failure, delay: 5s}\n"
        "    hardening: {profile: standard}\n"
        "  health_check:\n"
        "    interval: 30s\n"
        "    timeout: 5s\n"
        "    initial_delay: 0\n"
        "    failures_before_critical: 3\n"
        "    successes_before_passing: 1\n"
        "    critical: true\n"
        "  supervisor:\n"
        "    intensity: 1\n"
        "    period: 5s\n"
        "    shutdown: infinity\n"
        "    backoff: {kind: exponential, base: 100ms, cap: 30s, multiplier: 2, jitter: 0.1, min_uptime: 1s, reset_after: 60s}\n"
        "target:\n"
        "  wanted_by: [multi-user.target]\n";

int spec_file_load(const char *path, SpecFile **ret, Diags *d) {
        SpecFile *f = xcalloc(1, sizeof(SpecFile));
        *ret = f;
        f->arena = arena_new();
        int r = source_read_file(path, &f->source, d);
        if (r < 0)
                return r;
        r = spec_load(f->arena, f->source, &f->root, d);
        if (r < 0)
                return r;
        if (f->root->kind == NODE_NULL) {
                diag_error(d, f->root->loc, "the spec is empty; it needs at least 'project: {name: ...}'");
                return -EINVAL;
        }
        if (f->root->kind != NODE_MAP) {
                diag_error(d, f->root->loc, "a spec is a mapping of keys to values, not a %s", node_kind_to_string(f->root->kind));
                return -EINVAL;
        }
        return 0;
}

SpecFile *spec_file_free(SpecFile *f) {
        if (!f)
                return NULL;
        source_free(f->source);
        arena_free(f->arena);
        free(f);
        return NULL;
}

Spec *spec_free(Spec *s) {
        if (!s)
                return NULL;
        spec_file_free(s->own_file);
        for (size_t i = 0; i < s->n_sources; i++)
                source_free(s->sources[i]);
        free(s->sources);
        arena_free(s->arena);
        free(s);
        return NULL;
}

static void spec_keep_source(Spec *s, Source *src) {
        s->sources = xreallocarray(s->sources, s->n_sources + 1, sizeof(Source *));
        s->sources[s->n_sources++] = src;
}

char *spec_tier_canonical(const char *t) {
        if (t[0] >= '0' && t[0] <= '9' && !t[strspn(t, "0123456789")])
                return xasprintf("tier_%s", t);
        return xstrdup(t);
}

static int load_file(Spec *s, const char *path, Node **ret, Diags *d) {
        Source *src = NULL;
        int r = source_read_file(path, &src, d);
        if (src)
                spec_keep_source(s, src);
        if (r < 0)
                return r;
        return spec_load(s->arena, src, ret, d);
}

static int apply_set(Spec *s, const char *arg, Node **tree, Diags *d) {
        const char *eq = strchr(arg, '=');
        Source *src = source_new("--set", xstrdup(arg), strlen(arg));
        spec_keep_source(s, src);
        Loc at = { .src = src, .line = 1, .col = 1 };
        if (!eq || eq == arg) {
                diag_error(d, at, "--set needs PATH=VALUE, e.g. --set services.worker.instances=8");
                return -EINVAL;
        }
        _cleanup_free_ char *path = xstrndup(arg, (size_t) (eq - arg));
        for (const char *p = path; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@", *p) ||
                    (*p == '.' && (p == path || p[1] == '.' || !p[1]))) {
                        diag_error(d, at, "--set path '%s' is not a dotted key path such as 'services.worker.watchdog'", path);
                        return -EINVAL;
                }
        /* the value is YAML too, so lists and maps can be set: --set 'services.x.after=[a, b]' */
        Source *vsrc = source_new(arena_printf(s->arena, "--set %s", path), xstrdup(eq + 1), strlen(eq + 1));
        spec_keep_source(s, vsrc);
        Node *value;
        int r = spec_load(s->arena, vsrc, &value, d);
        if (r < 0)
                return r;
        *tree = node_merge(s->arena, *tree, node_from_path(s->arena, path, value, value->loc));
        return 0;
}

/* Copies of map m with each child map merged over defaults (the child's own keys win). */
static Node *apply_defaults(Arena *a, const Node *m, const Node *defaults) {
        if (!m || m->kind != NODE_MAP || !defaults)
                return (Node *) m;
        NodeBuilder nb = {};
        for (size_t i = 0; i < m->n; i++) {
                NodePair p = m->pairs[i];
                if (p.value->kind == NODE_NULL)
                        p.value = node_new(a, NODE_MAP, p.value->loc);
                if (p.value->kind == NODE_MAP)
                        p.value = node_merge(a, defaults, p.value);
                nb_pair(&nb, p);
        }
        return nb_map(a, &nb, m->loc, NULL, NULL);
}

static Node *replace_key(Arena *a, const Node *m, const char *key, Node *value) {
        if (!value || !node_get_pair(m, key))
                return (Node *) m;
        NodeBuilder nb = {};
        for (size_t i = 0; i < m->n; i++) {
                NodePair p = m->pairs[i];
                if (strcmp(p.key, key) == 0)
                        p.value = value;
                nb_pair(&nb, p);
        }
        return nb_map(a, &nb, m->loc, NULL, NULL);
}

/* A run of services merged over their defaults by one thread, into an arena of its own. */
typedef struct ServiceRun {
        Arena *arena;
        const Node *services, *service, *check; /* the services map; the defaults of a service and of a check */
        NodePair *pairs;                        /* out: the services with their defaults */
        size_t from, to;
} ServiceRun;

static void *merge_services(void *userdata) {
        ServiceRun *r = userdata;
        for (size_t i = r->from; i < r->to; i++) {
                NodePair p = r->services->pairs[i];
                if (p.value->kind == NODE_NULL)
                        p.value = node_new(r->arena, NODE_MAP, p.value->loc);
                if (p.value->kind == NODE_MAP) {
                        p.value = node_merge(r->arena, r->service, p.value);
                        /* the service's map was just made: its checks are set in place */
                        NodePair *checks = r->check ? (NodePair *) node_get_pair(p.value, "health_checks") : NULL;
                        if (checks)
                                checks->value = apply_defaults(r->arena, checks->value, r->check);
                }
                r->pairs[i] = p;
        }
        return NULL;
}

/* Fewer services are merged by one thread: a second costs more than it saves. */
#define SERVICES_SPLIT_MIN 1000

/* apply_defaults() of the services map, and of each service's checks: with a second CPU, a large map's second half
 * on a thread of its own. */
static Node *service_defaults(Arena *a, const Node *services, const Node *service, const Node *check) {
        if (!services || services->kind != NODE_MAP || !service)
                return (Node *) services;
        size_t n = services->n, half = twin_worth(n, SERVICES_SPLIT_MIN) ? n / 2 : n;
        NodePair *pairs = xcalloc(n + 1, sizeof(NodePair));
        ServiceRun first = { a, services, service, check, pairs, 0, half }, second = first;
        second.arena = arena_new();
        second.from = half, second.to = n;
        Twin t;
        twin_start(&t, merge_services, &second, half < n);
        merge_services(&first);
        twin_join(&t);
        arena_adopt(a, second.arena);
        NodeBuilder nb = {};
        for (size_t i = 0; i < n; i++)
                nb_pair(&nb, pairs[i]);
        free(pairs);
        return nb_map(a, &nb, services->loc, NULL, NULL);
}

/* Pushes defaults.service under each service, defaults.health_check under each check and
 * defaults.supervisor under each supervisor. */
static Node *expand_defaults(Arena *a, Node *tree) {
        const Node *defs = node_get(tree, "defaults");
        const Node *dcheck = node_get(defs, "health_check");
        Node *services = service_defaults(a, node_get(tree, "services"), node_get(defs, "service"), dcheck);
        tree = replace_key(a, tree, "services", services);
        Node *health = node_get(tree, "health");
        tree = replace_key(a, tree, "health", replace_key(a, health, "checks", apply_defaults(a, node_get(health, "checks"), dcheck)));
        Node *sup = node_get(tree, "supervision");
        tree = replace_key(a, tree, "supervision",
                           replace_key(a, sup, "supervisors", apply_defaults(a, node_get(sup, "supervisors"), node_get(defs, "supervisor"))));
        return tree;
}

static void check_overlays(const Node *spec, Diags *d) {
        const Node *tiers = node_get(spec, "tiers");
        if (!tiers || tiers->kind != NODE_MAP)
                return;
        for (size_t i = 0; i < tiers->n; i++) {
                const Node *o = tiers->pairs[i].value;
                if (o->kind == NODE_MAP)
                        schema_check(&spec_schema, o, CHECK_PARTIAL, d);
                const NodePair *nested = node_get_pair(o, "tiers");
                if (nested)
                        diag_error(d, nested->key_loc, "a tier overlay cannot contain 'tiers'");
        }
}

int spec_compose(const SpecOptions *o, Spec **ret, Diags *d) {
        Spec *s = xcalloc(1, sizeof(Spec));
        *ret = s;
        s->arena = arena_new();
        s->spec_path = arena_strdup(s->arena, o->spec_path);
        _cleanup_free_ char *tier = spec_tier_canonical(o->tier);
        s->tier = arena_strdup(s->arena, tier);
        size_t errors_before = d->n_errors;

        Source *bsrc = source_new("<built-in>", xstrdup(builtin_defaults), strlen(builtin_defaults));
        spec_keep_source(s, bsrc);
        Node *tree;
        int r = spec_load(s->arena, bsrc, &tree, d);
        if (r < 0)
                return r;

        const SpecFile *file = o->file;
        if (!file) {
                r = spec_file_load(o->spec_path, &s->own_file, d);
                if (r < 0)
                        return r;
                file = s->own_file;
        }
        Node *spec = file->root;
        s->spec_source = file->source;

        /* tier layer */
        const Node *overlay = node_get(node_get(spec, "tiers"), tier);
        const char *dir = o->tiers_dir;
        if (dir && syntax_check_name(tier) == NULL && strv_contains(o->tier_files, tier)) {
                _cleanup_free_ char *tier_path = xasprintf("%s/%s.yaml", dir, tier);
                Node *tnode;
                r = load_file(s, tier_path, &tnode, d);
                if (r < 0)
                        return r;
                if (tnode->kind == NODE_MAP) {
                        const NodePair *p = node_get_pair(tnode, "tiers");
                        if (p)
                                diag_error(d, p->key_loc, "a tier file cannot contain 'tiers'");
                        tree = node_merge(s->arena, tree, tnode);
                } else if (tnode->kind != NODE_NULL)
                        diag_error(d, tnode->loc, "a tier file is a mapping of keys to values");
        } else if (overlay) {
                const NodePair *tp = node_get_pair(node_get(spec, "tiers"), tier);
                diag_note(d, tp->key_loc, "no tier file %s/%s.yaml: only the spec's own 'tiers.%s' overlay applies, without tier defaults",
                          dir ? dir : "tiers", tier, tier);
        } else {
                _cleanup_(strv_freep) char **all = NULL;
                spec_list_tiers(file, o->tier_files, &all);
                StrBuf list = {};
                for (char **t = all; *t; t++)
                        sb_printf(&list, "%s%s", t == all ? "; available: " : ", ", *t);
                diag_error(d, (Loc) { .src = file->source }, "unknown tier '%s': no %s/%s.yaml and no 'tiers.%s' in the spec%s", tier,
                           dir ? dir : "tiers", tier, tier, list.s ? list.s : "");
                sb_free(&list);
                return -ENOENT;
        }

        /* spec layer, then the spec's overlay for this tier */
        const NodePair *tp = node_get_pair(spec, "tiers");
        Node *spec_body = spec;
        if (tp) {
                NodeBuilder nb = {};
                for (size_t i = 0; i < spec->n; i++)
                        if (&spec->pairs[i] != tp)
                                nb_pair(&nb, spec->pairs[i]);
                spec_body = nb_map(s->arena, &nb, spec->loc, NULL, NULL);
        }
        tree = node_merge(s->arena, tree, spec_body);
        if (overlay && overlay->kind == NODE_MAP)
                tree = node_merge(s->arena, tree, overlay);
        for (size_t i = 0; i < o->n_sets; i++)
                if (apply_set(s, o->sets[i], &tree, d) < 0)
                        r = -EINVAL;

        /* validate the merged tree (defaults not yet pushed down, so each error is reported once) */
        check_overlays(spec, d);
        schema_check(&spec_schema, tree, 0, d);
        if (tp && tp->value->kind != NODE_MAP && tp->value->kind != NODE_NULL)
                diag_error(d, tp->value->loc, "'tiers' must be a mapping of tier name to overlay");
        if (d->n_errors > errors_before)
                return -EINVAL;

        s->tier_title = node_get_scalar(node_get(tree, "tier"), "title");
        s->tree = expand_defaults(s->arena, tree);
        return r;
}

int spec_list_tiers(const SpecFile *file, char *const *tier_files, char ***ret) {
        char **v = xcalloc(1, sizeof(char *));
        for (size_t i = 0; tier_files && tier_files[i]; i++)
                strv_push(&v, xstrdup(tier_files[i]));
        const Node *tiers = node_get(file->root, "tiers");
        for (size_t i = 0; tiers && tiers->kind == NODE_MAP && i < tiers->n; i++)
                if (!strv_contains(v, tiers->pairs[i].key))
                        strv_push(&v, xstrdup(tiers->pairs[i].key));
        strv_sort(v);
        *ret = v;
        return (int) strv_length(v);
}
