/* SPDX-License-Identifier: MIT */
/* File operations under a root directory fd that never leave it and survive a crash at any point. */
#include "install/fsops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/xalloc.h"

int fs_open_dir(int root_fd, const char *path, int create) {
        int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        _cleanup_free_ char *copy = xstrdup(path);
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, "..") == 0 || strcmp(c, ".") == 0) {
                        close(fd);
                        return -EINVAL;
                }
                int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
                                int r = -errno;
                                close(fd);
                                return r;
                        }
                        fsync(fd);
                        next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                int r = -errno;
                close(fd);
                if (next < 0)
                        return r == -ELOOP ? -ENOTDIR : r; /* a symlink where a directory must be */
                fd = next;
        }
        return fd;
}

int fs_open_in_root(int root_fd, const char *path, int flags) {
        struct open_how how = { .flags = (uint64_t) (flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd >= 0 || errno != ENOSYS)
                return fd < 0 ? -errno : (int) fd;
        /* without openat2 (kernels before 5.6, valgrind): no symlink is followed on the way at all */
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = slash ? strndup(path, (size_t) (slash - path)) : xstrdup("");
        if (!dir)
                xoom();
        _cleanup_close_ int dfd = fs_open_dir(root_fd, dir, 0);
        if (dfd < 0)
                return dfd;
        int r = openat(dfd, slash ? slash + 1 : path, flags | O_CLOEXEC);
        return r < 0 ? -errno : r;
}

int fs_opendir_in_root(int root_fd, const char *path, FsOpenFlags flags, DIR **ret) {
        int fd = flags & FS_IN_ROOT ? fs_open_in_root(root_fd, path, O_RDONLY | O_DIRECTORY) : fs_open_dir(root_fd, path, 0);
        if (fd < 0)
                return fd;
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        *ret = d;
        return 0;
}

void fs_dirs_init(FsDirs *w, int root_fd) {
        *w = (FsDirs) { .root_fd = root_fd, .dir = xstrdup(""), .dir_cap = 1 };
        w->levels = xcalloc(8, sizeof(FsDirLevel));
        w->cap_levels = 8;
        w->levels[w->n_levels++] = (FsDirLevel) { 0, root_fd };
}

void fs_dirs_done(FsDirs *w) {
        for (size_t i = 1; i < w->n_levels; i++)
                if (w->levels[i].fd >= 0)
                        close(w->levels[i].fd);
        free(w->levels);
        free(w->dir);
        *w = (FsDirs) { .root_fd = -1 };
}

static bool plain_name(const char *s, size_t n) {
        return n > 0 && n <= NAME_MAX && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* Opens the directory of the first end bytes of path, the component after the current top level. */
static int open_level(FsDirs *w, const char *path, size_t start, size_t end) {
        int parent = w->levels[w->n_levels - 1].fd;
        if (parent < 0)
                return parent; /* below a missing directory */
        char name[NAME_MAX + 1];
        memcpy(name, path + start, end - start);
        name[end - start] = 0;
        int fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
                return fd;
        if (errno != ENOTDIR && errno != ELOOP)
                return -errno;
        /* a symlink (or not a directory): resolved inside the root, as the whole path would be; with "/." after
         * it the symlink is a component on the way, which fs_open_in_root() follows (and without openat2
         * refuses, as it refuses every symlink on the way) */
        _cleanup_free_ char *prefix = xasprintf("%.*s/.", (int) end, path);
        return fs_open_in_root(w->root_fd, prefix, O_PATH | O_DIRECTORY | O_NOFOLLOW);
}

int fs_dirs_open(FsDirs *w, const char *path, const char **ret_base) {
        const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
        size_t len = slash ? (size_t) (slash - path) : 0;
        if (!plain_name(base, strlen(base)))
                return -EINVAL;
        /* close the directories the path is not below */
        while (w->n_levels > 1) {
                const FsDirLevel *t = &w->levels[w->n_levels - 1];
                if (t->end <= len && memcmp(w->dir, path, t->end) == 0 && (t->end == len || path[t->end] == '/'))
                        break;
                if (t->fd >= 0)
                        close(t->fd);
                w->n_levels--;
        }
        size_t at = w->levels[w->n_levels - 1].end;
        if (at < len) {
                if (w->dir_cap < len + 1) {
                        w->dir_cap = len + 1;
                        w->dir = xrealloc(w->dir, w->dir_cap);
                }
                memcpy(w->dir, path, len);
                w->dir[len] = 0;
        }
        /* open the ones on the way down */
        while (at < len) {
                size_t start = at ? at + 1 : 0, end = start;
                while (end < len && path[end] != '/')
                        end++;
                if (!plain_name(path + start, end - start))
                        return -EINVAL;
                int fd = open_level(w, path, start, end);
                if (w->n_levels == w->cap_levels) {
                        w->cap_levels *= 2;
                        w->levels = xreallocarray(w->levels, w->cap_levels, sizeof(FsDirLevel));
                }
                w->levels[w->n_levels++] = (FsDirLevel) { end, fd };
                at = end;
        }
        *ret_base = base;
        return w->levels[w->n_levels - 1].fd;
}

int fs_open_parent(int root_fd, const char *path, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = slash ? strndup(path, (size_t) (slash - path)) : xstrdup("");
        if (!dir)
                xoom();
        *ret_base = slash ? slash + 1 : path;
        return fs_open_dir(root_fd, dir, 1);
}

static int write_all(int fd, const char *data, size_t size) {
        while (size) {
                ssize_t n = write(fd, data, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                data += n;
                size -= (size_t) n;
        }
        return 0;
}

int fs_write_atomic(int root_fd, const char *path, const void *data, size_t size, mode_t mode, uid_t uid, gid_t gid) {
        const char *base;
        _cleanup_close_ int dir = fs_open_parent(root_fd, path, &base);
        if (dir < 0)
                return dir;
        char tmp[300];
        snprintf(tmp, sizeof(tmp), ".#msdeploy.%d.%.200s", (int) getpid(), base);
        _cleanup_close_ int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, size);
        if (r >= 0 && (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0))
                r = -errno;
        if (r >= 0 && renameat(dir, tmp, dir, base) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(dir, tmp, 0);
                return r;
        }
        return fsync(dir) < 0 ? -errno : 0;
}

int fs_fix(int root_fd, const char *path, mode_t mode, uid_t uid, gid_t gid) {
        const char *base;
        _cleanup_close_ int dir = fs_open_parent(root_fd, path, &base);
        if (dir < 0)
                return dir;
        _cleanup_close_ int fd = openat(dir, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

int fs_symlink_atomic(int root_fd, const char *path, const char *target) {
        const char *base;
        _cleanup_close_ int dir = fs_open_parent(root_fd, path, &base);
        if (dir < 0)
                return dir;
        char tmp[300];
        snprintf(tmp, sizeof(tmp), ".#msdeploy.%d.%.200s", (int) getpid(), base);
        unlinkat(dir, tmp, 0);
        if (symlinkat(target, dir, tmp) < 0)
                return -errno;
        if (renameat(dir, tmp, dir, base) < 0) {
                int r = -errno;
                unlinkat(dir, tmp, 0);
                return r;
        }
        return fsync(dir) < 0 ? -errno : 0;
}

int fs_remove(int root_fd, const char *path) {
        const char *base;
        _cleanup_close_ int dir = fs_open_parent(root_fd, path, &base);
        if (dir < 0)
                return dir == -ENOENT ? 0 : dir;
        if (unlinkat(dir, base, 0) < 0 && errno != ENOENT)
                return -errno;
        return fsync(dir) < 0 ? -errno : 0;
}

int fs_read(int dir_fd, const char *path, size_t max, char **ret, size_t *ret_size) {
        /* O_NONBLOCK: a FIFO is refused, not waited on */
        _cleanup_close_ int fd = openat(dir_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        return fd < 0 ? -errno : read_full_fd(fd, max, ret, ret_size);
}

