/* SPDX-License-Identifier: MIT */
/* Composition: built-in defaults < tiers/T.yaml < spec < spec.tiers.T < --set, then per-item defaults. */
#pragma once
#include "spec/node.h"

/* A spec file read and parsed once, shared by every tier composed from it (read-only). */
typedef struct SpecFile {
        Arena *arena;
        Source *source;          /* owned; diagnostics point into it */
        Node *root;
} SpecFile;

/* Reads and parses a spec; on failure *ret still holds the source for the diagnostics. */
int spec_file_load(const char *path, SpecFile **ret, Diags *d);
SpecFile *spec_file_free(SpecFile *f);

typedef struct SpecOptions {
        const char *spec_path;
        const SpecFile *file;    /* the parsed spec; NULL: spec_compose() reads spec_path itself */
        const char *tier;        /* "tier_3" or "3"; required */
        const char *tiers_dir;   /* the directory of the tier files (the caller finds it), or NULL: none */
        char *const *tier_files; /* the tiers it has a file for ("tier_3" for tier_3.yaml), NULL-terminated; NULL: none */
        const char *const *sets; /* "path=value" overrides, applied in order */
        size_t n_sets;
} SpecOptions;

/* A composed spec: the effective tree for one tier, and every source it came from. */
typedef struct Spec {
        Arena *arena;
        SpecFile *own_file;      /* when spec_compose() read the spec itself */
        Source **sources;        /* owned; diagnostics point into them */
        size_t n_sources;
        const char *spec_path;
        const Source *spec_source; /* the spec file's text */
        const char *tier;        /* canonical: "tier_3" */
        const char *tier_title;  /* "operational", or NULL */
        Node *tree;              /* effective tree, defaults applied under every service/check/supervisor */
} Spec;

/* Loads and merges every layer, checks the result against the schema. On failure returns -errno and
 * *ret still holds the sources (free it after printing diagnostics). */
int spec_compose(const SpecOptions *o, Spec **ret, Diags *d);
Spec *spec_free(Spec *s);

/* The tiers available for a spec: those with a tier file (tier_files, NULL-terminated, may be NULL) plus the
 * spec's own overlays, sorted and without duplicates. Returns how many. */
int spec_list_tiers(const SpecFile *file, char *const *tier_files, char ***ret);
/* "3" -> "tier_3"; anything else as given (malloc'ed). */
char *spec_tier_canonical(const char *tier);
