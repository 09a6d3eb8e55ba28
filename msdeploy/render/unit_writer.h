/* SPDX-License-Identifier: MIT */
/* A small writer for systemd unit files: sections, escaped Key=value lines, and directives gated by systemd version. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "render/artifact.h"
#include "spec/model.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"

/*
 * Which setter for which directive:
 *
 *   uw_set_raw()  the value is written as given: msdeploy's own fixed values and hardening overrides.
 *   uw_set_spec() text the spec author writes in systemd's own terms, Description= and command lines: a
 *                 '%' that starts a systemd specifier ('%i', '%n', ...) is kept, any other '%' ("100%") is
 *                 doubled so systemd prints it instead of failing to resolve it.
 *   uw_set()      every other value that comes from the spec or the model: paths, names, user and group
 *                 names, credential sources. '%' becomes '%%' so systemd reads back exactly the given text.
 *   uw_set_env()  Environment="NAME=value": quoted, '"' and '\' backslash-escaped, '%' doubled.
 *   uw_exec_append_arg() builds a command line from literal arguments (paths msdeploy composes itself):
 *                 quoted where needed, '%' doubled and '$' doubled so systemd neither expands specifiers nor
 *                 substitutes variables.
 *
 * Values that a unit file cannot carry (a newline, a trailing backslash that would continue the line, whitespace at
 * either end, which systemd strips) are reported as errors at the writer's location, and make the writer fail with
 * -EINVAL, returned by uw_finish().
 */

typedef struct UnitWriter {
        StrBuf *b;
        unsigned systemd_version; /* the target systemd: newer directives are dropped with a warning */
        Diags *d;                 /* warnings and errors go here; may be NULL */
        Loc loc;                  /* where they point: the service or slice being rendered */
        const char *unit;         /* unit file name, for messages */
        unsigned n_sections;
        int error;                /* first failure, -errno; 0 while all is well */
} UnitWriter;

void uw_init(UnitWriter *w, StrBuf *b, unsigned systemd_version, Diags *d, Loc loc, const char *unit);
/* "[Name]", with a blank line before every section but the first. */
void uw_section(UnitWriter *w, const char *name);
/* A comment line ("# text"); text must not contain a newline. */
void uw_comment(UnitWriter *w, const char *text);

/* The systemd version that introduced a directive, 0 when it predates every version msdeploy targets. */
unsigned uw_directive_min_version(const char *key);
/* False, with a warning naming the directive and the version it needs, when the target systemd lacks it. */
bool uw_supported(UnitWriter *w, const char *key);

void uw_set_raw(UnitWriter *w, const char *key, const char *value);
void uw_set_spec(UnitWriter *w, const char *key, const char *value);
void uw_set(UnitWriter *w, const char *key, const char *value);
void uw_setf(UnitWriter *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Space-separated, each item escaped as by uw_set(); nothing when the list is empty. */
void uw_set_list(UnitWriter *w, const char *key, const StrList *l);
void uw_set_env(UnitWriter *w, const char *name, const char *value);
/* Skipped when unset (USEC_UNSET / UNSET_U64). */
void uw_set_duration(UnitWriter *w, const char *key, usec_t u);
void uw_set_u64(UnitWriter *w, const char *key, uint64_t v);
void uw_set_size(UnitWriter *w, const char *key, uint64_t bytes);
void uw_set_percent(UnitWriter *w, const char *key, uint64_t percent);
void uw_set_bool(UnitWriter *w, const char *key, bool v);

/* Appends one literal argument to a command line in b, separated by a space from what precedes it. */
void uw_exec_append_arg(StrBuf *b, const char *arg);

/* 0, or the first error met while writing. */
int uw_finish(const UnitWriter *w);
/* Adds the written unit to out as PATH (0644, root) and returns 0; on a writer error frees the text and
 * returns the error. */
int uw_finish_artifact(UnitWriter *w, ArtifactSet *out, const char *path);
/* MemoryMax=, MemoryHigh=, CPUQuota=, CPUWeight=, IOWeight=, TasksMax= of the limits that are set. */
void uw_set_limits(UnitWriter *w, const Limits *l);
