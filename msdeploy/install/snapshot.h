/* SPDX-License-Identifier: MIT */
/* What the planner knows of a host: the installed release's manifest and, for every path a plan may touch,
 * what is on disk under the root. Taking it is the only I/O of planning; its hash is what a saved plan
 * was made against. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "install/release.h"

typedef struct DiskEntry {
        char *path;               /* relative to the root, like the manifest's */
        bool exists;              /* something is there */
        bool regular;             /* a regular file (else a link, directory, ...) */
        bool directory;
        char sha256[SHA256_HEX_SIZE]; /* regular files */
        mode_t mode;              /* permission bits */
        uint64_t size;
        char *owner, *group;      /* names from ROOT/etc/passwd and group, "#UID" when unknown */
        char *link;               /* a symlink's target */
        uint64_t dev, ino;        /* what vouches for sha256 in the file-hashes cache (install/hashcache.h) */
        int64_t mtime_ns, ctime_ns;
        int64_t read_ns;          /* CLOCK_REALTIME before it was read */
} DiskEntry;

typedef struct Snapshot {
        const Release *installed; /* the current release (borrowed), NULL when none */
        uint64_t installed_number;
        char **credential_hashes; /* of the installed release: "PATH=SHA256" as recorded at its apply */
        DiskEntry *files;         /* every file path of the new and installed releases, sorted */
        size_t n_files;
        DiskEntry *links;         /* every link path of both, sorted; a symlink there has its target alone */
        size_t n_links;
        DiskEntry *credentials;   /* every credential path of the new release, sorted */
        size_t n_credentials;
        DiskEntry *dirs;          /* every directory the new release's tmpfiles.d creates, sorted */
        size_t n_dirs;
        DiskEntry *programs;      /* every program the new release's units run that it does not ship, sorted */
        size_t n_programs;
        char **passwd, **group;   /* "NAME:ID" lines of ROOT/etc/passwd and ROOT/etc/group */
        char **users, **groups;   /* their names */
        unsigned systemd_version; /* the host's systemd, 0: not known (set by the caller: it may come over the bus) */
        char *systemd_version_from; /* where it was read: "the running systemd" or a file under the root */
        char hash[SHA256_HEX_SIZE]; /* of all the above */
} Snapshot;

typedef struct HashCache HashCache;

/* Looks at root for the paths of new (may be NULL) and installed (may be NULL); takes credential_hashes
 * (the installed release's record, may be NULL). A file that known (may be NULL) vouches for is not read
 * again. Returns -errno. */
int snapshot_take(const char *root, const Release *new, const Release *installed, uint64_t installed_number,
                  char **credential_hashes, const HashCache *known, Snapshot **ret);
/* Brings s up to date after an apply that wrote or removed only the paths changed (of its files and links):
 * those are read again, with the credentials, directories, programs and account databases; the other entries
 * are kept as they were read. An apply that ran systemd-sysusers or -tmpfiles takes a new snapshot instead. */
int snapshot_refresh(Snapshot *s, const char *root, char *const *changed);
Snapshot *snapshot_free(Snapshot *s);
static inline void snapshot_freep(Snapshot **s) {
        snapshot_free(*s);
}
const DiskEntry *snapshot_find(const DiskEntry *v, size_t n, const char *path);
/* Stats one path under root (no symlink followed), owner names from the given passwd/group lists; with
 * hash, the sha256 of a regular file, from known (may be NULL) when it vouches for the file. */
int disk_entry_read(int root_fd, const char *path, bool hash, const HashCache *known, char *const *passwd, char *const *group,
                    DiskEntry *ret);
void disk_entry_done(DiskEntry *e);
/* "NAME:UID" lines of ROOT/etc/passwd (or group): what owner names resolve to offline. */
char **passwd_read(int root_fd, const char *file);
int passwd_lookup(char *const *db, const char *name, unsigned *ret_id);

/* The users (u lines) and groups (g lines, and u lines' own groups) a sysusers.d text declares, and the
 * directories (d, D lines) a tmpfiles.d text creates with mode and owner. Pure. */
void sysusers_names(const char *text, char ***users, char ***groups);
typedef struct TmpDir {
        char *path;               /* relative to the root */
        mode_t mode;
        char *owner, *group;
} TmpDir;
void tmpfiles_dirs(const char *text, TmpDir **ret, size_t *ret_n);
