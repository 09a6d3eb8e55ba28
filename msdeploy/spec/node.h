/* SPDX-License-Identifier: MIT */
/* The spec's node tree: YAML as maps, sequences and scalars, every node and key with its FILE:LINE:COL. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/strbuf.h"

typedef enum NodeKind {
        NODE_NULL,   /* "~", "null", or nothing: in an overlay it removes the key */
        NODE_SCALAR, /* kept as written; typing is the schema's job */
        NODE_MAP,
        NODE_SEQ,
} NodeKind;

typedef struct Node Node;

typedef struct NodePair {
        const char *key;
        Loc key_loc;
        Node *value;
} NodePair;

struct Node {
        NodeKind kind;
        Loc loc;
        const char *scalar; /* NODE_SCALAR */
        bool quoted;        /* the scalar was quoted in the source */
        NodePair *pairs;    /* NODE_MAP, in source order */
        Node **items;       /* NODE_SEQ */
        size_t n;           /* number of pairs or items */
        size_t cap;         /* allocated pairs or items */
        unsigned *index;    /* NODE_MAP with many keys: open-addressing table of pair numbers + 1 */
        size_t index_cap;   /* slots in index, a power of two */
};

const char *node_kind_to_string(NodeKind k);
Node *node_new(Arena *a, NodeKind kind, Loc loc);
Node *node_new_scalar(Arena *a, const char *s, Loc loc);
/* Appends a pair to a map (or an item to a sequence), growing it; maps stay indexed for fast look-up.
 * The caller checks for duplicate keys first. */
void node_map_append(Arena *a, Node *m, NodePair p);
void node_seq_append(Arena *a, Node *s, Node *item);
/* Value of key in a map, NULL when absent or when m is not a map. */
Node *node_get(const Node *m, const char *key);
const NodePair *node_get_pair(const Node *m, const char *key);
/* Scalar text of key, or NULL when absent or not a scalar. */
const char *node_get_scalar(const Node *m, const char *key);
/* Walks a dotted path ("services.worker.restart.policy"); sequence items by number ("checks.0"). */
const Node *node_lookup(const Node *root, const char *path);
/* Writes a node as compact YAML flow text (for diff and explain output). */
void node_format(const Node *n, StrBuf *b);
bool node_equal(const Node *a, const Node *b);
