/* SPDX-License-Identifier: MIT */
/* Writing an artifact set into a directory: build a sibling, fsync, swap, remove the old one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/output.h"
#include "util/xalloc.h"

int rm_rf(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 ? -errno : 0;
        DIR *d = opendir(path);
        if (!d)
                return -errno;
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *child = xasprintf("%s/%s", path, de->d_name);
                struct stat cst;
                if (lstat(child, &cst) == 0 && S_ISDIR(cst.st_mode) && cst.st_dev != st.st_dev)
                        continue; /* another file system: leave it */
                int k = rm_rf(child);
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        if (rmdir(path) < 0 && r == 0)
                r = -errno;
        return r;
}

static int mkdir_parents(char *path) {
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                int r = mkdir(path, 0755);
                *p = '/';
                if (r < 0 && errno != EEXIST)
                        return -errno;
        }
        return 0;
}

static int write_file(const char *path, const Artifact *a) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        for (size_t off = 0; off < a->size;) {
                ssize_t n = write(fd, a->data + off, a->size - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                off += (size_t) n;
        }
        if (fchmod(fd, a->mode) < 0)
                return -errno;
        return 0; /* made durable by one syncfs() over the whole tree before it is swapped in */
}

static bool dir_replaceable(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT;
        bool empty = true, marked = false;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                empty = false;
                marked |= strcmp(de->d_name, OUTPUT_MARKER) == 0;
        }
        closedir(d);
        return empty || marked;
}

int output_write_tree(const char *dir, const OutputSet *sets, size_t n, Diags *d) {
        struct stat st;
        if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
                diag_error(d, (Loc) {}, "'%s' exists and is not a directory", dir);
                return -ENOTDIR;
        }
        if (!dir_replaceable(dir)) {
                diag_error(d, (Loc) {}, "refusing to replace '%s': it is not empty and was not written by msdeploy generate", dir);
                return -EEXIST;
        }
        _cleanup_free_ char *tmp = xasprintf("%s.tmp-%d", dir, (int) getpid());
        _cleanup_free_ char *old = xasprintf("%s.old-%d", dir, (int) getpid());
        rm_rf(tmp);
        int r = mkdir_parents(tmp);
        if (r >= 0 && mkdir(tmp, 0755) < 0)
                r = -errno;
        if (r < 0)
                diag_error(d, (Loc) {}, "cannot create '%s': %s", tmp, strerror(-r));
        for (size_t s = 0; r >= 0 && s < n; s++)
                for (size_t i = 0; r >= 0 && i < sets[s].set->n; i++) {
                        const Artifact *a = &sets[s].set->items[i];
                        _cleanup_free_ char *path = xasprintf("%s/%s%s%s", tmp, sets[s].subdir ? sets[s].subdir : "",
                                                              sets[s].subdir ? "/" : "", a->path);
                        r = mkdir_parents(path);
                        if (r >= 0)
                                r = write_file(path, a);
                        if (r < 0)
                                diag_error(d, (Loc) {}, "cannot write '%s': %s", path, strerror(-r));
                }
        if (r >= 0) {
                _cleanup_free_ char *marker = xasprintf("%s/%s", tmp, OUTPUT_MARKER);
                static const char text[] = "written by msdeploy generate; this directory is replaced as a whole\n";
                r = write_file(marker, &(Artifact) { .mode = 0644, .data = (char *) text, .size = sizeof(text) - 1 });
                if (r < 0)
                        diag_error(d, (Loc) {}, "cannot write '%s': %s", marker, strerror(-r));
        }
        if (r >= 0) {
                _cleanup_close_ int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (tfd < 0 || syncfs(tfd) < 0) {
                        r = -errno;
                        diag_error(d, (Loc) {}, "cannot sync '%s': %s", tmp, strerror(-r));
                }
        }
        if (r < 0) {
                rm_rf(tmp);
                return r;
        }
        bool had_old = access(dir, F_OK) == 0;
        if (had_old && rename(dir, old) < 0) {
                r = -errno;
                diag_error(d, (Loc) {}, "cannot move '%s' aside: %s", dir, strerror(-r));
                rm_rf(tmp);
                return r;
        }
        if (rename(tmp, dir) < 0) {
                r = -errno;
                diag_error(d, (Loc) {}, "cannot rename '%s' to '%s': %s", tmp, dir, strerror(-r));
                if (had_old)
                        (void) rename(old, dir);
                rm_rf(tmp);
                return r;
        }
        if (had_old)
                rm_rf(old);
        _cleanup_free_ char *parent_path = xstrdup(dir);
        _cleanup_close_ int pfd = open(dirname(parent_path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd >= 0)
                (void) fsync(pfd); /* the rename itself */
        return 0;
}
