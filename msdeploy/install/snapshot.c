/* SPDX-License-Identifier: MIT */
/* Taking a snapshot of a host under a root: stat and hash every path a plan may touch, read the
 * account databases, and hash the whole so that a saved plan can tell when the host changed. */
#include "install/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "install/fsops.h"
#include "install/hashcache.h"
#include "spec/syntax.h"
#include "util/twin.h"
#include "util/units.h"
#include "util/xalloc.h"

char **passwd_read(int root_fd, const char *file) {
        char **db = xcalloc(1, sizeof(char *));
        int fd = fs_open_in_root(root_fd, file, O_RDONLY | O_NOFOLLOW);
        FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
        if (!f) {
                if (fd >= 0)
                        close(fd);
                return db;
        }
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                char *name = line, *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c1 = 0;
                char *end = strchr(c2 + 1, ':');
                if (end)
                        *end = 0;
                char entry[512];
                if (snprintf(entry, sizeof(entry), "%s:%s", name, c2 + 1) < (int) sizeof(entry))
                        strv_push_copy(&db, entry);
        }
        fclose(f);
        return db;
}

int passwd_lookup(char *const *db, const char *name, unsigned *ret_id) {
        size_t n = strlen(name);
        uint64_t v;
        for (size_t i = 0; db && db[i]; i++)
                if (strncmp(db[i], name, n) == 0 && db[i][n] == ':' && parse_uint(db[i] + n + 1, 0, UINT32_MAX - 1, &v) >= 0) {
                        *ret_id = (unsigned) v;
                        return 0;
                }
        if (strcmp(name, "root") == 0) {
                *ret_id = 0;
                return 0;
        }
        return -ENOENT;
}

/* The name of an id in a passwd or group list ("NAME:ID" lines), "#ID" when it has none; the last one
 * found is remembered, as most files have the same owner. */
typedef struct IdNames {
        char *const *db;
        bool known;               /* last_id and last_name are set */
        unsigned last_id;
        const char *last_name;    /* in db, up to its ':' */
        size_t last_len;
} IdNames;

static char *id_name(IdNames *n, unsigned id) {
        if (!n->known || n->last_id != id) {
                char num[16];
                snprintf(num, sizeof(num), "%u", id);
                n->known = true;
                n->last_id = id;
                n->last_name = NULL;
                for (size_t i = 0; n->db && n->db[i] && !n->last_name; i++) {
                        const char *c = strchr(n->db[i], ':');
                        if (c && strcmp(c + 1, num) == 0) {
                                n->last_name = n->db[i];
                                n->last_len = (size_t) (c - n->db[i]);
                        }
                }
        }
        if (n->last_name)
                return xstrndup(n->last_name, n->last_len);
        if (id == 0)
                return xstrdup("root");
        return xasprintf("#%u", id);
}

/* What reads the entries of a snapshot: the directories open on the way, the hashes known, the names. */
typedef struct EntryReader {
        FsDirs dirs;
        const HashCache *known;
        IdNames users, groups;
        int64_t started_ns;       /* CLOCK_REALTIME before it read anything */
} EntryReader;

static void reader_init(EntryReader *r, int root_fd, const HashCache *known, char *const *passwd, char *const *group) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        *r = (EntryReader) { .known = known, .users.db = passwd, .groups.db = group,
                             .started_ns = (int64_t) now.tv_sec * 1000000000 + now.tv_nsec };
        fs_dirs_init(&r->dirs, root_fd);
}

typedef enum ReadFlags {
        READ_HASH = 1 << 0,       /* a regular file's sha256 too */
        READ_LINK = 1 << 1,       /* an enablement link: what a plan compares is its target alone, read first; a path
                                   * that is not a symlink is stat'ed */
} ReadFlags;

