/* SPDX-License-Identifier: MIT */
/* Writing an artifact set as a reproducible tar archive with libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"
#include "util/xalloc.h"

static bool ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool output_archive_supported(const char *path) {
        return ends_with(path, ".tar.gz") || ends_with(path, ".tgz") || ends_with(path, ".tar.zst") || ends_with(path, ".tar");
}

typedef struct Entry {
        char *path;
        const Artifact *a;
} Entry;

static int entry_cmp(const void *x, const void *y) {
        return strcmp(((const Entry *) x)->path, ((const Entry *) y)->path);
}

static int add_entry(struct archive *ar, const char *path, const Artifact *a, int64_t mtime) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, a->mode);
        archive_entry_set_size(e, (la_int64_t) a->size);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_uname(e, "root");
        archive_entry_set_gname(e, "root");
        archive_entry_set_mtime(e, mtime, 0);
        int r = archive_write_header(ar, e);
        if (r == ARCHIVE_OK && a->size && archive_write_data(ar, a->data, a->size) != (la_ssize_t) a->size)
                r = ARCHIVE_FATAL;
        archive_entry_free(e);
        return r == ARCHIVE_OK ? 0 : -EIO;
}

int output_write_archive(const char *path, const OutputSet *sets, size_t n, int64_t mtime, Diags *d) {
        struct archive *ar = archive_write_new();
        archive_write_set_format_pax_restricted(ar);
        int r = ARCHIVE_OK;
        if (ends_with(path, ".tar.gz") || ends_with(path, ".tgz")) {
                r = archive_write_add_filter_gzip(ar);
                if (r == ARCHIVE_OK) /* no timestamp in the gzip header: byte-identical output */
                        r = archive_write_set_filter_option(ar, "gzip", "timestamp", NULL);
        } else if (ends_with(path, ".tar.zst"))
                r = archive_write_add_filter_zstd(ar);
        else if (!ends_with(path, ".tar")) {
                diag_error(d, (Loc) {}, "'%s': unknown archive type; use .tar.gz, .tgz, .tar.zst or .tar", path);
                archive_write_free(ar);
                return -EINVAL;
        }
        if (r != ARCHIVE_OK) {
                diag_error(d, (Loc) {}, "cannot set up compression: %s", archive_error_string(ar));
                archive_write_free(ar);
                return -EIO;
        }
        _cleanup_free_ char *tmp = xasprintf("%s.tmp-%d", path, (int) getpid());
        if (archive_write_open_filename(ar, tmp) != ARCHIVE_OK) {
                diag_error(d, (Loc) {}, "cannot create '%s': %s", tmp, archive_error_string(ar));
                archive_write_free(ar);
                return -EIO;
        }
        size_t total = 0;
        for (size_t s = 0; s < n; s++)
                total += sets[s].set->n;
        Entry *entries = xcalloc(total + 1, sizeof(Entry));
        size_t k = 0;
        for (size_t s = 0; s < n; s++)
                for (size_t i = 0; i < sets[s].set->n; i++, k++) {
                        entries[k].a = &sets[s].set->items[i];
                        entries[k].path = xasprintf("%s%s%s", sets[s].subdir ? sets[s].subdir : "", sets[s].subdir ? "/" : "",
                                                    entries[k].a->path);
                }
        qsort(entries, total, sizeof(Entry), entry_cmp);
        int res = 0;
        for (size_t i = 0; i < total && res >= 0; i++)
                res = add_entry(ar, entries[i].path, entries[i].a, mtime);
        if (res < 0)
                diag_error(d, (Loc) {}, "cannot write '%s': %s", tmp, archive_error_string(ar));
        if (archive_write_close(ar) != ARCHIVE_OK && res >= 0) {
                res = -EIO;
                diag_error(d, (Loc) {}, "cannot finish '%s': %s", tmp, archive_error_string(ar));
        }
        archive_write_free(ar);
        for (size_t i = 0; i < total; i++)
                free(entries[i].path);
        free(entries);
        if (res >= 0 && rename(tmp, path) < 0) {
                res = -errno;
                diag_error(d, (Loc) {}, "cannot rename '%s' to '%s': %s", tmp, path, strerror(-res));
        }
        if (res < 0)
                unlink(tmp);
        return res;
}
