/* SPDX-License-Identifier: MIT */
/* msd-supervisor at run time: one sd-event loop driving the tree (processes, timers, backoff), the
 * sd_notify socket for children, systemd notifications (READY, WATCHDOG, STATUS, STOPPING) and signals. */
#pragma once
#include <systemd/sd-event.h>

#include "supervisor/config.h"
#include "supervisor/core/tree.h"

typedef struct Runtime Runtime;

/* Sets everything up on a new loop (SIGCHLD, SIGTERM, SIGINT, SIGHUP blocked and handled). */
/* config (read from path) is the runtime's from now on: a reload replaces and frees it. */
int runtime_new(const char *path, SvConfig *config, Runtime **ret);
Runtime *runtime_free(Runtime *r); /* frees the configuration too */
/* Runs until the root stops; returns the process exit code (0 after a shutdown, 1 after escalation). */
int runtime_run(Runtime *r);
