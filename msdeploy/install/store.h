/* SPDX-License-Identifier: MIT */
/* The release store, ROOT/var/lib/msdeploy/PROJECT/: releases/N/ (the release's bundle.tar and its
 * record release.json), `current` (a symlink to releases/N switched by one rename), `journal` (the apply
 * in progress, so that the next one finishes it) and `lock` (one apply at a time). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "install/release.h"

#define STORE_DIR "var/lib/msdeploy"
#define STORE_KEEP_MAX 1000 /* the most releases --keep asks for: deploy.keep_releases' bound in spec/schema.c */

typedef struct Store {
        int root_fd;
        int fd;                   /* the project's directory */
        char *root;               /* for messages and the bundle writer */
        char *project;
        int lock_fd;              /* held while locked, else -1 */
        bool lock_recorded;       /* the holder's record is in the lock file (store_lock_record) */
} Store;

typedef struct ReleaseInfo {
        uint64_t number;
        int64_t time;             /* seconds since the epoch */
        char *tier;
        char hash[SHA256_HEX_SIZE];
        char *status;             /* "pending", "deployed", "superseded", "rolled-back" */
        uint64_t rollback_of;     /* 0: not a rollback */
        char **credentials;       /* "PATH=SHA256" of the credentials its units loaded when applied */
} ReleaseInfo;

/* Opens (create: makes) the store of project under root. */
int store_open(const char *root, const char *project, bool create, Store **ret);
Store *store_free(Store *s);
static inline void store_freep(Store **s) {
        store_free(*s);
}
/* The one project with a store under root; -ENOENT for none, -ENOTUNIQ for several. */
int store_find_project(const char *root, char **ret);

/* Takes the lock (a flock on the file `lock`, created once), writing nothing. -EBUSY when another live
 * process holds it (the error in d names its PID and start time: from its record, else from /proc/locks);
 * a record left by a dead process (PID gone, or another boot) is taken over, with a note in d saying so.
 * Every failure is explained in d. */
int store_lock(Store *s, Diags *d);
/* Writes the holder's record (PID, start time, boot id) into the lock, once: an apply calls it before it
 * changes anything, so that a no-op apply leaves the store untouched. */
int store_lock_record(Store *s);
void store_unlock(Store *s);

uint64_t store_current(Store *s);   /* 0: none */
int store_set_current(Store *s, uint64_t n);
int store_info(Store *s, uint64_t n, ReleaseInfo *ret);
void release_info_done(ReleaseInfo *i);
/* Every release, by number. */
int store_list(Store *s, ReleaseInfo **ret, size_t *ret_n);
/* The whole release (its files' content, checked against the manifest): to install it again. Why it
 * cannot be read goes to d. */
int store_load(Store *s, uint64_t n, Release **ret, Diags *d);
/* Its manifest alone: what the planner needs of the installed release. Why it cannot be read goes to d. */
int store_load_manifest(Store *s, uint64_t n, Release **ret, Diags *d);
/* Stores r as the next release, status "pending"; why it cannot goes to d. */
int store_add(Store *s, Release *r, uint64_t rollback_of, uint64_t *ret_number, Diags *d);
int store_set_status(Store *s, uint64_t n, const char *status, char **credentials);
/* Removes the oldest releases beyond keep, never the current one. */
int store_prune(Store *s, size_t keep);

/* The journal: the release an apply is bringing the host to, the one it started from, and the unit
 * actions its plan owes ("restart UNIT", "daemon-reload systemd"): files written before an interruption
 * no longer differ, so a resumed plan would not find these again by itself. */
int store_journal_begin(Store *s, uint64_t target, uint64_t previous, char *const *unit_actions);
/* -ENOENT when no apply was interrupted. */
int store_journal_read(Store *s, uint64_t *ret_target, uint64_t *ret_previous, char ***ret_unit_actions);
int store_journal_end(Store *s);
