/* SPDX-License-Identifier: MIT */
/* Layer merging: maps merge key by key, sequences and scalars replace, null removes. */
#include "spec/merge.h"

#include <string.h>

Node *node_merge(Arena *a, const Node *base, const Node *over) {
        if (!over)
                return (Node *) base;
        if (!base || base->kind != NODE_MAP || over->kind != NODE_MAP)
                return (Node *) over;
        Node *m = node_new(a, NODE_MAP, base->loc);
        m->pairs = arena_alloc_array(a, base->n + over->n, sizeof(NodePair));
        for (size_t i = 0; i < base->n; i++) {
                const NodePair *o = node_get_pair(over, base->pairs[i].key);
                if (!o) {
                        m->pairs[m->n++] = base->pairs[i];
                        continue;
                }
                if (o->value->kind == NODE_NULL)
                        continue; /* removed */
                NodePair p = base->pairs[i];
                p.value = node_merge(a, base->pairs[i].value, o->value);
                if (p.value != base->pairs[i].value && p.value->kind != NODE_MAP)
                        p.key_loc = o->key_loc;
                m->pairs[m->n++] = p;
        }
        for (size_t i = 0; i < over->n; i++)
                if (!node_get_pair(base, over->pairs[i].key) && over->pairs[i].value->kind != NODE_NULL)
                        m->pairs[m->n++] = over->pairs[i];
        return m;
}

Node *node_drop_nulls(Arena *a, const Node *n) {
        if (!n || n->kind != NODE_MAP)
                return (Node *) n;
        Node *m = node_new(a, NODE_MAP, n->loc);
        m->pairs = arena_alloc_array(a, n->n, sizeof(NodePair));
        for (size_t i = 0; i < n->n; i++) {
                if (n->pairs[i].value->kind == NODE_NULL)
                        continue;
                m->pairs[m->n] = n->pairs[i];
                m->pairs[m->n++].value = node_drop_nulls(a, n->pairs[i].value);
        }
        return m;
}

Node *node_from_path(Arena *a, const char *path, Node *value, Loc loc) {
        const char *dot = strrchr(path, '.');
        const char *key = dot ? dot + 1 : path;
        Node *m = node_new(a, NODE_MAP, loc);
        m->pairs = arena_alloc(a, sizeof(NodePair));
        m->pairs[0] = (NodePair) { .key = arena_strdup(a, key), .key_loc = loc, .value = value };
        m->n = 1;
        if (!dot)
                return m;
        return node_from_path(a, arena_strndup(a, path, (size_t) (dot - path)), m, loc);
}
