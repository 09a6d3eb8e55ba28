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
        const StrList *env_files;   /* read when the plan is made, their variables over env's; may be NULL */
        const KeyValue *credentials; /* variable -> credential id: set to $CREDENTIALS_DIRECTORY/<id>, over both */
        size_t n_credentials;
        const char *notify_socket;  /* NOTIFY_SOCKET for the child */
        usec_t watchdog_usec;       /* WATCHDOG_USEC for the child (0: none) */
        const char *user, *group;   /* NULL: keep ours */
        const char *name;           /* exported as MSD_CHILD */
} SvSpawn;

/* What a start needs, prepared once: the command split the way systemd splits ExecStart=, the user and
 * groups resolved, the environment built (env files read as systemd reads EnvironmentFile=). -EINVAL when the
 * command cannot be split, -ESRCH when the user or group is unknown, -EBADMSG when an env file is not one, other
 * -errno when it cannot be read, -ENOKEY when a credential is not in $CREDENTIALS_DIRECTORY (or that is not set). */
typedef struct SvSpawnPlan SvSpawnPlan;
int sv_spawn_plan_new(const SvSpawn *s, SvSpawnPlan **ret);
SvSpawnPlan *sv_spawn_plan_free(SvSpawnPlan *p);

/* Starts one process from a plan; its exec failure shows as exit status 127, a failure to become its
 * user as 126. -errno when clone() fails. */
int sv_spawn_start(const SvSpawnPlan *p, pid_t *ret_pid);
