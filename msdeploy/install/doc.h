/* SPDX-License-Identifier: MIT */
/* msdeploy's own JSON documents (manifest, release record, journal, saved plan) read back with the YAML
 * loader: JSON is YAML, and the loader's size and depth bounds hold for them too. */
#pragma once
#include "spec/load.h"

typedef struct Doc {
        Arena *arena;
        Source *src;
        Node *root;              /* a map */
} Doc;

/* Parses text (copied); -EBADMSG when it is not a JSON object, with the loader's message in err. */
int doc_parse(const char *name, const char *text, size_t len, Doc *ret, char *err, size_t err_size);
void doc_done(Doc *d);
