/* SPDX-License-Identifier: MIT */
/* A release: the names of its kinds, where it may install, lookups by path and name, freeing. */
#include "install/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/syntax.h"
#include "util/enum-table.h"
#include "util/xalloc.h"

#define UNIT_DIR "etc/systemd/system"

static const char *const file_kind_table[_FILE_KIND_MAX] = {
        [FILE_UNIT] = "unit", [FILE_DROPIN] = "drop-in", [FILE_ENV] = "env-file", [FILE_CONFIG] = "config",
        [FILE_PROGRAM] = "program", [FILE_SYSUSERS] = "sysusers", [FILE_TMPFILES] = "tmpfiles", [FILE_DATA] = "data",
        [FILE_PAYLOAD] = "payload",
};
ENUM_STRING_TABLE(file_kind, FileKind, _FILE_KIND_MAX)

static const char *const unit_kind_table[_UNIT_KIND_MAX] = {
        [UNIT_SERVICE] = "service", [UNIT_TEMPLATE] = "template", [UNIT_SLICE] = "slice", [UNIT_TARGET] = "target",
};
ENUM_STRING_TABLE(unit_kind, UnitKind, _UNIT_KIND_MAX)

static bool under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1];
}

bool release_root_valid(const char *dir) {
        if (!dir || syntax_check_path(dir) || under(dir, "/var/lib/msdeploy") || strcmp(dir, "/var/lib/msdeploy") == 0)
                return false;
        static const char *const tops[] = { "/etc", "/opt", "/srv", "/usr/local", "/var/lib" };
        for (size_t i = 0; i < ELEMENTSOF(tops); i++)
                if (under(dir, tops[i]))
                        return strcmp(dir, "/usr/local/bin") != 0 && strcmp(dir, "/etc/systemd") != 0;
        return false;
}

bool release_path_allowed(const Release *r, const char *path) {
        char abs[4097];
        if (path[0] == '/' || snprintf(abs, sizeof(abs), "/%s", path) >= (int) sizeof(abs) || syntax_check_path(abs))
                return false;
        if (under(abs, "/" UNIT_DIR) || under(abs, "/etc/sysusers.d") || under(abs, "/etc/tmpfiles.d"))
                return true;
        return under(abs, r->config_dir) || model_payload_path_allowed(r->prefix, r->libexec_dir, abs);
}

static void *find(const void *base, size_t n, size_t size, size_t offset, const char *key) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const char *k = *(char *const *) ((const char *) base + mid * size + offset);
                int c = strcmp(key, k);
                if (c == 0)
                        return (char *) base + mid * size;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

const ReleaseFile *release_find_file(const Release *r, const char *path) {
        return find(r->files, r->n_files, sizeof(ReleaseFile), offsetof(ReleaseFile, path), path);
}

const ReleaseUnit *release_find_unit(const Release *r, const char *name) {
        return find(r->units, r->n_units, sizeof(ReleaseUnit), offsetof(ReleaseUnit, name), name);
}

const ReleaseLink *release_find_link(const Release *r, const char *path) {
        return find(r->links, r->n_links, sizeof(ReleaseLink), offsetof(ReleaseLink, path), path);
}

Release *release_free(Release *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_files; i++)
                free(r->files[i].data);
        free(r->manifest);
        arena_free(r->arena);
        free(r);
        return NULL;
}
