/* SPDX-License-Identifier: MIT */
/* Loading YAML into the node tree with libyaml's event API, bounded against hostile input. */
#pragma once
#include "spec/node.h"

#define LOAD_MAX_BYTES (256u * 1024 * 1024) /* one input file: 100,000 services fit with room */
#define LOAD_MAX_DEPTH 64                  /* nesting of maps and sequences */
#define LOAD_MAX_ALIAS_NODES 100000        /* nodes reachable through aliases, beyond the document's own */

/* Reads a file (at most LOAD_MAX_BYTES). Errors go to d with the path; returns -errno. */
int source_read_file(const char *path, Source **ret, Diags *d);
/* Parses one YAML document from src (empty input gives a null node). Every error goes to d. */
int spec_load(Arena *a, const Source *src, Node **ret, Diags *d);
