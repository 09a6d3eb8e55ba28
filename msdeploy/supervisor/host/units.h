/* SPDX-License-Identifier: MIT */
/* The systemd units of the health aggregator's components, watched over the system bus: their state as
 * health items, their control groups for resource figures. */
#pragma once
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "supervisor/config.h"
#include "supervisor/core/aggregate.h"
#include "util/json.h"
#include "util/strbuf.h"

typedef struct SvUnits SvUnits;

/* What is known of one unit; strings empty until the first answer. */
typedef struct SvUnitState {
        const char *name;
        const char *component;
        char active_state[16];   /* active, reloading, inactive, failed, activating, deactivating, maintenance */
        char sub_state[32];
        char *control_group;     /* "/system.slice/x.service"; NULL when it has none (not running, or a target) */
        unsigned restarts;       /* NRestarts (services) */
} SvUnitState;

/* A unit's health from its ActiveState: active passing; activating, deactivating, reloading and
 * maintenance warning (a transition, or a state systemd put it in on purpose); inactive and failed
 * critical; unknown before the first answer (or for a state this table does not know). */
SvCheckStatus sv_unit_status(const char *active_state);

/* Connects to the system bus on e, asks systemd to send unit signals (Manager.Subscribe) and reads each
 * unit's ActiveState, SubState, NRestarts and ControlGroup again whenever its PropertiesChanged signal
 * comes: no polling. When the connection is lost (the bus daemon restarted) the units are unknown until a
 * new one, tried after 1 s and then at doubling intervals up to 30 s, answers. -errno when the bus cannot
 * be used at all; *ret is set even then, every unit unknown. */
int sv_units_new(sd_event *e, const SvConfig *c, SvUnits **ret);
SvUnits *sv_units_free(SvUnits *u);

/* Every unit of every component, in configuration order. */
size_t sv_units_list(const SvUnits *u, const SvUnitState **ret);

/* "units": {NAME: {"status", "active_state", "sub_state", "restarts"}} of one component, as a member of the
 * object w is in. */
void sv_units_json(const SvUnits *u, const char *component, JsonWriter *w);
/*   msd_unit_active{project,component,unit}          gauge 1 when ActiveState is active
 *   msd_unit_restarts_total{project,component,unit}  counter, NRestarts */
void sv_units_metrics(const SvUnits *u, const char *project, StrBuf *b);
