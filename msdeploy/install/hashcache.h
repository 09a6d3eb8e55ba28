/* SPDX-License-Identifier: MIT */
/* The sha256 of every installed file as the last apply saw it, each beside the stat fields that vouch for
 * it (device, inode, size, mtime, ctime), kept in the release store as `file-hashes`. A snapshot hashes
 * again only the files whose fields differ: a no-op plan of 10,000 services reads no file.
 *
 * Why a match is safe to trust: the content of a file cannot change without its ctime changing. write(2)
 * and truncate(2) set mtime and ctime; a rename puts another inode at the path; utimensat(2), which can
 * put an old mtime back, sets ctime to the present; nothing but the kernel sets ctime. So a hand edit,
 * even one that keeps the size and restores the mtime, shows. What remains is a change within the same
 * tick of the filesystem's clock as the change recorded, after the hash was taken: an entry is therefore
 * recorded only when its ctime is older, by more than a tick, than the moment its read began (the entry's
 * read_ns; a tick is 100 ms on filesystems that stamp sub-second times, 2 s on those that stamp whole or
 * even seconds). This compares the file's ctime with this host's clock, which is what local filesystems
 * stamp with; a network filesystem whose server clock lags far behind could defeat it. The file is a
 * cache: a missing, unreadable or unknown-format one is ignored and every file hashed. */
#pragma once
#include <stdint.h>
#include <sys/stat.h>

#include "install/snapshot.h"

#define HASH_CACHE_FILE "file-hashes"

typedef struct HashCacheEntry {
        const char *path;         /* relative to the root, in the cache's text */
        uint64_t dev, ino, size;
        int64_t mtime_ns, ctime_ns;
        char sha256[SHA256_HEX_SIZE];
} HashCacheEntry;

struct HashCache {
        HashCacheEntry *v;        /* sorted by path */
        size_t n;
        char *text;               /* the file as read, which the paths point into */
};

/* Reads dir_fd/file-hashes; an absent or malformed file gives an empty cache. */
void hash_cache_read(int dir_fd, HashCache *ret);
/* Writes the regular files of s whose ctime is old enough to trust (see above), atomically. */
int hash_cache_write(int dir_fd, const Snapshot *s);
/* The recorded sha256 of path when st is the stat recorded with it, else NULL. */
const char *hash_cache_lookup(const HashCache *c, const char *path, const struct stat *st);
void hash_cache_done(HashCache *c);
