/* SPDX-License-Identifier: MIT */
/* The one sd-bus client of apply on the running system: what each unit action of a plan asks systemd
 * (pure: bus_call_for), and carrying it out, waiting for the job to finish (bus_run). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "install/plan.h"

typedef struct BusCall {
        const char *method;   /* org.freedesktop.systemd1.Manager: Reload, StartUnit, StopUnit, RestartUnit, KillUnit */
        const char *unit;     /* NULL for Reload */
        const char *arg;      /* the job mode ("replace"), or whom KillUnit signals ("main") */
        int signal;           /* KillUnit */
        bool job;             /* the call queues a job: done when JobRemoved says so */
} BusCall;

/* daemon-reload -> Reload; start, stop, restart -> StartUnit, StopUnit, RestartUnit with mode "replace",
 * waited for; reload -> KillUnit(main, SIGHUP): the only reload a plan makes is of msd-supervisor, which
 * re-reads its configuration on SIGHUP. */
BusCall bus_call_for(ActionType type, const char *unit);
/* "RestartUnit mister-smith-worker@1.service replace" */
void bus_call_format(const BusCall *c, StrBuf *out);

typedef struct Bus Bus;

/* Connects to the system bus and subscribes to the manager's job signals. */
int bus_open(Bus **ret);
Bus *bus_free(Bus *b);
/* The version of the running systemd (its manager's Version property, e.g. 252 of "252.39-1~deb12u2"). */
int bus_manager_version(Bus *b, unsigned *ret);
/* The ActiveState of unit ("active", "activating", "failed", ...), malloc'ed. */
int bus_unit_state(Bus *b, const char *unit, char **ret);
/* Makes the call; for a job, waits until it is removed (at most timeout_usec) and fails unless its result
 * is "done", with an error in d naming the call, the unit and what systemd said. */
int bus_run(Bus *b, const BusCall *c, uint64_t timeout_usec, Diags *d);
