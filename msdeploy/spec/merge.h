/* SPDX-License-Identifier: MIT */
/* Layer merging: maps merge key by key, sequences and scalars replace, null removes. */
#pragma once
#include "spec/node.h"

/* The merge of over onto base. Inputs are not modified; unchanged subtrees are shared, so every value
 * keeps the location it was written at (provenance). Either may be NULL. */
Node *node_merge(Arena *a, const Node *base, const Node *over);
/* Builds {k1: {k2: ... value}} for a dotted path, every level located at loc. */
Node *node_from_path(Arena *a, const char *path, Node *value, Loc loc);
