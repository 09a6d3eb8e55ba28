/* SPDX-License-Identifier: MIT */
/* Sandboxing of services: the three hardening profiles as data, per-service overrides and capabilities. */
#pragma once
#include <stddef.h>

#include "render/unit_writer.h"
#include "spec/directives.h"
#include "spec/model.h"

/* What the program a service runs needs from its sandbox, beyond what its profile allows: msdeploy knows it for
 * the programs it writes the command of (msd-supervisor). */
typedef enum HardeningNeeds {
        HARDENING_NEED_PROCESSES = 1 << 0, /* sees other services' processes in /proc: ProtectProc=default */
} HardeningNeeds;


/*
 * Writes the [Service] sandboxing lines of s: its profile, with each directive the service overrides replaced by the
 * override (at the profile's position) and overrides the profile lacks appended in spec order; then
 * CapabilityBoundingSet= and AmbientCapabilities= from s->capabilities unless overridden. A profile directive that
 * would break what needs asks for is relaxed just enough, with a comment saying why, unless the spec overrides it.
 * Directives the target systemd lacks are skipped with a warning by the writer. Overrides are systemd syntax the
 * spec writes on purpose, so they are written as given (uw_set_raw(): specifiers such as '%S' keep working).
 */
void hardening_write(UnitWriter *w, const Service *s, HardeningNeeds needs);
