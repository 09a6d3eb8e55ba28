/* SPDX-License-Identifier: MIT */
/* The spec's node tree: YAML as maps, sequences and scalars, every node and key with its FILE:LINE:COL. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/strbuf.h"

typedef enum NodeKind {
        NODE_NULL,   /* "~", "null", or nothing: in an overlay it removes the key */
        NODE_SCALAR, /* kept as written; typing is the schema's job */
        NODE_MAP,
        NODE_SEQ,
} NodeKind; /* no _NODE_KIND_MAX: the switches over it stay exhaustive */

typedef struct Node Node;

typedef struct NodePair {
        const char *key;
        Loc key_loc;
        Node *value;
} NodePair;

struct Node {                   /* 40 bytes: a 100,000-service spec is millions of these */
        Loc loc;
        NodeKind kind : 8;
        bool quoted;                /* the scalar was quoted in the source */
        uint32_t n;                 /* number of pairs or items */
        union {
                const char *scalar; /* NODE_SCALAR */
                NodePair *pairs;    /* NODE_MAP, in source order */
                Node **items;       /* NODE_SEQ */
        };
        uint32_t *index;            /* NODE_MAP with many keys: open addressing, pair number + 1; index[-1] = slots */
};

const char *node_kind_to_string(NodeKind k);
Node *node_new(Arena *a, NodeKind kind, Loc loc);
Node *node_new_scalar(Arena *a, const char *s, Loc loc);
/* Scratch list of pairs or items, turned into an exactly sized node once complete: the first ones are kept in
 * the builder itself (most collections are small), more in malloc'ed memory. */
#define NB_INLINE 16
typedef struct NodeBuilder {
        NodePair *pairs;
        Node **items;
        size_t n, cap;
        union {
                NodePair pairs[NB_INLINE];
                Node *items[NB_INLINE];
        } in;
} NodeBuilder;

void nb_pair(NodeBuilder *b, NodePair p);
void nb_item(NodeBuilder *b, Node *item);
/* The map of the pairs added, indexed when large; b is emptied. A key given again is dropped (the first
 * pair stays) and reported through on_dup when set. */
Node *nb_map(Arena *a, NodeBuilder *b, Loc loc, void (*on_dup)(void *userdata, const NodePair *first, const NodePair *again),
             void *userdata);
Node *nb_seq(Arena *a, NodeBuilder *b, Loc loc);
/* Empties b without making a node. */
void nb_free(NodeBuilder *b);
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
/* Whether a and b are the same reading of one text: node_equal(), and every location, quoting and key index
 * alike (a text read in parts against the same text read whole). */
bool node_identical(const Node *a, const Node *b);
