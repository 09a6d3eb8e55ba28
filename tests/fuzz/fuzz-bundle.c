/* SPDX-License-Identifier: MIT */
/* Fuzz target: the release bundle reader, a bundle being hostile input: the manifest parser alone, and whole
 * bundles (tar archives) through bundle_read().
 *
 * Input: one byte choosing what the rest is, a manifest (even) or a tar archive (odd). Checked for whatever is
 * accepted: every path a release may install at (relative, normalised, under the project's roots), its roots valid;
 * the manifest msdeploy writes for it is read back, and written again, byte for byte the same; for a bundle, every
 * file's data has the size and sha256 the manifest says. */
#include <string.h>

#include "consumers.h"
#include "install/bundle.h"
#include "util/xalloc.h"

static bool path_normalised(const char *p) {
        if (!*p || *p == '/' || strstr(p, "//") || p[strlen(p) - 1] == '/')
                return false;
        for (const char *c = p; c; c = strchr(c, '/'), c = c ? c + 1 : NULL) {
                size_t n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
        }
        return true;
}

static void check_release(Release *r, bool data) {
        if (!release_root_valid(r->prefix) || !release_root_valid(r->config_dir) || !release_root_valid(r->libexec_dir))
                fuzz_violation("a release with a root msdeploy may not write under: '%s' '%s' '%s'", r->prefix, r->config_dir,
                               r->libexec_dir);
        for (size_t i = 0; i < r->n_files; i++) {
                const ReleaseFile *f = &r->files[i];
                if (!path_normalised(f->path) || !release_path_allowed(r, f->path))
                        fuzz_violation("a release installing at '%s'", f->path);
                if (!data)
                        continue;
                char sha[SHA256_HEX_SIZE];
                sha256_hex(f->data, f->size, sha);
                if (!f->data || strcmp(sha, f->sha256) != 0)
                        fuzz_violation("'%s' read with data its manifest does not describe", f->path);
        }
        for (size_t i = 0; i < r->n_links; i++)
                if (!path_normalised(r->links[i].path) || !release_path_allowed(r, r->links[i].path))
                        fuzz_violation("a release linking at '%s'", r->links[i].path);
        /* what msdeploy writes for it, it reads back, and writes again the same */
        size_t n1, n2;
        const char *m1 = release_manifest(r, &n1);
        Release *again = NULL;
        Diags d = {};
        if (release_parse_manifest(m1, n1, &again, &d) < 0)
                fuzz_violation("the manifest written for an accepted release is refused: %s\n%s", d.n ? d.items[0].msg : "?", m1);
        diags_clear(&d);
        const char *m2 = release_manifest(again, &n2);
        if (n1 != n2 || memcmp(m1, m2, n1) != 0)
                fuzz_violation("the manifest changes when read back and written again:\n%s\n--\n%s", m1, m2);
        release_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        Release *r = NULL;
        Diags d = {};
        if (data[0] % 2 == 0) { /* NUL-terminated, as the bundle reader and the store hand it over */
                _cleanup_free_ char *text = xmalloc(size);
                memcpy(text, data + 1, size - 1);
                text[size - 1] = 0;
                if (release_parse_manifest(text, size - 1, &r, &d) >= 0)
                        check_release(r, /* data= */ false);
        } else {
                char *plan = NULL;
                if (bundle_read(fuzz_memfd_path((const char *) data + 1, size - 1), &r, &plan, &d) >= 0)
                        check_release(r, /* data= */ true);
                free(plan);
        }
        /* a refusal says why, an acceptance says nothing */
        if ((r != NULL) == (d.n_errors > 0))
                fuzz_violation("%s with %zu errors", r ? "accepted" : "refused", d.n_errors);
        diags_clear(&d);
        release_free(r);
        return 0;
}
