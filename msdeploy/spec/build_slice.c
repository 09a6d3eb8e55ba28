/* SPDX-License-Identifier: MIT */
/* Model building for the slice tree: systemd's nested names and the budget checks (a child may not
 * exceed its parent; children whose MemoryMax adds up past the parent's are reported). */
#include <string.h>

#include "spec/build_internal.h"

static size_t count_slices(const Node *slices) {
        size_t n = 0;
        for (size_t i = 0; slices && slices->kind == NODE_MAP && i < slices->n; i++)
                n += 1 + count_slices(node_get(slices->pairs[i].value, "children"));
        return n;
}

static void check_limit(Builder *b, const Node *n, const char *key, uint64_t child, uint64_t parent, const Slice *p,
                        bool is_percent) {
        if (child == UNSET_U64 || parent == UNSET_U64 || child <= parent)
                return;
        char c[64], pa[64];
        if (is_percent)
                snprintf(c, sizeof(c), "%llu%%", (unsigned long long) child), snprintf(pa, sizeof(pa), "%llu%%", (unsigned long long) parent);
        else if (strcmp(key, "tasks_max") == 0)
                snprintf(c, sizeof(c), "%llu", (unsigned long long) child), snprintf(pa, sizeof(pa), "%llu", (unsigned long long) parent);
        else
                format_size(c, sizeof(c), child), format_size(pa, sizeof(pa), parent);
        diag_error(b->d, b_loc(n, key), "%s '%s' exceeds the parent slice '%s' (%s); a child slice cannot have more than its parent", key, c,
                   p->name, pa);
}

static void add_slices(Builder *b, const Node *slices, Slice *parent) {
        Model *m = b->m;
        for (size_t i = 0; slices && slices->kind == NODE_MAP && i < slices->n; i++) {
                const NodePair *p = &slices->pairs[i];
                const Node *n = p->value;
                if (parent && strchr(p->key, '-'))
                        diag_error(b->d, p->key_loc,
                                   "child slice key '%s' contains '-': systemd would place '%s-%s.slice' under '%s-%.*s.slice', not '%s.slice'; use '_'",
                                   p->key, parent->name, p->key, parent->name, (int) strcspn(p->key, "-"), p->key, parent->name);
                Slice *s = &m->slices[m->n_slices++];
                *s = (Slice) {
                        .key = p->key,
                        .name = parent ? arena_printf(b->a, "%s-%s", parent->name, p->key) : p->key,
                        .description = b_str(b, n, "description", NULL),
                        .limits = b_limits(n),
                        .parent = parent,
                        .loc = p->key_loc,
                };
                if (!s->description)
                        s->description = arena_printf(b->a, "%s slice %s", b_project_title(m), s->name);
                for (size_t k = 0; k + 1 < m->n_slices; k++)
                        if (strcmp(m->slices[k].name, s->name) == 0)
                                diag_error(b->d, p->key_loc, "slice '%s' is declared twice", s->name);
                if (strlen(s->name) > 240)
                        diag_error(b->d, p->key_loc, "slice name '%s' is too long for a unit name", s->name);
                const Limits *l = &s->limits;
                if (l->memory_high != UNSET_U64 && l->memory_max != UNSET_U64 && l->memory_high > l->memory_max)
                        diag_error(b->d, b_loc(n, "memory_high"), "memory_high is above memory_max in slice '%s'; it would never throttle", s->name);
                if (parent) {
                        const Limits *pl = &parent->limits;
                        check_limit(b, n, "memory_max", l->memory_max, pl->memory_max, parent, false);
                        check_limit(b, n, "memory_high", l->memory_high, pl->memory_max, parent, false);
                        check_limit(b, n, "cpu_quota", l->cpu_quota, pl->cpu_quota, parent, true);
                        check_limit(b, n, "tasks_max", l->tasks_max, pl->tasks_max, parent, false);
                }
                const Node *children = node_get(n, "children");
                add_slices(b, children, s);
                /* overcommit: children's MemoryMax adding up past the parent's */
                uint64_t sum = 0;
                for (size_t k = 0; children && children->kind == NODE_MAP && k < children->n; k++) {
                        uint64_t v = node_size(children->pairs[k].value, "memory_max", UNSET_U64);
                        if (v != UNSET_U64 && v != UINT64_MAX)
                                sum += v;
                }
                if (l->memory_max != UNSET_U64 && l->memory_max != UINT64_MAX && sum > l->memory_max) {
                        char a[64], c[64];
                        diag_warning(b->d, b_loc(n, "memory_max"),
                                     "the child slices of '%s' have MemoryMax adding up to %s, more than its own %s (overcommitted)", s->name,
                                     format_size(a, sizeof(a), sum), format_size(c, sizeof(c), l->memory_max));
                }
        }
}

void build_slices(Builder *b) {
        const Node *slices = node_get(b->root, "slices");
        b->m->slices = arena_alloc_array(b->a, count_slices(slices), sizeof(Slice));
        add_slices(b, slices, NULL);
}
