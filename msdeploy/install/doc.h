/* SPDX-License-Identifier: MIT */
/* msdeploy's own JSON documents (manifest, release record, journal, saved plan) and msd-supervisor's
 * /health answer, read into the spec loader's node tree by a strict JSON reader with its depth bound. */
#pragma once
#include "spec/load.h"

typedef struct Doc {
        Arena *arena;
        Source *src;
        Node *root;              /* a map */
} Doc;

/* Parses text (len bytes; not copied: strings are); -EBADMSG when it is not a JSON object, with an error in
 * d naming the line, column and reason. */
int doc_parse(const char *name, const char *text, size_t len, Doc *ret, Diags *d);
void doc_done(Doc *d);
