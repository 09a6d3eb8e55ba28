/* SPDX-License-Identifier: MIT */
/* Bundles: one release as a reproducible tar archive, and a reader that refuses hostile ones up front. */
#include "install/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output/output.h"
#include "util/xalloc.h"

#define BUNDLE_MAX_MEMBER (1024ULL * 1024 * 1024)
#define BUNDLE_MAX_TOTAL (4ULL * 1024 * 1024 * 1024)
#define BUNDLE_MAX_MEMBERS 1000000

/* An artifact that borrows its path, owners and data from the release (never freed through the set). */
static Artifact borrowed(const char *path, mode_t mode, const char *owner, const char *group, const char *data, size_t size) {
        return (Artifact) { (char *) path, mode, (char *) owner, (char *) group, (char *) data, size };
}

int bundle_write(const char *path, Release *r, const char *plan, int64_t mtime, Diags *d) {
        size_t len;
        const char *manifest = release_manifest(r, &len);
        Artifact top[] = { borrowed(BUNDLE_MANIFEST, 0644, "root", "root", manifest, len),
                           borrowed(BUNDLE_PLAN, 0644, "root", "root", plan, plan ? strlen(plan) : 0) };
        ArtifactSet meta = { top, plan ? 2 : 1, 2 }, files = { xcalloc(r->n_files + 1, sizeof(Artifact)), r->n_files, r->n_files };
        for (size_t i = 0; i < r->n_files; i++) {
                const ReleaseFile *f = &r->files[i];
                files.items[i] = borrowed(f->path, f->mode, f->owner, f->group, f->data, f->size);
        }
        OutputSet out[] = { { .set = &meta }, { .subdir = "files", .set = &files } };
        int ret = output_write_archive(path, out, ELEMENTSOF(out), mtime, d);
        free(files.items);
        return ret;
}

typedef struct Member {
        char *name;
        char *data;
        size_t size;
        mode_t mode;
} Member;

static int member_cmp(const void *a, const void *b) {
        return strcmp(((const Member *) a)->name, ((const Member *) b)->name);
}

/* Why a member name is refused, or NULL. */
static const char *name_problem(const char *name) {
        if (!name || !name[0])
                return "has an empty name";
        if (name[0] == '/')
                return "has an absolute name";
        for (const char *p = name; p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return "has an empty, '.' or '..' component";
                p = p[n] ? p + n + 1 : NULL;
        }
        if (strcmp(name, BUNDLE_MANIFEST) != 0 && strcmp(name, BUNDLE_PLAN) != 0 && strncmp(name, BUNDLE_FILES, strlen(BUNDLE_FILES)) != 0)
                return "is neither manifest.json, plan.json nor under files/";
        return NULL;
}

static int read_members(struct archive *ar, Member **ret, size_t *ret_n, Diags *d) {
        Member *m = NULL;
        size_t n = 0;
        uint64_t total = 0;
        struct archive_entry *e;
        int r;
        while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e), *why = name_problem(name);
                la_int64_t size = archive_entry_size(e);
                if (!why && (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) || archive_entry_symlink(e)))
                        why = "is not a regular file (links, devices, directories and fifos are refused)";
                if (!why && (size < 0 || (uint64_t) size > BUNDLE_MAX_MEMBER || total + (uint64_t) size > BUNDLE_MAX_TOTAL ||
                             n >= BUNDLE_MAX_MEMBERS))
                        why = "is larger than a bundle may hold";
                if (why) {
                        diag_error(d, (Loc) {}, "member '%s' %s", name ? name : "", why);
                        r = -EBADMSG;
                        goto fail;
                }
                total += (uint64_t) size;
                m = xreallocarray(m, n + 1, sizeof(Member));
                m[n] = (Member) { xstrdup(name), xmalloc((size_t) size + 1), (size_t) size, archive_entry_perm(e) };
                la_ssize_t got = archive_read_data(ar, m[n].data, (size_t) size);
                n++;
                if (got != size) {
                        diag_error(d, (Loc) {}, "member '%s' cannot be read: %s", name, got < 0 ? archive_error_string(ar) : "short");
                        r = -EBADMSG;
                        goto fail;
                }
                m[n - 1].data[size] = 0;
        }
        if (r != ARCHIVE_EOF) {
                diag_error(d, (Loc) {}, "not a readable tar archive: %s", archive_error_string(ar));
                r = -EBADMSG;
                goto fail;
        }
        if (n > 1)
                qsort(m, n, sizeof(Member), member_cmp);
        for (size_t i = 1; i < n; i++)
                if (strcmp(m[i - 1].name, m[i].name) == 0) {
                        diag_error(d, (Loc) {}, "member '%s' appears twice", m[i].name);
                        r = -EBADMSG;
                        goto fail;
                }
        *ret = m;
        *ret_n = n;
        return 0;
