/* SPDX-License-Identifier: MIT */
/* Health aggregation at run time: check results feed per-check state machines (thresholds) and breakers;
 * components take their worst check, the system its worst critical one. */
#include "supervisor/host/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/core/breaker.h"
#include "supervisor/core/prom.h"
#include "supervisor/host/checks.h"
#include "supervisor/host/log.h"
#include "supervisor/host/units.h"
#include "util/json.h"
#include "util/xalloc.h"

/* Breaker around each check target: 5 calls, judged from 3, open at 60 % failures for 5 s (doubling). */
static const SvBreakerPolicy breaker_policy = {
        .window = 5, .min_calls = 3, .failure_rate = 60, .wait = 5 * USEC_PER_SEC, .max_wait = 5 * 60 * USEC_PER_SEC, .probes = 1,
};

typedef struct CheckSlot {
        const HealthCheck *cfg;
        SvCheckState state;
        SvBreaker breaker;
        SvCheckResult last;
        usec_t duration;
        char *detail;
        uint64_t runs, failures;
} CheckSlot;

struct SvAggregator {
        HealthCheck *flat;        /* every component's checks, in order */
        CheckSlot *slots;
        size_t n;
        SvChecks *runner;
        SvUnits *units;           /* the components' systemd units; NULL when none is configured */
        const SvConfig *config;
};

static void on_result(void *userdata, size_t index, SvCheckResult result, usec_t duration, const char *detail) {
        SvAggregator *a = userdata;
        CheckSlot *s = &a->slots[index];
        SvCheckThresholds t = { s->cfg->failures_before_critical, s->cfg->successes_before_passing };
        sv_check_state_record(&s->state, result, &t);
        s->last = result;
        s->duration = duration;
        s->runs++;
        s->failures += result == SV_CHECK_FAIL;
        free(s->detail);
        s->detail = detail ? xstrdup(detail) : NULL;
}

