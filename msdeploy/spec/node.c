/* SPDX-License-Identifier: MIT */
/* The spec's node tree: construction, lookup by key and path, comparison and compact printing. */
#include "spec/node.h"

#include <stdlib.h>
#include <string.h>

const char *node_kind_to_string(NodeKind k) {
        static const char *const names[] = { "null", "scalar", "mapping", "sequence" };
        return (unsigned) k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

Node *node_new(Arena *a, NodeKind kind, Loc loc) {
        Node *n = arena_alloc(a, sizeof(Node));
        n->kind = kind;
        n->loc = loc;
        return n;
}

Node *node_new_scalar(Arena *a, const char *s, Loc loc) {
        Node *n = node_new(a, NODE_SCALAR, loc);
        n->scalar = arena_strdup(a, s);
        return n;
}

#define INDEX_MIN_KEYS 8

static size_t hash_key(const char *s) {
        size_t h = 1469598103934665603ULL; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static void index_insert(Node *m, size_t pair) {
        size_t mask = m->index_cap - 1;
        for (size_t i = hash_key(m->pairs[pair].key) & mask;; i = (i + 1) & mask)
                if (!m->index[i]) {
                        m->index[i] = (unsigned) pair + 1;
                        return;
                }
}

static void index_rebuild(Arena *a, Node *m) {
        m->index_cap = 16;
        while (m->index_cap < m->cap * 2)
                m->index_cap *= 2;
        m->index = arena_alloc_array(a, m->index_cap, sizeof(unsigned));
        for (size_t i = 0; i < m->n; i++)
                index_insert(m, i);
}

void node_map_append(Arena *a, Node *m, NodePair p) {
        if (m->n == m->cap) {
                m->cap = m->cap ? m->cap * 2 : 4;
                NodePair *pairs = arena_alloc_array(a, m->cap, sizeof(NodePair));
                if (m->n)
                        memcpy(pairs, m->pairs, m->n * sizeof(NodePair));
                m->pairs = pairs;
                if (m->cap >= INDEX_MIN_KEYS)
                        index_rebuild(a, m);
        }
        m->pairs[m->n++] = p;
        if (m->index)
                index_insert(m, m->n - 1);
}

void node_seq_append(Arena *a, Node *s, Node *item) {
        if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 4;
                Node **items = arena_alloc_array(a, s->cap, sizeof(Node *));
                if (s->n)
                        memcpy(items, s->items, s->n * sizeof(Node *));
                s->items = items;
        }
        s->items[s->n++] = item;
}

const NodePair *node_get_pair(const Node *m, const char *key) {
        if (!m || m->kind != NODE_MAP)
                return NULL;
        if (m->index) {
                size_t mask = m->index_cap - 1;
                for (size_t i = hash_key(key) & mask; m->index[i]; i = (i + 1) & mask)
                        if (strcmp(m->pairs[m->index[i] - 1].key, key) == 0)
                                return &m->pairs[m->index[i] - 1];
                return NULL;
        }
        for (size_t i = 0; i < m->n; i++)
                if (strcmp(m->pairs[i].key, key) == 0)
                        return &m->pairs[i];
        return NULL;
}

Node *node_get(const Node *m, const char *key) {
        const NodePair *p = node_get_pair(m, key);
        return p ? p->value : NULL;
}

const char *node_get_scalar(const Node *m, const char *key) {
        const Node *v = node_get(m, key);
        return v && v->kind == NODE_SCALAR ? v->scalar : NULL;
}

const Node *node_lookup(const Node *root, const char *path) {
        const Node *n = root;
        const char *p = path;
        while (n && *p) {
                const char *dot = strchr(p, '.');
                size_t len = dot ? (size_t) (dot - p) : strlen(p);
                if (n->kind == NODE_MAP) {
                        const Node *next = NULL;
                        for (size_t i = 0; i < n->n; i++)
                                if (strlen(n->pairs[i].key) == len && strncmp(n->pairs[i].key, p, len) == 0)
                                        next = n->pairs[i].value;
                        n = next;
                } else if (n->kind == NODE_SEQ) {
                        char *end;
                        unsigned long idx = strtoul(p, &end, 10);
                        n = end == p + len && len > 0 && idx < n->n ? n->items[idx] : NULL;
                } else
                        return NULL;
                p += len;
                if (*p == '.')
                        p++;
        }
        return n;
}

static bool scalar_needs_quotes(const char *s) {
        if (!*s)
                return true;
        for (const char *p = s; *p; p++)
                if (strchr(",[]{}:#\"'", *p) || *p == ' ')
                        return true;
        return false;
}

void node_format(const Node *n, StrBuf *b) {
        switch (n ? n->kind : NODE_NULL) {
        case NODE_NULL:
                sb_append(b, "null");
                break;
        case NODE_SCALAR:
                if (scalar_needs_quotes(n->scalar)) {
                        sb_putc(b, '"');
                        for (const char *p = n->scalar; *p; p++) {
                                if (*p == '"' || *p == '\\')
                                        sb_putc(b, '\\');
                                sb_putc(b, *p);
                        }
                        sb_putc(b, '"');
                } else
                        sb_append(b, n->scalar);
                break;
        case NODE_SEQ:
                sb_putc(b, '[');
                for (size_t i = 0; i < n->n; i++) {
                        if (i)
                                sb_append(b, ", ");
                        node_format(n->items[i], b);
                }
                sb_putc(b, ']');
                break;
        case NODE_MAP:
                sb_putc(b, '{');
                for (size_t i = 0; i < n->n; i++) {
                        sb_append(b, i ? ", " : "");
                        sb_append(b, n->pairs[i].key);
                        sb_append(b, ": ");
                        node_format(n->pairs[i].value, b);
                }
                sb_putc(b, '}');
                break;
        }
}

bool node_equal(const Node *a, const Node *b) {
        if (a == b)
                return true;
        if (!a || !b || a->kind != b->kind || a->n != b->n)
                return false;
        switch (a->kind) {
        case NODE_NULL:
                return true;
        case NODE_SCALAR:
                return strcmp(a->scalar, b->scalar) == 0;
        case NODE_SEQ:
                for (size_t i = 0; i < a->n; i++)
                        if (!node_equal(a->items[i], b->items[i]))
                                return false;
                return true;
        case NODE_MAP:
                for (size_t i = 0; i < a->n; i++)
                        if (strcmp(a->pairs[i].key, b->pairs[i].key) != 0 || !node_equal(a->pairs[i].value, b->pairs[i].value))
                                return false;
                return true;
        }
        return false;
}
