/* SPDX-License-Identifier: MIT */
/* The file-hashes cache of the release store: read, looked up, written from a snapshot. One line per
 * file after a versioned header: "SHA256 DEV INO SIZE MTIME_NS CTIME_NS PATH", sorted by path. */
#include "install/hashcache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "install/fsops.h"
#include "util/xalloc.h"

#define HASH_CACHE_HEADER "# msdeploy file-hashes 1: sha256 dev inode size mtime-ns ctime-ns path\n"
#define HASH_CACHE_MAX (256u * 1024 * 1024)
#define NSEC_PER_SEC 1000000000LL

static int64_t ns_of(const struct timespec *t) {
        return (int64_t) t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
}

/* One number and the space after it; false when there is none. */
static bool field_u64(const char **p, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(*p, &end, 10);
        if (errno || end == *p || *end != ' ' || **p == '-')
                return false;
        *ret = v;
        *p = end + 1;
        return true;
}

static bool field_i64(const char **p, int64_t *ret) {
        char *end;
        errno = 0;
        long long v = strtoll(*p, &end, 10);
        if (errno || end == *p || *end != ' ')
                return false;
        *ret = v;
        *p = end + 1;
        return true;
}

/* Parses the line (len bytes, its '\n' after them, which becomes the end of the path kept in place). */
static bool parse_line(char *line, size_t len, HashCacheEntry *e) {
        const char *p = line;
        if (len < SHA256_HEX_SIZE || line[SHA256_HEX_SIZE - 1] != ' ')
                return false;
        memcpy(e->sha256, line, SHA256_HEX_SIZE - 1);
        e->sha256[SHA256_HEX_SIZE - 1] = 0;
        p += SHA256_HEX_SIZE;
        if (!sha256_hex_valid(e->sha256) || !field_u64(&p, &e->dev) || !field_u64(&p, &e->ino) || !field_u64(&p, &e->size) ||
            !field_i64(&p, &e->mtime_ns) || !field_i64(&p, &e->ctime_ns) || p >= line + len)
                return false;
        line[len] = 0;
        e->path = line + (p - line);
        return true;
}

void hash_cache_read(int dir_fd, HashCache *ret) {
        *ret = (HashCache) {};
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (fs_read(dir_fd, HASH_CACHE_FILE, HASH_CACHE_MAX, &text, &len) < 0 || strncmp(text, HASH_CACHE_HEADER, strlen(HASH_CACHE_HEADER)) != 0)
                return;
        size_t lines = 0;
        for (const char *q = text; (q = memchr(q, '\n', (size_t) (text + len - q))); q++)
                lines++;
        HashCache c = { xcalloc(lines + 1, sizeof(HashCacheEntry)), 0, text };
        for (char *p = text + strlen(HASH_CACHE_HEADER); p < text + len;) {
                char *nl = memchr(p, '\n', (size_t) (text + len - p));
                if (!nl || !parse_line(p, (size_t) (nl - p), &c.v[c.n]) || (c.n > 0 && strcmp(c.v[c.n - 1].path, c.v[c.n].path) >= 0)) {
                        free(c.v); /* a cache is trusted whole or not at all */
                        return;
                }
                c.n++;
                p = nl + 1;
        }
        text = NULL; /* the entries' paths point into it */
        *ret = c;
}

/* Whether an entry stamped at ctime_ns may be recorded by a read that began at read_ns: older by more than
 * a tick of the filesystem's clock. */
static bool settled(int64_t ctime_ns, int64_t read_ns) {
        int64_t tick = ctime_ns % NSEC_PER_SEC ? NSEC_PER_SEC / 10 : 2 * NSEC_PER_SEC;
        return ctime_ns < read_ns - tick;
}

int hash_cache_write(int dir_fd, const Snapshot *s) {
        StrBuf b = {};
        sb_append(&b, HASH_CACHE_HEADER);
        for (size_t i = 0; i < s->n_files; i++) {
                const DiskEntry *e = &s->files[i];
                if (!e->regular || !e->sha256[0] || !settled(e->ctime_ns, e->read_ns))
                        continue;
                sb_append(&b, e->sha256);
                const uint64_t fields[] = { e->dev, e->ino, e->size };
                for (size_t k = 0; k < ELEMENTSOF(fields); k++) {
                        sb_putc(&b, ' ');
                        sb_append_uint(&b, fields[k]);
                }
                const int64_t times[] = { e->mtime_ns, e->ctime_ns };
                for (size_t k = 0; k < ELEMENTSOF(times); k++) {
                        sb_append(&b, times[k] < 0 ? " -" : " ");
                        sb_append_uint(&b, times[k] < 0 ? -(uint64_t) times[k] : (uint64_t) times[k]);
                }
                sb_putc(&b, ' ');
                sb_append(&b, e->path);
                sb_putc(&b, '\n');
        }
        int r = fs_write_atomic(dir_fd, HASH_CACHE_FILE, b.s, b.len, 0600, 0, 0);
        sb_free(&b);
        return r;
}

const char *hash_cache_lookup(const HashCache *c, const char *path, const struct stat *st) {
        size_t lo = 0, hi = c ? c->n : 0;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = strcmp(path, c->v[mid].path);
                if (d == 0) {
                        const HashCacheEntry *e = &c->v[mid];
                        bool same = e->dev == (uint64_t) st->st_dev && e->ino == (uint64_t) st->st_ino && e->size == (uint64_t) st->st_size &&
                                    e->mtime_ns == ns_of(&st->st_mtim) && e->ctime_ns == ns_of(&st->st_ctim);
                        return same ? e->sha256 : NULL;
                }
                if (d < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

void hash_cache_done(HashCache *c) {
        free(c->v);
        free(c->text);
        *c = (HashCache) {};
}