fail:
        for (size_t i = 0; i < n; i++) {
                free(m[i].name);
                free(m[i].data);
        }
        free(m);
        return r;
}

static Member *member_find(Member *m, size_t n, const char *name) {
        Member key = { .name = (char *) name };
        return bsearch(&key, m, n, sizeof(Member), member_cmp);
}

/* Every manifest file present with its size, mode and sha256; every files/ member in the manifest. */
static int check_content(Release *r, Member *m, size_t n, Diags *d) {
        size_t in_files = 0;
        for (size_t i = 0; i < n; i++)
                in_files += strncmp(m[i].name, BUNDLE_FILES, strlen(BUNDLE_FILES)) == 0;
        for (size_t i = 0; i < r->n_files; i++) {
                ReleaseFile *f = &r->files[i];
                char name[4200], sha[SHA256_HEX_SIZE];
                snprintf(name, sizeof(name), BUNDLE_FILES "%s", f->path);
                Member *x = member_find(m, n, name);
                if (!x) {
                        diag_error(d, (Loc) {}, "the manifest lists '%s', which the bundle does not hold", f->path);
                        return -EBADMSG;
                }
                sha256_hex(x->data, x->size, sha);
                if (x->size != f->size || strcmp(sha, f->sha256) != 0 || x->mode != f->mode) {
                        diag_error(d, (Loc) {}, "'%s' does not match the manifest (size, mode or sha256 differ)", f->path);
                        return -EBADMSG;
                }
                f->data = TAKE_PTR(x->data);
        }
        if (in_files != r->n_files) {
                for (size_t i = 0; i < n; i++)
                        if (strncmp(m[i].name, BUNDLE_FILES, strlen(BUNDLE_FILES)) == 0 &&
                            !release_find_file(r, m[i].name + strlen(BUNDLE_FILES))) {
                                diag_error(d, (Loc) {}, "member '%s' is not in the manifest", m[i].name);
                                return -EBADMSG;
                        }
                diag_error(d, (Loc) {}, "the bundle holds %zu files, its manifest lists %zu", in_files, r->n_files);
                return -EBADMSG;
        }
        return 0;
}

int bundle_read(const char *path, Release **ret, char **ret_plan, Diags *d) {
        struct archive *ar = archive_read_new();
        archive_read_support_filter_all(ar);
        archive_read_support_format_tar(ar);
        /* opened here so that a file that cannot be read says why (libarchive's text only repeats the name) */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                int r = fd < 0 ? -errno : S_ISREG(st.st_mode) ? -errno : -EINVAL;
                diag_error(d, (Loc) {}, "cannot open '%s': %s", path, r == -EINVAL ? "not a regular file" : strerror(-r));
                archive_read_free(ar);
                return r;
        }
        if (archive_read_open_fd(ar, fd, 65536) != ARCHIVE_OK) {
                diag_error(d, (Loc) {}, "cannot read '%s': %s", path, archive_error_string(ar));
                archive_read_free(ar);
                return -EIO;
        }
        Member *m = NULL;
        size_t n = 0;
        int r = read_members(ar, &m, &n, d);
        archive_read_free(ar);
        if (r < 0)
                return r;
        Release *rel = NULL;
        Member *man = member_find(m, n, BUNDLE_MANIFEST), *plan = member_find(m, n, BUNDLE_PLAN);
        if (!man) {
                diag_error(d, (Loc) {}, "no manifest.json");
                r = -EBADMSG;
        } else
                r = release_parse_manifest(man->data, man->size, &rel, d);
        if (r >= 0)
                r = check_content(rel, m, n, d);
        if (r >= 0 && ret_plan)
                *ret_plan = plan ? TAKE_PTR(plan->data) : NULL;
        for (size_t i = 0; i < n; i++) {
                free(m[i].name);
                free(m[i].data);
        }
        free(m);
        if (r < 0) {
                release_free(rel);
                return r;
        }
        *ret = rel;
        return 0;
}
