/* SPDX-License-Identifier: MIT */
/* The spec's node tree: construction, lookup by key and path, comparison and compact printing. */
#include "spec/node.h"

#include <stdlib.h>
#include <string.h>

#include "util/enum-table.h"
#include "util/xalloc.h"

static const char *const node_kind_table[] = {
        [NODE_NULL] = "null",
        [NODE_SCALAR] = "scalar",
        [NODE_MAP] = "mapping",
        [NODE_SEQ] = "sequence",
};
ENUM_TO_STRING(node_kind, NodeKind, ELEMENTSOF(node_kind_table))

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

static size_t index_slots(size_t n) {
        size_t slots = 16;
        while (slots < n * 2)
                slots *= 2;
        return slots;
}

/* Makes room for one more entry of size bytes in *storage (b->pairs or b->items). */
static void nb_grow(NodeBuilder *b, void **storage, size_t size) {
        if (!*storage) {
                *storage = &b->in;
                b->cap = sizeof(b->in) / size;
                return;
        }
        size_t cap = b->cap * 2;
        void *p = xreallocarray(*storage == (void *) &b->in ? NULL : *storage, cap, size);
        if (*storage == (void *) &b->in)
                memcpy(p, &b->in, b->n * size);
        *storage = p;
        b->cap = cap;
}

void nb_pair(NodeBuilder *b, NodePair p) {
        if (b->n == b->cap)
                nb_grow(b, (void **) &b->pairs, sizeof(NodePair));
        b->pairs[b->n++] = p;
}

void nb_item(NodeBuilder *b, Node *item) {
        if (b->n == b->cap)
                nb_grow(b, (void **) &b->items, sizeof(Node *));
        b->items[b->n++] = item;
}

void nb_free(NodeBuilder *b) {
        if (b->pairs != b->in.pairs)
                free(b->pairs);
        if (b->items != b->in.items)
                free(b->items);
        b->pairs = NULL;
        b->items = NULL;
        b->n = b->cap = 0;
}

Node *nb_map(Arena *a, NodeBuilder *b, Loc loc, void (*on_dup)(void *userdata, const NodePair *first, const NodePair *again),
             void *userdata) {
        Node *m = node_new(a, NODE_MAP, loc);
        m->pairs = arena_alloc_array(a, b->n, sizeof(NodePair));
        size_t slots = index_slots(b->n), mask = slots - 1;
        if (b->n >= INDEX_MIN_KEYS) { /* index[0]: number of slots; the table follows */
                uint32_t *raw = arena_alloc_array(a, slots + 1, sizeof(uint32_t));
                raw[0] = (uint32_t) slots;
                m->index = raw + 1;
        }
        for (size_t i = 0; i < b->n; i++) {
                const NodePair *first = NULL;
                size_t slot = 0;
                if (m->index) {
                        for (slot = hash_key(b->pairs[i].key) & mask; m->index[slot]; slot = (slot + 1) & mask)
                                if (strcmp(m->pairs[m->index[slot] - 1].key, b->pairs[i].key) == 0) {
                                        first = &m->pairs[m->index[slot] - 1];
                                        break;
                                }
                } else
                        first = node_get_pair(m, b->pairs[i].key);
                if (first) {
                        if (on_dup)
                                on_dup(userdata, first, &b->pairs[i]);
                        continue;
                }
                m->pairs[m->n] = b->pairs[i];
                if (m->index)
                        m->index[slot] = m->n + 1;
                m->n++;
        }
        nb_free(b);
        return m;
}

Node *nb_seq(Arena *a, NodeBuilder *b, Loc loc) {
        Node *s = node_new(a, NODE_SEQ, loc);
        s->items = arena_alloc_array(a, b->n, sizeof(Node *));
        if (b->n)
                memcpy(s->items, b->items, b->n * sizeof(Node *));
        s->n = (uint32_t) b->n;
        nb_free(b);
        return s;
}

const NodePair *node_get_pair(const Node *m, const char *key) {
        if (!m || m->kind != NODE_MAP)
                return NULL;
        if (m->index) {
                size_t mask = m->index[-1] - 1;
                for (size_t i = hash_key(key) & mask; m->index[i]; i = (i + 1) & mask)
                        if (strcmp(m->pairs[m->index[i] - 1].key, key) == 0)
                                return &m->pairs[m->index[i] - 1];
                return NULL;
        }
        for (size_t i = 0; i < m->n; i++)
                if (m->pairs[i].key[0] == key[0] && strcmp(m->pairs[i].key, key) == 0)
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

/* The one walk of node_equal() and node_identical(): located also compares locations, quoting and key indexes. */
static bool same_nodes(const Node *a, const Node *b, bool located) {
        if (a == b)
                return true;
        if (!a || !b || a->kind != b->kind || a->n != b->n)
                return false;
        if (located && (a->quoted != b->quoted || a->loc.src != b->loc.src || a->loc.line != b->loc.line || a->loc.col != b->loc.col))
                return false;
        switch (a->kind) {
        case NODE_NULL:
                return true;
        case NODE_SCALAR:
                return strcmp(a->scalar, b->scalar) == 0;
        case NODE_SEQ:
                for (size_t i = 0; i < a->n; i++)
                        if (!same_nodes(a->items[i], b->items[i], located))
                                return false;
                return true;
        case NODE_MAP:
                for (size_t i = 0; i < a->n; i++) {
                        const NodePair *x = &a->pairs[i], *y = &b->pairs[i];
                        if (strcmp(x->key, y->key) != 0 || !same_nodes(x->value, y->value, located))
                                return false;
                        if (located && (x->key_loc.line != y->key_loc.line || x->key_loc.col != y->key_loc.col || node_get_pair(a, x->key) != x))
                                return false;
                }
                return true;
        }
        return false;
}

bool node_equal(const Node *a, const Node *b) {
        return same_nodes(a, b, false);
}

bool node_identical(const Node *a, const Node *b) {
        return same_nodes(a, b, true);
}
