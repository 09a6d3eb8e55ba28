/* SPDX-License-Identifier: MIT */
/* Layer merging: maps merge key by key, sequences and scalars replace, null removes. */
#include "spec/merge.h"

#include <string.h>

Node *node_merge(Arena *a, const Node *base, const Node *over) {
        if (!over)
                return (Node *) base;
        if (!base || base->kind != NODE_MAP || over->kind != NODE_MAP)
                return (Node *) over;
        NodeBuilder nb = {};
        for (size_t i = 0; i < base->n; i++) {
                const NodePair *o = node_get_pair(over, base->pairs[i].key);
                if (!o) {
                        nb_pair(&nb, base->pairs[i]);
                        continue;
                }
                if (o->value->kind == NODE_NULL)
                        continue; /* removed */
                NodePair p = base->pairs[i];
                p.value = node_merge(a, base->pairs[i].value, o->value);
                if (p.value != base->pairs[i].value && p.value->kind != NODE_MAP)
                        p.key_loc = o->key_loc;
                nb_pair(&nb, p);
        }
        for (size_t i = 0; i < over->n; i++)
                if (!node_get_pair(base, over->pairs[i].key) && over->pairs[i].value->kind != NODE_NULL)
                        nb_pair(&nb, over->pairs[i]);
        return nb_map(a, &nb, over->loc, NULL, NULL); /* the last writer of a map owns it (missing keys point there) */
}

Node *node_from_path(Arena *a, const char *path, Node *value, Loc loc) {
        const char *dot = strrchr(path, '.');
        const char *key = dot ? dot + 1 : path;
        NodeBuilder nb = {};
        nb_pair(&nb, (NodePair) { .key = arena_strdup(a, key), .key_loc = loc, .value = value });
        Node *m = nb_map(a, &nb, loc, NULL, NULL);
        if (!dot)
                return m;
        return node_from_path(a, arena_strndup(a, path, (size_t) (dot - path)), m, loc);
}