int sv_aggregator_new(sd_event *e, const SvConfig *config, SvAggregator **ret) {
        SvAggregator *a = xcalloc(1, sizeof(SvAggregator));
        a->config = config;
        for (size_t i = 0; i < config->n_components; i++)
                a->n += config->components[i].n_checks;
        a->flat = xcalloc(a->n + 1, sizeof(HealthCheck));
        a->slots = xcalloc(a->n + 1, sizeof(CheckSlot));
        size_t k = 0;
        for (size_t i = 0; i < config->n_components; i++)
                for (size_t j = 0; j < config->components[i].n_checks; j++, k++) {
                        a->flat[k] = config->components[i].checks[j];
                        a->slots[k].cfg = &config->components[i].checks[j];
                        a->slots[k].last = _SV_CHECK_RESULT_INVALID;
                        sv_check_state_init(&a->slots[k].state);
                        sv_breaker_init(&a->slots[k].breaker, &breaker_policy);
                }
        bool any_unit = false;
        for (size_t i = 0; i < config->n_components; i++)
                any_unit |= config->components[i].units.n > 0;
        if (any_unit) {
                int bus = sv_units_new(e, config, &a->units);
                if (bus < 0)
                        sv_log_warning("cannot watch the components' units over the system bus (%s); they count as unknown",
                                       strerror(-bus));
        }
        int r = a->n ? sv_checks_new(e, a->flat, a->n, on_result, a, &a->runner) : 0;
        for (size_t i = 0; r >= 0 && i < a->n; i++)
                r = sv_checks_set_breaker(a->runner, i, &a->slots[i].breaker);
        if (r < 0) {
                sv_aggregator_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

SvAggregator *sv_aggregator_free(SvAggregator *a) {
        if (!a)
                return NULL;
        sv_checks_free(a->runner);
        sv_units_free(a->units);
        for (size_t i = 0; i < a->n; i++)
                free(a->slots[i].detail);
        free(a->slots);
        free(a->flat);
        free(a);
        return NULL;
}

size_t sv_aggregator_items(const SvAggregator *a, const char *component, SvHealthItem **items, size_t n) {
        if (!a)
                return n;
        const SvUnitState *units;
        size_t n_units = sv_units_list(a->units, &units);
        *items = xreallocarray(*items, n + a->n + n_units + 1, sizeof(SvHealthItem));
        for (size_t i = 0; i < a->n; i++)
                if (!component || strcmp(component, a->slots[i].cfg->component) == 0)
                        (*items)[n++] = (SvHealthItem) { a->slots[i].state.status, a->slots[i].cfg->critical };
        /* a unit that is down makes its component critical, as a failing critical check does */
        for (size_t i = 0; i < n_units; i++)
                if (!component || strcmp(component, units[i].component) == 0)
                        (*items)[n++] = (SvHealthItem) { sv_unit_status(units[i].active_state), true };
        return n;
}

static void check_json(JsonWriter *w, const CheckSlot *s) {
        json_key(w, s->cfg->name);
        json_object_begin(w);
        json_kv_string(w, "status", sv_check_status_to_string(s->state.status));
        json_kv_string(w, "kind", health_kind_to_string(s->cfg->kind));
        json_kv_bool(w, "critical", s->cfg->critical);
        if (s->last != _SV_CHECK_RESULT_INVALID) {
                json_kv_string(w, "result", sv_check_result_to_string(s->last));
                json_key(w, "duration_ms");
                json_double_fixed(w, (double) s->duration / 1000.0, 3);
        }
        if (s->detail)
                json_kv_string(w, "detail", s->detail);
        json_kv_string(w, "breaker", sv_breaker_state_to_string(sv_breaker_state(&s->breaker)));
        json_object_end(w);
}

bool sv_aggregator_has(const SvAggregator *a, const char *component) {
        for (size_t i = 0; a && i < a->config->n_components; i++)
                if (strcmp(component, a->config->components[i].name) == 0)
                        return true;
        return false;
}

void sv_aggregator_json(const SvAggregator *a, const char *component, JsonWriter *w) {
        const SvConfig *c = a ? a->config : NULL;
        json_key(w, "components");
        json_object_begin(w);
        size_t k = 0;
        for (size_t i = 0; c && i < c->n_components; i++) {
                const SvComponent *comp = &c->components[i];
                CheckSlot *slots = &a->slots[k];
                k += comp->n_checks;
                if (component && strcmp(component, comp->name) != 0)
                        continue;
                SvCheckStatus status = SV_CHECK_STATUS_PASSING;
                for (size_t j = 0; j < comp->n_checks; j++)
                        status = sv_health_worst(status, slots[j].state.status);
                const SvUnitState *units;
                size_t n_units = sv_units_list(a->units, &units);
                for (size_t j = 0; j < n_units; j++)
                        if (strcmp(units[j].component, comp->name) == 0)
                                status = sv_health_worst(status, sv_unit_status(units[j].active_state));
                json_key(w, comp->name);
                json_object_begin(w);
                json_kv_string(w, "status", sv_check_status_to_string(status));
                json_key(w, "checks");
                json_object_begin(w);
                for (size_t j = 0; j < comp->n_checks; j++)
                        check_json(w, &slots[j]);
                json_object_end(w);
                if (a->units)
                        sv_units_json(a->units, comp->name, w);
                json_object_end(w);
        }
        json_object_end(w);
}

const SvUnits *sv_aggregator_units(const SvAggregator *a) {
        return a ? a->units : NULL;
}

void sv_aggregator_metrics(const SvAggregator *a, const char *project, StrBuf *b) {
        if (!a)
                return;
        sv_units_metrics(a->units, project, b);
        if (a->n == 0)
                return;
        sv_prom_family(b, "msd_health_check_status", "gauge", "0 passing, 1 warning, 2 critical, 3 unknown");
        for (size_t i = 0; i < a->n; i++) {
                const CheckSlot *s = &a->slots[i];
                double v = s->state.status == SV_CHECK_STATUS_PASSING ? 0 : s->state.status == SV_CHECK_STATUS_WARNING ? 1
                         : s->state.status == SV_CHECK_STATUS_CRITICAL ? 2 : 3;
                sv_prom_sample(b, "msd_health_check_status",
                               (const char *const[]) { "project", project, "component", s->cfg->component, "check", s->cfg->name, NULL }, v);
        }
        sv_prom_family(b, "msd_health_check_duration_seconds", "gauge", "duration of the last run");
        for (size_t i = 0; i < a->n; i++)
                sv_prom_sample(b, "msd_health_check_duration_seconds",
                               (const char *const[]) { "project", project, "component", a->slots[i].cfg->component, "check", a->slots[i].cfg->name, NULL },
                               (double) a->slots[i].duration / 1e6);
        sv_prom_family(b, "msd_health_check_runs_total", "counter", "checks run");
        for (size_t i = 0; i < a->n; i++)
                sv_prom_sample(b, "msd_health_check_runs_total",
                               (const char *const[]) { "project", project, "component", a->slots[i].cfg->component, "check", a->slots[i].cfg->name, NULL },
                               (double) a->slots[i].runs);
        sv_prom_family(b, "msd_breaker_open", "gauge", "1 when the check's circuit breaker is open or half-open");
        for (size_t i = 0; i < a->n; i++)
                sv_prom_sample(b, "msd_breaker_open",
                               (const char *const[]) { "project", project, "component", a->slots[i].cfg->component, "check", a->slots[i].cfg->name, NULL },
                               sv_breaker_state(&a->slots[i].breaker) != SV_BREAKER_CLOSED);
}
