/* SPDX-License-Identifier: MIT */
/* Test helpers for the install engine: releases from inline specs, snapshots of a host in memory. */
#pragma once
#include "install/plan.h"

/* A small spec with every kind of file a release holds: a slice tree, an env file, a credential, a
 * template with instances PartOf= the main service, a payload binary (INSTALL_PAYLOAD_SOURCE). */
extern const char install_spec[];
#define INSTALL_PAYLOAD_SOURCE "/tmp/msdeploy-test-payload.bin"

/* Builds the release of yaml for tier with --set overrides (NULL-terminated, may be NULL); payload_bytes
 * are written to INSTALL_PAYLOAD_SOURCE first. Fails the test on any error. */
Release *install_release(const char *yaml, const char *tier, const char *const *sets, const char *payload_bytes);
/* A host on which r is installed exactly (files, links, directories, accounts) as release number 1, with
 * the credential files present; r is the snapshot's installed release. */
Snapshot *install_snapshot_of(const Release *r);
/* An empty host. */
Snapshot *install_snapshot_empty(const Release *for_release);
/* The disk entry of path in s (files), for a test to change it. */
DiskEntry *install_disk(Snapshot *s, const char *path);
/* "type subject; type subject; ..." of every action of p. */
char *install_plan_steps(const Plan *p);
