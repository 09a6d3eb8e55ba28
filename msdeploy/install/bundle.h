/* SPDX-License-Identifier: MIT */
/* Bundles: one release as a reproducible tar archive (manifest.json, files/PATH..., and for a saved plan
 * plan.json), and the reader that refuses a hostile one before anything is touched. */
#pragma once
#include "install/release.h"

#define BUNDLE_MANIFEST "manifest.json"
#define BUNDLE_PLAN "plan.json"
#define BUNDLE_FILES "files/"

/* Writes r (its files' data loaded) and, when plan is not NULL, a saved plan, through
 * output_write_archive() (.tar.gz, .tgz, .tar.zst or .tar). Returns -errno with an error in d. */
int bundle_write(const char *path, Release *r, const char *plan, int64_t mtime, Diags *d);
/* Reads a bundle: only regular members named manifest.json, plan.json or files/PATH, no absolute
 * names, no '.' or '..' components, no links or devices, bounded sizes; the manifest checked as any
 * input, every file's size, mode and sha256 matching it and nothing more or less. ret_plan (may be
 * NULL) gets plan.json's text or NULL. Returns -EBADMSG (refused) or -errno, with why in d. */
int bundle_read(const char *path, Release **ret, char **ret_plan, Diags *d);