/* Reads path (its directory opened through r->dirs, its name looked at from there, no symlink followed). */
static int entry_read(EntryReader *r, const char *path, ReadFlags flags, DiskEntry *ret) {
        const char *base;
        ret->read_ns = r->started_ns;
        int dfd = fs_dirs_open(&r->dirs, path, &base);
        if (dfd == -ENOENT || dfd == -ENOTDIR)
                return 0;
        if (dfd < 0)
                return dfd;
        if (flags & READ_LINK) {
                char buf[4096];
                ssize_t n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
                if (n >= 0) {
                        ret->exists = true;
                        ret->link = xstrndup(buf, (size_t) n);
                        return 0;
                }
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                if (errno != EINVAL)
                        return -errno;
        }
        bool hash = flags & READ_HASH;
        struct stat st;
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        ret->exists = true;
        ret->regular = S_ISREG(st.st_mode);
        ret->directory = S_ISDIR(st.st_mode);
        ret->mode = st.st_mode & 07777;
        ret->size = (uint64_t) st.st_size;
        ret->owner = id_name(&r->users, st.st_uid);
        ret->group = id_name(&r->groups, st.st_gid);
        ret->dev = (uint64_t) st.st_dev;
        ret->ino = (uint64_t) st.st_ino;
        ret->mtime_ns = (int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        ret->ctime_ns = (int64_t) st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
        if (S_ISLNK(st.st_mode)) {
                char buf[4096];
                ssize_t n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
                if (n < 0)
                        return -errno;
                ret->link = xstrndup(buf, (size_t) n);
        }
        const char *vouched = ret->regular && hash ? hash_cache_lookup(r->known, path, &st) : NULL;
        if (vouched)
                memcpy(ret->sha256, vouched, SHA256_HEX_SIZE);
        else if (ret->regular && hash) {
                _cleanup_close_ int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                int k = sha256_fd(fd, ret->sha256, NULL);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* Reads e's path again (e was read before). */
static int entry_reread(EntryReader *r, DiskEntry *e, ReadFlags flags) {
        char *path = TAKE_PTR(e->path);
        disk_entry_done(e);
        e->path = path;
        return entry_read(r, path, flags, e);
}

int disk_entry_read(int root_fd, const char *path, bool hash, const HashCache *known, char *const *passwd, char *const *group,
                    DiskEntry *ret) {
        EntryReader r;
        reader_init(&r, root_fd, known, passwd, group);
        *ret = (DiskEntry) { .path = xstrdup(path) };
        int k = entry_read(&r, path, hash ? READ_HASH : 0, ret);
        fs_dirs_done(&r.dirs);
        return k;
}

void disk_entry_done(DiskEntry *e) {
        free(e->path);
        free(e->owner);
        free(e->group);
        free(e->link);
        *e = (DiskEntry) {};
}

static int entry_cmp(const void *a, const void *b) {
        return strcmp(((const DiskEntry *) a)->path, ((const DiskEntry *) b)->path);
}

const DiskEntry *snapshot_find(const DiskEntry *v, size_t n, const char *path) {
        DiskEntry key = { .path = (char *) path };
        return n ? bsearch(&key, v, n, sizeof(DiskEntry), entry_cmp) : NULL;
}

/* Adds path unless present; entries are sorted at the end. */
static void want(char ***paths, const char *path) {
        if (!strv_contains(*paths, path))
                strv_push_copy(paths, path);
}

/* The paths a snapshot looks at, collected, then sorted and made unique. */
typedef struct Paths {
        char **v;
        size_t n, cap;
} Paths;

static void paths_add(Paths *p, const char *path) {
        if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 64;
                p->v = xreallocarray(p->v, p->cap, sizeof(char *));
        }
        p->v[p->n++] = xstrdup(path);
}

static int str_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void paths_finish(Paths *p) {
        bool sorted = true;
        for (size_t i = 1; i < p->n && sorted; i++)
                sorted = strcmp(p->v[i - 1], p->v[i]) <= 0;
        if (!sorted)
                qsort(p->v, p->n, sizeof(char *), str_cmp);
        size_t k = 0;
        for (size_t i = 0; i < p->n; i++) {
                if (k > 0 && strcmp(p->v[k - 1], p->v[i]) == 0)
                        free(p->v[i]);
                else
                        p->v[k++] = p->v[i];
        }
        p->n = k;
}

static void paths_free(Paths *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->v[i]);
        free(p->v);
        *p = (Paths) {};
}

static void entries_free(DiskEntry *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                disk_entry_done(&v[i]);
        free(v);
}

/* A run of entries read by one reader. */
typedef struct ReadJob {
        EntryReader reader;
        DiskEntry *v;
        size_t n;
        ReadFlags flags;
        int r;
} ReadJob;

static void *read_job(void *userdata) {
        ReadJob *j = userdata;
        for (size_t i = 0; i < j->n && j->r >= 0; i++)
                j->r = entry_read(&j->reader, j->v[i].path, j->flags, &j->v[i]);
        fs_dirs_done(&j->reader.dirs);
        return NULL;
}

/* Below this many paths one thread reads them all: a second costs more than it saves. */
#define READ_SPLIT_MIN 4096

/* Reads every path of p (sorted and unique) under root. A large set is read by two threads, each half with its
 * own directory fds: the time goes to system calls, which the kernel runs side by side. */
static int read_all(int root_fd, Paths *p, ReadFlags flags, const HashCache *known, char *const *passwd, char *const *group, DiskEntry **ret,
                    size_t *ret_n) {
        paths_finish(p);
        DiskEntry *v = xcalloc(p->n + 1, sizeof(DiskEntry));
        for (size_t i = 0; i < p->n; i++)
                v[i].path = TAKE_PTR(p->v[i]);
        size_t half = twin_worth(p->n, READ_SPLIT_MIN) ? p->n / 2 : p->n;
        ReadJob jobs[2] = { { .v = v, .n = half, .flags = flags }, { .v = v + half, .n = p->n - half, .flags = flags } };
        for (size_t k = 0; k < ELEMENTSOF(jobs); k++)
                reader_init(&jobs[k].reader, root_fd, known, passwd, group);
        Twin second;
        twin_start(&second, read_job, &jobs[1], jobs[1].n > 0);
        read_job(&jobs[0]);
        twin_join(&second);
        int r = jobs[0].r < 0 ? jobs[0].r : jobs[1].r;
        if (r < 0) {
                entries_free(v, p->n);
                return r;
        }
        *ret = v;
        *ret_n = p->n;
        return 0;
}

void sysusers_names(const char *text, char ***users, char ***groups) {
        _cleanup_free_ char *copy = xstrdup(text);
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char type[4], name[256], id[256] = "-";
                if (sscanf(line, "%3s %255s %255s", type, name, id) < 2)
                        continue;
                if (strcmp(type, "u") == 0) {
                        want(users, name);
                        if (!strchr(id, ':')) /* "u NAME -" makes a group of its own; "-:GROUP" joins one */
                                want(groups, name);
                } else if (strcmp(type, "g") == 0)
                        want(groups, name);
        }
}

