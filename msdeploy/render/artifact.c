/* SPDX-License-Identifier: MIT */
/* The artifact set: what rendering produces and what generate, diff and install consume. */
#include "artifact.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void artifact_set_add(ArtifactSet *s, const char *path, mode_t mode, const char *owner, const char *group, char *data_take,
                      size_t size) {
        assert(path && path[0] != '/');
        if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 32;
                s->items = xreallocarray(s->items, s->cap, sizeof(Artifact));
        }
        data_take = xrealloc(data_take, size + 1); /* give back what the growing buffer over-allocated */
        s->items[s->n++] = (Artifact) {
                .path = xstrdup(path),
                .mode = mode,
                .owner = xstrdup(owner ? owner : "root"),
                .group = xstrdup(group ? group : "root"),
                .data = data_take,
                .size = size,
        };
}

void artifact_set_take(ArtifactSet *s, const char *path, mode_t mode, const char *owner, const char *group, StrBuf *b) {
        size_t size;
        char *data = sb_take(b, &size);
        artifact_set_add(s, path + strspn(path, "/"), mode, owner, group, data, size);
}

void artifact_set_takef(ArtifactSet *s, StrBuf *b, mode_t mode, const char *fmt, ...) {
        StrBuf path = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&path, fmt, ap);
        va_end(ap);
        artifact_set_take(s, path.s, mode, "root", "root", b);
        sb_free(&path);
}

static int artifact_cmp(const void *a, const void *b) {
        return strcmp(((const Artifact *) a)->path, ((const Artifact *) b)->path);
}

void artifact_set_sort(ArtifactSet *s) {
        if (s->n > 1)
                qsort(s->items, s->n, sizeof(Artifact), artifact_cmp);
}

const Artifact *artifact_set_find(const ArtifactSet *s, const char *path) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->items[i].path, path) == 0)
                        return &s->items[i];
        return NULL;
}

void artifact_set_move(ArtifactSet *dst, ArtifactSet *src) {
        if (dst->n + src->n > dst->cap) {
                dst->cap = dst->n + src->n;
                dst->items = xreallocarray(dst->items, dst->cap, sizeof(Artifact));
        }
        if (src->n)
                memcpy(dst->items + dst->n, src->items, src->n * sizeof(Artifact));
        dst->n += src->n;
        free(src->items);
        *src = (ArtifactSet) {};
}

void artifact_set_free(ArtifactSet *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->items[i].path);
                free(s->items[i].owner);
                free(s->items[i].group);
                free(s->items[i].data);
        }
        free(s->items);
        *s = (ArtifactSet) {};
}
