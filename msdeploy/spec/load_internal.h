/* SPDX-License-Identifier: MIT */
/* The loader's parts (spec/load*.c and their tests only): one stretch of a text, and a large text in halves. */
#pragma once
#include "spec/load.h"

/* Parses the bytes [from, to) of src->text (from at a line start, first_line lines before it) as one YAML
 * document, its nodes at depth below the document's root, their locations in src. *ret_alone (may be NULL) says
 * whether the stretch stands alone: no anchor or alias in it. Errors go to d; returns -errno. */
int spec_load_part(Arena *a, const Source *src, size_t from, size_t to, unsigned first_line, unsigned depth, Node **ret,
                   bool *ret_alone, Diags *d);

/* Texts smaller than this are parsed whole: a thread costs more than it saves. */
#define LOAD_HALVES_MIN_BYTES (1024u * 1024)

/* Parses a large src (which scan_bytes() found clean) in two halves on two threads, the tree the same as one pass
 * gives. -EAGAIN, leaving d alone, when it is small, does not split cleanly near its middle, or either half says
 * anything at all: the caller then parses it whole, which reports what there is to report. */
int spec_load_halves(Arena *a, const Source *src, Node **ret);
/* The same, split at the first clean place at or after the byte offset near, whatever the size. */
int spec_load_halves_at(Arena *a, const Source *src, size_t near, Node **ret);
