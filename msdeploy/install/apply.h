/* SPDX-License-Identifier: MIT */
/* Carrying out a plan: the steps in order through a host (ApplyOps), as msd-supervisor's tree drives its
 * host. The host writes under a root directory and runs systemd-sysusers and systemd-tmpfiles there;
 * unit actions go to systemd over the bus, or, offline (--root), are only reported. */
#pragma once
#include <stdbool.h>

#include "install/plan.h"

/* Each step returns -errno when it fails, and may say why in d (what a tool or systemd answered); a step
 * that does not is named by apply_plan() with its errno. */
typedef struct ApplyOps {
        int (*write_file)(void *userdata, const ReleaseFile *f, Diags *d);     /* create, update: atomically */
        int (*fix_file)(void *userdata, const ReleaseFile *f, Diags *d);       /* mode and owner only */
        int (*remove)(void *userdata, const char *path, Diags *d);             /* a file or a link */
        int (*link)(void *userdata, const ReleaseLink *l, Diags *d);
        int (*sysusers)(void *userdata, Diags *d);
        int (*tmpfiles)(void *userdata, Diags *d);
        /* daemon-reload (unit NULL), stop, reload, restart, start */
        int (*unit)(void *userdata, ActionType type, const char *unit, Diags *d);
} ApplyOps;

/* Runs every action of p in order; stops at the first failure, with why in d. ret_done: the number of
 * actions completed. */
int apply_plan(const Plan *p, const ApplyOps *ops, void *userdata, size_t *ret_done, Diags *d);

typedef struct Bus Bus;

/* The host: files under root; unit actions over bus (apply on the running system), or, offline (bus
 * NULL, --root), only counted: no running systemd is contacted. */
typedef struct RootHost {
        int root_fd;
        const char *root;
        Bus *bus;                 /* borrowed; NULL offline */
        char **passwd, **group;   /* re-read after systemd-sysusers */
        unsigned units_skipped;   /* offline: unit actions a live apply would have run */
} RootHost;

/* bus: NULL offline. */
int root_host_init(RootHost *h, const char *root, Bus *bus);
void root_host_done(RootHost *h);
extern const ApplyOps root_host_ops;
