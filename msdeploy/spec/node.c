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

const NodePair *node_get_pair(const Node *m, const char *key) {
        if (!m || m->kind != NODE_MAP)
                return NULL;
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
