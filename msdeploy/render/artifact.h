/* SPDX-License-Identifier: MIT */
/* The artifact set: what rendering produces and what generate, diff and install consume. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

typedef struct Artifact {
        char *path;   /* relative to the root, no leading '/': "etc/systemd/system/x.service" */
        mode_t mode;  /* installed mode: 0644 units, 0640 env files, 0755 scripts */
        char *owner;  /* "root" unless the file must belong to a service user */
        char *group;
        char *data;   /* NUL-terminated */
        size_t size;
} Artifact;

typedef struct ArtifactSet {
        Artifact *items;
        size_t n, cap;
} ArtifactSet;

/* Takes ownership of data (malloc'ed). Two artifacts at one path are the renderer's to report (render_check_paths()). */
void artifact_set_add(ArtifactSet *s, const char *path, mode_t mode, const char *owner, const char *group, char *data_take,
                      size_t size);
/* Adds b's text as an artifact, taking it (b is left empty); a leading '/' of path is dropped. */
void artifact_set_take(ArtifactSet *s, const char *path, mode_t mode, const char *owner, const char *group, StrBuf *b);
/* The same for a root-owned file whose path is formatted. */
void artifact_set_takef(ArtifactSet *s, StrBuf *b, mode_t mode, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sorts by path (byte order): the one order every consumer uses. */
void artifact_set_sort(ArtifactSet *s);
const Artifact *artifact_set_find(const ArtifactSet *s, const char *path);
void artifact_set_free(ArtifactSet *s);
/* Moves every artifact of src to the end of dst, leaving src empty. */
void artifact_set_move(ArtifactSet *dst, ArtifactSet *src);
