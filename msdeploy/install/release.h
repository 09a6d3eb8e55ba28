/* SPDX-License-Identifier: MIT */
/* A release: everything msdeploy installs on a host for one project and tier (the rendered artifacts and
 * the payload), with its manifest (per path: sha256, mode, owner, group, kind, consuming units), the units
 * it defines, their enablement links and the credentials they load. The manifest's hash names the whole.
 *
 * The manifest is JSON (format_version 1), written with util/json.h and read back with install/doc.h's
 * strict JSON reader, checked as strictly as any input: a bundle is an input. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "install/sha256.h"
#include "render/artifact.h"
#include "spec/model.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/strv.h"

#define RELEASE_FORMAT_VERSION 1

typedef enum FileKind {
        FILE_UNIT,      /* a unit file: etc/systemd/system/NAME */
        FILE_DROPIN,    /* a drop-in: etc/systemd/system/NAME.d/X.conf */
        FILE_ENV,       /* an env file (EnvironmentFile=): its units restart */
        FILE_CONFIG,    /* read by a running msd-supervisor (supervisor.yaml, health-checks.yaml): its units reload */
        FILE_PROGRAM,   /* a generated script a unit runs: its units restart */
        FILE_SYSUSERS,
        FILE_TMPFILES,
        FILE_DATA,      /* read by no unit: scripts run by hand, monitoring.yaml, the spec's copy */
        FILE_PAYLOAD,   /* the application's own files: the units that run them restart */
        _FILE_KIND_MAX,
        _FILE_KIND_INVALID = -1,
} FileKind;

typedef enum UnitKind {
        UNIT_SERVICE,
        UNIT_TEMPLATE,  /* NAME@.service: its instances start, stop and restart one at a time */
        UNIT_SLICE,     /* limits apply on daemon-reload: never restarted */
        UNIT_TARGET,
        _UNIT_KIND_MAX,
        _UNIT_KIND_INVALID = -1,
} UnitKind;

typedef struct ReleaseFile {
        char *path;               /* relative to the root, no leading '/' */
        FileKind kind;
        mode_t mode;
        char *owner, *group;
        uint64_t size;
        char sha256[SHA256_HEX_SIZE];
        char **units;             /* the units that consume it, sorted (NULL-terminated, never NULL) */
        char *data;               /* the bytes when loaded, NULL for a manifest alone */
} ReleaseFile;

typedef struct ReleaseUnit {
        char *name;               /* "mister-smith-worker@.service" */
        UnitKind kind;
        char **instances;         /* templates: "mister-smith-worker@1.service", ... in spec order */
        char **part_of;           /* PartOf=: a restart of one of these restarts this unit too */
        char **programs;          /* absolute paths its processes run: ExecStart=, ExecStartPre=, msd-supervisor
                                   * and its workers; each must exist on the host or come with the release */
} ReleaseUnit;

typedef struct ReleaseLink {
        char *path;               /* "etc/systemd/system/mister-smith.target.wants/mister-smith-messaging.service" */
        char *target;             /* "/etc/systemd/system/mister-smith-messaging.service" */
} ReleaseLink;

typedef struct ReleaseCredential {
        char *path;               /* absolute, on the host: LoadCredential= reads it, the release never copies it */
        char **units;
} ReleaseCredential;

typedef struct Release {
        Arena *arena;             /* every string and array of the release but the files' data and the manifest text */
        char *project, *tier, *tool_version;
        char *spec_sha256;        /* of the spec's text */
        unsigned systemd_version; /* rendered for: the oldest systemd its directives were checked against */
        Deploy deploy;            /* the spec's deploy: settings, for an apply without the spec (a bundle) */
        char *prefix, *config_dir, *libexec_dir; /* the project's install roots */
        ReleaseFile *files;       size_t n_files;       /* sorted by path */
        ReleaseUnit *units;       size_t n_units;       /* sorted by name */
        ReleaseLink *links;       size_t n_links;       /* sorted by path */
        ReleaseCredential *credentials; size_t n_credentials; /* sorted by path */
        char **health;            /* host:port of every msd-supervisor endpoint whose GET /health the health
                                   * gate asks (the supervision tree's, the health aggregator's) */
        char hash[SHA256_HEX_SIZE]; /* of the manifest: names the whole release */
        char *manifest;           /* its text, once release_manifest() made it */
        size_t manifest_len;
} Release;

const char *file_kind_to_string(FileKind k);
FileKind file_kind_from_string(const char *s);
const char *unit_kind_to_string(UnitKind k);
UnitKind unit_kind_from_string(const char *s);

/* Builds the release of a rendered tier: takes the artifacts (artifacts is left empty), reads the payload
 * from spec_dir (a missing or unreadable source is an error at its line in d). Returns -errno. */
int release_from_model(const Model *m, ArtifactSet *artifacts, const char *spec_dir, const char *tool_version, Release **ret,
                       Diags *d);
Release *release_free(Release *r);
static inline void release_freep(Release **r) {
        release_free(*r);
}

/* The manifest as JSON, made once and kept with r (which does not change after); also sets r->hash to its
 * sha256. */
const char *release_manifest(Release *r, size_t *ret_len);
/* Parses and checks a manifest (file contents not loaded); r->hash is the sha256 of text. On error
 * returns -EBADMSG with the first problem found in d. */
int release_parse_manifest(const char *text, size_t len, Release **ret, Diags *d);

const ReleaseFile *release_find_file(const Release *r, const char *path);
const ReleaseUnit *release_find_unit(const Release *r, const char *name);
const ReleaseLink *release_find_link(const Release *r, const char *path);
/* Whether a release of this project may install at path (relative to the root): the systemd, sysusers.d
 * and tmpfiles.d directories, the project's config_dir, libexec_dir and prefix, and /usr/local/bin. */
bool release_path_allowed(const Release *r, const char *path);
/* Whether an install root of a project (prefix, config_dir, libexec_dir) is one msdeploy may write
 * under: two components at least, in /etc, /opt, /srv, /usr/local or /var/lib but not msdeploy's own. */
bool release_root_valid(const char *dir);

