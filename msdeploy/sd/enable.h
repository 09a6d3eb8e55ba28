/* SPDX-License-Identifier: MIT */
/* Offline enablement: the symlinks `systemctl --root DIR enable UNIT` makes, from a unit file's [Install]. */
#pragma once
#include <stddef.h>

#include "util/arena.h"

typedef struct SdLink {
        char *path;     /* relative to the root: "etc/systemd/system/multi-user.target.wants/x.target" */
        char *target;   /* "/etc/systemd/system/x.target" */
} SdLink;           /* both in the arena given */

/* The links for unit (installed in unit_dir, relative to the root, e.g. "etc/systemd/system") whose file
 * holds text: WantedBy= -> UNIT_DIR/T.wants/UNIT, RequiredBy= -> UNIT_DIR/T.requires/UNIT, Alias= ->
 * UNIT_DIR/ALIAS. A template is enabled through its DefaultInstance= (without one it has no links), the
 * link named after the instance and pointing at the template, as systemctl does. Appends to *links (malloc'ed,
 * grown as it fills: NULL or what an earlier call returned), the strings in a. */
void sd_install_links(Arena *a, const char *unit_dir, const char *unit, const char *text, SdLink **links, size_t *n_links);
