/* SPDX-License-Identifier: MIT */
/* File operations under a root directory fd that never leave it (no symlink is followed on the way) and
 * are crash-safe: a temp file in the same directory, fsync, rename, fsync of the directory. */
#pragma once
#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum FsOpenFlags {
        FS_IN_ROOT = 1 << 0,      /* symlinks on the way resolve inside the root (fs_open_in_root()); else none is followed */
} FsOpenFlags;

/* Opens the directory path (relative to root_fd, "" for the root itself) without following symlinks,
 * creating missing components with mode 0755 when create is set. Returns an O_CLOEXEC fd or -errno. */
int fs_open_dir(int root_fd, const char *path, int create);
/* Opens path (relative) under root_fd as if root_fd were "/": symlinks and ".." on the way resolve
 * inside it (openat2 RESOLVE_IN_ROOT, as `systemctl --root` resolves). Returns an fd or -errno. */
int fs_open_in_root(int root_fd, const char *path, int flags);
/* Opens the directory path under root_fd to read its entries: resolved as fs_open_in_root() resolves it with
 * FS_IN_ROOT, else as fs_open_dir() does (no symlink followed, nothing created). closedir() closes its fd.
 * Returns -errno. */
int fs_opendir_in_root(int root_fd, const char *path, FsOpenFlags flags, DIR **ret);

/* The directories of many paths looked at in sorted order, each opened once: the chain of directory fds from
 * the root down to the directory of the last path, kept while the next path is below it. Each directory is
 * opened as fs_open_in_root() would resolve it (a symlink on the way is followed inside the root), so an
 * entry looked at with fstatat(), readlinkat() or openat() from its fd, by a name without '/', is the one
 * fs_open_in_root() would have opened. */
typedef struct FsDirLevel {
        size_t end;               /* the directory is the path's first `end` bytes */
        int fd;                   /* or -errno: -ENOENT, -ENOTDIR when it is missing or not a directory */
} FsDirLevel;
typedef struct FsDirs {
        int root_fd;              /* borrowed */
        char *dir;                /* the deepest directory open, relative to the root */
        size_t dir_cap;
        FsDirLevel *levels;       /* levels[0] is the root */
        size_t n_levels, cap_levels;
} FsDirs;

void fs_dirs_init(FsDirs *w, int root_fd);
void fs_dirs_done(FsDirs *w);
/* The fd of path's directory (borrowed: valid until the next call) and its last component in *ret_base;
 * -ENOENT or -ENOTDIR when a directory on the way is missing or not one, -EINVAL for an empty, '.' or
 * '..' component, or another -errno. */
int fs_dirs_open(FsDirs *w, const char *path, const char **ret_base);
/* Opens path's parent (created when missing) and points *ret_base at its last component. */
int fs_open_parent(int root_fd, const char *path, const char **ret_base);
/* Replaces path with data atomically, with mode, uid and gid set before the rename. */
int fs_write_atomic(int root_fd, const char *path, const void *data, size_t size, mode_t mode, uid_t uid, gid_t gid);
/* chmod and chown of a regular file in place, no symlink followed; then fsync. */
int fs_fix(int root_fd, const char *path, mode_t mode, uid_t uid, gid_t gid);
/* Replaces path with a symlink to target atomically. */
int fs_symlink_atomic(int root_fd, const char *path, const char *target);
/* Removes a file or symlink (absent is fine) and fsyncs its directory. */
int fs_remove(int root_fd, const char *path);
/* Reads a whole file (at most max bytes) relative to dir_fd, no symlink followed; NUL-terminated. */
int fs_read(int dir_fd, const char *path, size_t max, char **ret, size_t *ret_size);
