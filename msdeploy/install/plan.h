/* SPDX-License-Identifier: MIT */
/* The install planner: a pure function of (release, snapshot of the host) to the ordered actions that
 * bring the host to the release, each with its reason, plus what was changed by hand and is left alone.
 *
 * Order (after NixOS's switch-to-configuration): stop removed units; remove their enablement links; the
 * sysusers.d files, then systemd-sysusers; the other files (create, update, fix mode/owner, delete);
 * systemd-tmpfiles --create; enablement links; one daemon-reload; reloads; restarts (template instances
 * one at a time); starts. A unit restarts only for a change of something it reads: its unit file or a
 * drop-in, an env file, a credential, a program or payload it runs; a change of a configuration a running
 * msd-supervisor reads is a reload; a slice or target change is the daemon-reload alone. */
#pragma once
#include <stdbool.h>

#include "install/release.h"
#include "install/snapshot.h"
#include "util/strbuf.h"

#define PLAN_FORMAT_VERSION 1

typedef enum ActionType {
        ACTION_STOP,
        ACTION_DISABLE,       /* remove an enablement link */
        ACTION_CREATE,        /* a file */
        ACTION_UPDATE,
        ACTION_FIX,           /* mode or owner only */
        ACTION_DELETE,
        ACTION_SYSUSERS,      /* systemd-sysusers: users and groups to create */
        ACTION_TMPFILES,      /* systemd-tmpfiles --create: directories to create or fix */
        ACTION_ENABLE,        /* make an enablement link */
        ACTION_DAEMON_RELOAD,
        ACTION_RELOAD,
        ACTION_RESTART,
        ACTION_START,
        _ACTION_TYPE_MAX,
        _ACTION_TYPE_INVALID = -1,
} ActionType;

typedef struct Action {
        ActionType type;
        char *subject;              /* a path relative to the root, a unit name, or the tool run */
        char *detail;               /* "0640 root:mister-smith, 120 -> 133 bytes", or NULL */
        char *reason;               /* why, or NULL */
        char **also;                /* restart: units restarted with it (PartOf=), NULL-terminated */
        const ReleaseFile *file;    /* create, update, fix: the file (borrowed from the release) */
        const ReleaseLink *link;    /* enable: the link */
} Action;

typedef struct Drift {
        char *path;
        char *what;                 /* "changed by hand since release 3 (content, mode)" */
} Drift;

typedef struct Plan {
        Action *actions;            size_t n_actions;
        Drift *drift;               size_t n_drift;  /* left alone (without PLAN_FORCE) */
        char **errors;              /* preflight problems: apply refuses (NULL-terminated) */
        char state_hash[SHA256_HEX_SIZE];   /* of the snapshot it was made against */
        char release_hash[SHA256_HEX_SIZE];
        unsigned add, change, destroy, restart, reload, start, stop;
} Plan;

typedef enum PlanFlags {
        PLAN_FORCE = 1 << 0,        /* overwrite and delete files changed by hand or not installed by msdeploy */
} PlanFlags;

const char *action_type_to_string(ActionType t);
ActionType action_type_from_string(const char *s);

/* Pure: reads only its arguments. new's file data must be loaded (sysusers.d and tmpfiles.d are read). */
Plan *plan_compute(const Release *new, const Snapshot *snap, PlanFlags flags);
/* The systemd-sysusers and systemd-tmpfiles actions alone of plan_compute(new, snap, 0): the users, groups
 * and directories still to make, which an apply checks are none once it ran. Pure. */
Plan *plan_tools(const Release *new, const Snapshot *snap);
Plan *plan_free(Plan *p);
static inline void plan_freep(Plan **p) {
        plan_free(*p);
}
bool plan_has_changes(const Plan *p);
/* The unit actions of p ("restart UNIT", in order): what an apply records in its journal. */
char **plan_unit_actions(const Plan *p);
/* Adds to p the unit actions an interrupted apply still owed (from its journal) that p does not have,
 * each in its place in the order, with the reason "owed by the interrupted apply". Pure. */
void plan_carry_over(Plan *p, char *const *unit_actions);

/* The plan for people: grouped, one line each, then details (NULL: none; the caller's, such as diffs of
 * the files), the summary last. */
void plan_format_text(const Plan *p, const Release *new, const Snapshot *snap, const char *details, StrBuf *out);
/* The plan as JSON (format_version PLAN_FORMAT_VERSION): what --json prints and plan -o saves. */
void plan_format_json(const Plan *p, const Release *new, const Snapshot *snap, StrBuf *out);
/* The state hash a saved plan's JSON was made against; -EBADMSG when it is not a plan. */
int plan_saved_state(const char *json, char ret[SHA256_HEX_SIZE]);
