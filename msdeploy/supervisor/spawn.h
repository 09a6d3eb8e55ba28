/* SPDX-License-Identifier: MIT */
/* Starting a supervised process: its own process group, the configured user and group, capabilities
 * dropped, a clean signal state, only stdio inherited, and the sd_notify environment. */
#pragma once
#include <sys/types.h>

#include "spec/model.h"

typedef struct SvSpawn {
        const char *command;        /* command line, split the way systemd splits ExecStart= */
        const KeyValue *env;        /* extra environment */
        size_t n_env;
        const char *notify_socket;  /* NOTIFY_SOCKET for the child */
        usec_t watchdog_usec;       /* WATCHDOG_USEC for the child (0: none) */
        const char *user, *group;   /* NULL: keep ours */
        const char *name;           /* exported as MSD_CHILD */
} SvSpawn;

/* Forks and execs; the child's exec failure shows as exit status 127. Returns -errno when the command
 * cannot be split, the user or group is unknown, or fork fails. */
int sv_spawn(const SvSpawn *s, pid_t *ret_pid);