void tmpfiles_dirs(const char *text, TmpDir **ret, size_t *ret_n) {
        _cleanup_free_ char *copy = xstrdup(text);
        char *save = NULL;
        TmpDir *v = NULL;
        size_t n = 0;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char type[4], path[4096], mode[16], owner[256], group[256];
                mode_t m;
                if (sscanf(line, "%3s %4095s %15s %255s %255s", type, path, mode, owner, group) != 5 ||
                    (strcmp(type, "d") != 0 && strcmp(type, "D") != 0) || path[0] != '/' || syntax_check_path(path) ||
                    parse_mode(mode, &m) < 0)
                        continue;
                v = xreallocarray(v, n + 1, sizeof(TmpDir));
                v[n++] = (TmpDir) { xstrdup(path + 1), m, xstrdup(owner), xstrdup(group) };
        }
        *ret = v;
        *ret_n = n;
}

static void hash_entries(StrBuf *b, const char *what, const DiskEntry *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const DiskEntry *e = &v[i];
                char flags[] = { '\t', e->exists ? '1' : '0', '\t', e->regular ? '1' : '0', e->directory ? '1' : '0', '\t', 0 };
                char mode[16];
                snprintf(mode, sizeof(mode), "\t%o\t", (unsigned) e->mode);
                sb_append(b, what);
                sb_putc(b, '\t');
                sb_append(b, e->path);
                sb_append(b, flags);
                sb_append(b, e->sha256);
                sb_append(b, mode);
                sb_append(b, e->owner ? e->owner : "");
                sb_putc(b, '\t');
                sb_append(b, e->group ? e->group : "");
                sb_putc(b, '\t');
                sb_append(b, e->link ? e->link : "");
                sb_putc(b, '\n');
        }
}

/* The hash of everything the snapshot holds. */
static void snapshot_hash(Snapshot *s) {
        StrBuf b = {};
        sb_printf(&b, "installed\t%llu\t%s\n", (unsigned long long) s->installed_number, s->installed ? s->installed->hash : "");
        for (size_t i = 0; s->credential_hashes && s->credential_hashes[i]; i++)
                sb_printf(&b, "recorded\t%s\n", s->credential_hashes[i]);
        hash_entries(&b, "file", s->files, s->n_files);
        hash_entries(&b, "link", s->links, s->n_links);
        hash_entries(&b, "credential", s->credentials, s->n_credentials);
        hash_entries(&b, "dir", s->dirs, s->n_dirs);
        hash_entries(&b, "program", s->programs, s->n_programs);
        for (size_t i = 0; s->passwd[i]; i++)
                sb_printf(&b, "passwd\t%s\n", s->passwd[i]);
        for (size_t i = 0; s->group[i]; i++)
                sb_printf(&b, "group\t%s\n", s->group[i]);
        sha256_hex(b.s ? b.s : "", b.len, s->hash);
        sb_free(&b);
}

/* The names of a passwd or group list. */
static char **names_of(char *const *db) {
        char **v = xcalloc(strv_length(db) + 1, sizeof(char *));
        for (size_t i = 0; db[i]; i++)
                v[i] = xstrndup(db[i], strcspn(db[i], ":"));
        return v;
}

static void read_accounts(Snapshot *s, int root_fd) {
        strv_free(s->passwd);
        strv_free(s->group);
        strv_free(s->users);
        strv_free(s->groups);
        s->passwd = passwd_read(root_fd, "etc/passwd");
        s->group = passwd_read(root_fd, "etc/group");
        s->users = names_of(s->passwd);
        s->groups = names_of(s->group);
}

