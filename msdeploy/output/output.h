/* SPDX-License-Identifier: MIT */
/* Writing rendered artifact sets out: into a directory (replaced as a whole) or a reproducible archive. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "render/artifact.h"
#include "util/diag.h"

/* A set to write, under an optional sub-directory (the tier name when several tiers are written). */
typedef struct OutputSet {
        const char *subdir;       /* NULL: at the top */
        const ArtifactSet *set;
} OutputSet;

#define OUTPUT_MARKER ".msdeploy-generated"

/* Writes the sets into a fresh directory next to dir, then swaps it in. An existing dir is replaced
 * only when it was made by msdeploy (holds OUTPUT_MARKER) or is empty. Modes are applied; owners are
 * not (that is the installer's job). On error, dir is left as it was, and d says why. */
int output_write_tree(const char *dir, const OutputSet *sets, size_t n, Diags *d);
bool output_archive_supported(const char *path);
/* Writes a .tar.gz, .tgz, .tar.zst or .tar archive: sorted entries, owner 0:0, every entry's mtime the given one
 * (seconds since the epoch), installed modes. Written to a temporary file and renamed; on error d says why. */
int output_write_archive(const char *path, const OutputSet *sets, size_t n, int64_t mtime, Diags *d);
/* Removes a tree (no symlinks followed, stays on one file system). */
int rm_rf(const char *path);
