/* SPDX-License-Identifier: MIT */
/* msdeploy's own JSON documents read back with the YAML loader. */
#include "install/doc.h"

#include <errno.h>
#include <stdio.h>

#include "util/xalloc.h"

int doc_parse(const char *name, const char *text, size_t len, Doc *ret, char *err, size_t err_size) {
        Diags d = {};
        *ret = (Doc) { arena_new(), source_new(name, xstrdup(text), len), NULL };
        int r = spec_load(ret->arena, ret->src, &ret->root, &d);
        if (r < 0 || !ret->root || ret->root->kind != NODE_MAP) {
                snprintf(err, err_size, "%s: not a JSON object%s%s", name, d.n ? ": " : "", d.n ? d.items[0].msg : "");
                diags_clear(&d);
                doc_done(ret);
                return -EBADMSG;
        }
        diags_clear(&d);
        return 0;
}

void doc_done(Doc *d) {
        source_free(d->src);
        arena_free(d->arena);
        *d = (Doc) {};
}
