/* SPDX-License-Identifier: MIT */
/* Commands: one file per command, registered in one table (cmd/table.c); shared loading helpers. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "render/artifact.h"
#include "spec/compose.h"
#include "spec/model.h"
#include "util/diag.h"
#include "util/units.h"

/* Exit codes (documented in --help, msdeploy(1) and the README). */
enum {
        EXIT_OK = 0,
        EXIT_INVALID = 1,   /* invalid spec or input */
        EXIT_CHANGES = 2,   /* plan --detailed-exitcode: changes pending */
        EXIT_ROLLED_BACK = 3,
        EXIT_IO = 4,        /* could not write the output (or run diff(1)), or apply failed */
        EXIT_LOCKED = 5,    /* another apply holds the lock */
        EXIT_STALE_PLAN = 6,/* a saved plan no longer matches the host */
        EXIT_USAGE = 64,
};

#define CMD_MAX_TIERS 8
#define CMD_MAX_SETS 256

typedef struct CmdContext {
        const char *spec_path;
        const char *tiers[CMD_MAX_TIERS];
        size_t n_tiers;
        const char *sets[CMD_MAX_SETS];
        size_t n_sets;
        const char *tiers_dir;
        unsigned systemd_version;
        const char *out;
        const char *archive;
        bool json;
        bool stat;
        bool werror;
        bool color;
        const char *root;        /* --root: the host's root directory (NULL: /) */
        const char *bundle;      /* --bundle FILE */
        bool detailed_exitcode;
        bool yes;
        bool force;
        bool installed;          /* diff --installed */
        int health_gate;         /* apply: 1 --health-gate, 0 --no-health-gate, -1 the release's deploy.health_gate.enabled */
        usec_t health_timeout;   /* apply: how long the gate waits (0: the release's deploy.health_gate.timeout) */
        unsigned keep_releases;  /* apply, rollback: releases the store keeps (--keep; 0: the release's deploy.keep_releases) */
        char **args;  /* positional arguments after the command */
        size_t n_args;
        /* set by cmd_open(), freed by cmd_close() */
        SpecFile *file;           /* the spec, parsed once */
        char *found_tiers_dir;    /* where its tier files are, or NULL */
        char **tier_files;        /* the tiers found_tiers_dir has a file for */
        /* set by cmd_report() and by cmd_plan_print(), after which an apply may still report */
        bool json_out;            /* --json: stdout holds its one document; diagnostics after it go to stderr */
} CmdContext;

typedef struct Command {
        const char *name;
        int (*run)(CmdContext *c);
        const char *synopsis;
        const char *summary;
        const char *help;
        size_t max_args;        /* positional arguments it takes */
} Command;

extern const Command commands[];
const Command *command_find(const char *name);

/* One tier fully processed: composed spec, model and artifacts. */
typedef struct TierResult {
        Spec *spec;
        Model *model;
        ArtifactSet artifacts;
        size_t n_services, n_slices, n_artifacts; /* kept when the rest is trimmed */
} TierResult;

/* Processes every tier, concurrently on as many CPUs as there are; each result is trimmed once done
 * (the model freed, artifacts kept if asked, the spec kept while diagnostics point into it).
 * Diagnostics are appended to d in tier order. */
void cmd_process_tiers(const CmdContext *c, char **tiers, size_t n, TierResult *results, Diags *d, bool keep_artifacts);
/* Compose and build one tier (no rendering). Returns -errno. */
int cmd_build_tier(const CmdContext *c, const char *tier, TierResult *ret, Diags *d);
/* Compose, build and render one tier; diagnostics accumulate in d. Returns -errno. */
int cmd_process_tier(const CmdContext *c, const char *tier, TierResult *ret, Diags *d);
void tier_result_free(TierResult *t);
void tier_results_free(TierResult *results, size_t n);
/* Frees what is no longer needed once a tier is done; the spec is kept while diagnostics point into
 * its sources. */
void tier_result_trim(TierResult *t, bool keep_artifacts, bool keep_spec);
/* Reads and parses the spec once, finds its tier files, and lists the tiers to act on: those given with
 * --tier (canonical names), else every tier the spec has. On failure prints why, returns -errno. */
int cmd_open(CmdContext *c, char ***ret);
/* cmd_open(), then cmd_process_tiers() on every tier to act on: *ret_results holds one result per tier of
 * *ret_tiers (free with tier_results_free()). Returns how many tiers, or -errno when the spec cannot be opened. */
int cmd_open_and_process(CmdContext *c, bool keep_artifacts, char ***ret_tiers, TierResult **ret_results, Diags *d);
/* Frees what cmd_open() found. */
void cmd_close(CmdContext *c);
/* Where the tier files of the spec at spec_path are: option (--tiers-dir) if given, else
 * $MSDEPLOY_TIERS_DIR if set, else the first directory of SPEC_DIR/tiers, SPEC_DIR/../tiers and
 * MSDEPLOY_DATADIR/tiers. Returns -ENOENT when there is none. */
int cmd_find_tiers_dir(const char *spec_path, const char *option, char **ret);
/* The tiers dir has a file for ("tier_3" for tier_3.yaml; hidden files left out), sorted. Returns how
 * many, or -errno. */
int cmd_list_tier_files(const char *dir, char ***ret);
/* Prints diagnostics and returns the exit code they imply: with --json, as the JSON array on stdout when
 * they are the whole output or the command failed, unless its own JSON document is out already (then as
 * text on stderr, like warnings of a command that succeeds). */
int cmd_report(CmdContext *c, Diags *d, bool only_output);
/* Prints d as cmd_report() does, empties it and returns exit_code: `return cmd_flush(c, &d, EXIT_IO);`
 * once a command stops, or to show notes and warnings as they come. */
int cmd_flush(CmdContext *c, Diags *d, int exit_code);
/* One error of the command itself, printed as cmd_flush() prints; returns exit_code. */
int cmd_error(CmdContext *c, int exit_code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The time every archive entry carries: SOURCE_DATE_EPOCH (reproducible-builds.org), or 0. */
int64_t cmd_source_date_epoch(void);
/* Unified diff of artifact a (labelled ta/PATH; NULL: absent) against b (tb/PATH) through diff(1), using
 * tmpdir for the two files; appends it to out (may be NULL) and counts added and removed lines. */
int cmd_diff_artifact(const char *tmpdir, const char *path, const Artifact *a, const Artifact *b, const char *ta, const char *tb,
                      StrBuf *out, size_t *added, size_t *removed);

int cmd_validate(CmdContext *c);
int cmd_generate(CmdContext *c);
int cmd_diff(CmdContext *c);
int cmd_explain(CmdContext *c);
int cmd_schema(CmdContext *c);
int cmd_bundle(CmdContext *c);
int cmd_plan(CmdContext *c);
int cmd_apply(CmdContext *c);
int cmd_releases(CmdContext *c);
int cmd_rollback(CmdContext *c);
int cmd_diff_installed(CmdContext *c);
int cmd_health(CmdContext *c);
int cmd_status(CmdContext *c);
