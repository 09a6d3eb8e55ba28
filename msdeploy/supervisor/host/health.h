/* SPDX-License-Identifier: MIT */
/* Health aggregation at run time: runs the configured checks (each behind a circuit breaker), keeps each
 * check's status with its thresholds, and reports components and the system as JSON and metrics. */
#pragma once
#include <systemd/sd-event.h>

#include "supervisor/config.h"
#include "supervisor/core/aggregate.h"
#include "supervisor/host/units.h"
#include "util/json.h"
#include "util/strbuf.h"

typedef struct SvAggregator SvAggregator;

int sv_aggregator_new(sd_event *e, const SvConfig *config, SvAggregator **ret);
SvAggregator *sv_aggregator_free(SvAggregator *a);
/* Appends the health items (one per check, with its critical flag) of every component, or only of the
 * one named, to items[0..n); returns the new count. */
size_t sv_aggregator_items(const SvAggregator *a, const char *component, SvHealthItem **items, size_t n);
/* Whether a component of that name is configured. */
bool sv_aggregator_has(const SvAggregator *a, const char *component);
/* "components": {NAME: {"status", "checks": {...}, "units": {...}}} as a member of the object w is in, for
 * /health; component: only that one (which sv_aggregator_has()). a may be NULL: no components. */
void sv_aggregator_json(const SvAggregator *a, const char *component, JsonWriter *w);
void sv_aggregator_metrics(const SvAggregator *a, const char *project, StrBuf *b);
/* The components' systemd units (NULL when none is configured). */
const SvUnits *sv_aggregator_units(const SvAggregator *a);
