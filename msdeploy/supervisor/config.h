/* SPDX-License-Identifier: MIT */
/* msd-supervisor's configuration: supervisor.yaml (a supervision tree) or health-checks.yaml (checks only),
 * both rendered by msdeploy, read into the model's own types. */
#pragma once
#include "spec/model.h"
#include "supervisor/core/alert.h"
#include "util/diag.h"

typedef struct SvComponent {
        const char *name;
        StrList units;            /* systemd units it watches (health-aggregator mode) */
        HealthCheck *checks;
        size_t n_checks;
} SvComponent;

typedef struct SvConfig {
        Arena *arena;
        Source *source;           /* owned: diagnostics point into it */
        const char *project;
        const char *listen;       /* "127.0.0.1:9090", or NULL: no endpoint */
        Supervision supervision;  /* root NULL: health-aggregator mode */
        SvComponent *components;
        size_t n_components;
        usec_t monitor_interval;  /* how often children's resources are sampled for alerts */
        SvAlertRule *alerts;      /* applied to every running child */
        size_t n_alerts;
} SvConfig;

/* Reads and checks a config; every problem goes to d with FILE:LINE:COL. On failure *ret still holds the
 * source for the diagnostics (free it after printing them). */
int sv_config_load(const char *path, SvConfig **ret, Diags *d);
SvConfig *sv_config_free(SvConfig *c);