int snapshot_take(const char *root, const Release *new, const Release *installed, uint64_t installed_number,
                  char **credential_hashes, const HashCache *known, Snapshot **ret) {
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                int r = -errno;
                strv_free(credential_hashes);
                return r;
        }
        Snapshot *s = xcalloc(1, sizeof(Snapshot));
        s->installed = installed;
        s->installed_number = installed_number;
        s->credential_hashes = credential_hashes;
        read_accounts(s, root_fd);
        Paths files = {}, links = {}, creds = {}, dirs = {}, programs = {};
        const Release *both[] = { new, installed != new ? installed : NULL }; /* installed is new on a no-op */
        for (size_t k = 0; k < 2; k++) {
                const Release *r = both[k];
                for (size_t i = 0; r && i < r->n_files; i++)
                        paths_add(&files, r->files[i].path);
                for (size_t i = 0; r && i < r->n_links; i++)
                        paths_add(&links, r->links[i].path);
        }
        for (size_t i = 0; new && i < new->n_credentials; i++)
                paths_add(&creds, new->credentials[i].path + 1);
        for (size_t i = 0; new && i < new->n_units; i++)
                for (size_t k = 0; new->units[i].programs[k]; k++)
                        if (!release_find_file(new, new->units[i].programs[k] + 1))
                                paths_add(&programs, new->units[i].programs[k] + 1);
        for (size_t i = 0; new && i < new->n_files; i++)
                if (new->files[i].kind == FILE_TMPFILES && new->files[i].data) {
                        TmpDir *d;
                        size_t n;
                        tmpfiles_dirs(new->files[i].data, &d, &n);
                        for (size_t j = 0; j < n; j++) {
                                paths_add(&dirs, d[j].path);
                                free(d[j].path), free(d[j].owner), free(d[j].group);
                        }
                        free(d);
                }
        int r = read_all(root_fd, &files, READ_HASH, known, s->passwd, s->group, &s->files, &s->n_files);
        if (r >= 0)
                r = read_all(root_fd, &links, READ_LINK, NULL, s->passwd, s->group, &s->links, &s->n_links);
        if (r >= 0)
                r = read_all(root_fd, &creds, READ_HASH, NULL, s->passwd, s->group, &s->credentials, &s->n_credentials);
        if (r >= 0)
                r = read_all(root_fd, &dirs, 0, NULL, s->passwd, s->group, &s->dirs, &s->n_dirs);
        if (r >= 0)
                r = read_all(root_fd, &programs, 0, NULL, s->passwd, s->group, &s->programs, &s->n_programs);
        paths_free(&files);
        paths_free(&links);
        paths_free(&creds);
        paths_free(&dirs);
        paths_free(&programs);
        if (r < 0) {
                snapshot_free(s); /* with credential_hashes, which it took */
                return r;
        }
        snapshot_hash(s);
        *ret = s;
        return 0;
}

int snapshot_refresh(Snapshot *s, const char *root, char *const *changed) {
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        read_accounts(s, root_fd);
        EntryReader reader;
        reader_init(&reader, root_fd, NULL, s->passwd, s->group);
        int r = 0;
        for (size_t i = 0; changed && changed[i] && r >= 0; i++) {
                DiskEntry *e = (DiskEntry *) snapshot_find(s->files, s->n_files, changed[i]);
                if (e)
                        r = entry_reread(&reader, e, READ_HASH);
                else if ((e = (DiskEntry *) snapshot_find(s->links, s->n_links, changed[i])))
                        r = entry_reread(&reader, e, READ_LINK);
        }
        for (size_t i = 0; i < s->n_credentials && r >= 0; i++)
                r = entry_reread(&reader, &s->credentials[i], READ_HASH);
        for (size_t i = 0; i < s->n_dirs && r >= 0; i++)
                r = entry_reread(&reader, &s->dirs[i], 0);
        for (size_t i = 0; i < s->n_programs && r >= 0; i++)
                r = entry_reread(&reader, &s->programs[i], 0);
        fs_dirs_done(&reader.dirs);
        if (r < 0)
                return r;
        snapshot_hash(s);
        return 0;
}

Snapshot *snapshot_free(Snapshot *s) {
        if (!s)
                return NULL;
        entries_free(s->files, s->n_files);
        entries_free(s->links, s->n_links);
        entries_free(s->credentials, s->n_credentials);
        entries_free(s->dirs, s->n_dirs);
        entries_free(s->programs, s->n_programs);
        strv_free(s->passwd);
        strv_free(s->group);
        strv_free(s->users);
        strv_free(s->groups);
        strv_free(s->credential_hashes);
        free(s->systemd_version_from);
        free(s);
        return NULL;
}
