/* SPDX-License-Identifier: MIT */
/* Shared plumbing of the install commands (bundle, plan, apply, rollback, releases, diff --installed):
 * the release to install, the host's store and installed release, planning against a snapshot. */
#pragma once
#include "cmd/cmd.h"
#include "install/plan.h"
#include "install/store.h"
#include "sd/bus.h"

typedef struct Host {
        const char *root;         /* --root, or "/" */
        Store *store;             /* NULL when nothing was ever installed */
        Release *installed;       /* the current release, or NULL */
        const Release *incoming;  /* the release being planned or applied, when opened for one (borrowed) */
        bool installed_is_incoming; /* installed is incoming (the same hash): not read from the store, not freed */
        uint64_t installed_number;
        char **credentials;       /* recorded with the current release */
        Bus *bus;                 /* apply on the running system (no --root): systemd over the bus */
} Host;

/* The release a command acts on: a saved plan file (plan_file, its plan.json in *ret_plan), --bundle, or
 * the spec rendered for its one --tier. Prints why it failed; returns the exit code. */
int cmd_release_load(CmdContext *c, const char *plan_file, Release **ret, char **ret_plan);
/* Opens the store of incoming's project under the root, when there is one (h->store NULL: nothing was ever
 * installed), and loads the current release: incoming itself when it has the current release's hash (a
 * no-op plan reads no manifest). With incoming NULL, the one project installed there. Prints why it failed;
 * returns the exit code. */
int cmd_host_open(CmdContext *c, const Release *incoming, Host *ret);
/* The first apply of incoming's project, once it goes on to change the host: makes its store and takes the
 * lock (a refused apply leaves nothing behind). Refused when another apply installed a release meanwhile: it
 * was planned without the lock. Prints why it failed; returns the exit code. */
int cmd_host_create_store(CmdContext *c, Host *h);
void cmd_host_close(Host *h);
/* (Re)reads the current release of the store: its manifest and what was recorded at its apply. Prints why
 * it failed; returns the exit code. */
int cmd_host_load_current(CmdContext *c, Host *h);
/* apply and rollback without --root: connects to systemd on the system bus. Prints why it failed;
 * returns the exit code. */
int cmd_host_connect(CmdContext *c, Host *h);
/* Snapshot of the host for r, then the plan. Prints why it failed; returns the exit code. */
int cmd_host_plan(CmdContext *c, Host *h, const Release *r, PlanFlags flags, Snapshot **ret_snap, Plan **ret_plan);
/* Prints the plan (text with a unified diff of every text file it updates, or JSON with --json); returns
 * the exit code its errors imply. */
int cmd_plan_print(CmdContext *c, const Host *h, const Plan *p, const Release *r, const Snapshot *snap);
/* Brings the host to r: stores it, journals, carries out p, switches `current`, prunes. snap: the snapshot p
 * was made against, brought up to date with what p wrote. rollback_of: the release it restores (0: none).
 * Prints progress; returns the exit code. */
int cmd_host_apply(CmdContext *c, Host *h, Release *r, const Plan *p, Snapshot *snap, uint64_t rollback_of);
/* Waits (at most timeout) until every unit of r is active and every endpoint it declares healthy; why
 * says what was not, when it returns false. Needs h->bus. */
bool cmd_health_wait(Host *h, const Release *r, usec_t timeout, StrBuf *why);
/* Finishes an apply that was interrupted (a journal is left): the host is brought to its target. */
int cmd_host_resume(CmdContext *c, Host *h);
