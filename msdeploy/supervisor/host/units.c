/* SPDX-License-Identifier: MIT */
/* Unit watching over the system bus: one PropertiesChanged match per unit, and on each signal the few
 * properties read again with asynchronous Get calls; the event loop never waits for the bus. */
#include "supervisor/host/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "supervisor/core/prom.h"
#include "supervisor/host/log.h"
#include "util/json.h"
#include "util/xalloc.h"

#define SYSTEMD "org.freedesktop.systemd1"

typedef struct Unit {
        SvUnitState *state;      /* its entry in SvUnits.states */
        SvUnits *owner;
        char *path;              /* its object path */
        sd_bus_slot *match;
} Unit;

struct SvUnits {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *disconnected;
        sd_event_source *retry;  /* reconnection after the bus went away */
        usec_t retry_delay;
        Unit *units;
        size_t n;
        SvUnitState *states;     /* what is known of each unit, in configuration order */
};

/* After a lost connection (the bus daemon restarted, say): again after 1 s, doubling up to 30 s. */
#define RETRY_MIN USEC_PER_SEC
#define RETRY_MAX (30 * USEC_PER_SEC)

SvCheckStatus sv_unit_status(const char *s) {
        static const struct {
                const char *state;
                SvCheckStatus status;
        } table[] = {
                { "active", SV_CHECK_STATUS_PASSING },       { "reloading", SV_CHECK_STATUS_WARNING },
                { "activating", SV_CHECK_STATUS_WARNING },   { "deactivating", SV_CHECK_STATUS_WARNING },
                { "maintenance", SV_CHECK_STATUS_WARNING },  { "inactive", SV_CHECK_STATUS_CRITICAL },
                { "failed", SV_CHECK_STATUS_CRITICAL },
        };
        for (size_t i = 0; s && i < sizeof(table) / sizeof(table[0]); i++)
                if (strcmp(s, table[i].state) == 0)
                        return table[i].status;
        return SV_CHECK_STATUS_UNKNOWN;
}

/* The interface that carries ControlGroup and NRestarts for this kind of unit, or NULL (targets, timers...) */
static const char *type_interface(const char *unit) {
        static const char *const kinds[][2] = {
                { ".service", SYSTEMD ".Service" }, { ".slice", SYSTEMD ".Slice" }, { ".scope", SYSTEMD ".Scope" },
                { ".socket", SYSTEMD ".Socket" },   { ".mount", SYSTEMD ".Mount" }, { ".swap", SYSTEMD ".Swap" },
        };
        const char *dot = strrchr(unit, '.');
        for (size_t i = 0; dot && i < sizeof(kinds) / sizeof(kinds[0]); i++)
                if (strcmp(dot, kinds[i][0]) == 0)
                        return kinds[i][1];
        return NULL;
}

static int on_string(sd_bus_message *m, void *userdata, sd_bus_error *error, char *dst, size_t size) {
        (void) userdata, (void) error;
        const char *v = NULL;
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "v", "s", &v) < 0 || !v)
                return 0;
        snprintf(dst, size, "%s", v);
        return 0;
}

static int on_active_state(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        return on_string(m, userdata, error, u->state->active_state, sizeof(u->state->active_state));
}

static int on_sub_state(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        return on_string(m, userdata, error, u->state->sub_state, sizeof(u->state->sub_state));
}

static int on_control_group(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) error;
        Unit *u = userdata;
        const char *v = NULL;
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "v", "s", &v) < 0)
                return 0;
        free(u->state->control_group);
        u->state->control_group = v && v[0] ? xstrdup(v) : NULL;
        return 0;
}

static int on_restarts(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) error;
        Unit *u = userdata;
        uint32_t v = 0;
        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "v", "u", &v) >= 0)
                u->state->restarts = v;
        return 0;
}

static void get(Unit *u, const char *interface, const char *property, sd_bus_message_handler_t cb) {
        /* floating slots: an answer after sv_units_free() finds the bus closed and is dropped with it */
        (void) sd_bus_call_method_async(u->owner->bus, NULL, SYSTEMD, u->path, "org.freedesktop.DBus.Properties", "Get", cb, u, "ss",
                                        interface, property);
}

static void refresh(Unit *u) {
        get(u, SYSTEMD ".Unit", "ActiveState", on_active_state);
        get(u, SYSTEMD ".Unit", "SubState", on_sub_state);
        const char *iface = type_interface(u->state->name);
        if (iface) {
                get(u, iface, "ControlGroup", on_control_group);
                if (strcmp(iface, SYSTEMD ".Service") == 0)
                        get(u, iface, "NRestarts", on_restarts);
        }
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) m, (void) error;
        refresh(userdata);
        return 0;
}

static int connect_bus(SvUnits *us);

/* What a lost connection said is forgotten: the units are unknown until a new one answers. */
static void forget_states(SvUnits *us) {
        for (size_t i = 0; i < us->n; i++) {
                Unit *u = &us->units[i];
                u->state->active_state[0] = u->state->sub_state[0] = 0;
                free(u->state->control_group);
                u->state->control_group = NULL;
        }
}

static void disconnect(SvUnits *us) {
        us->disconnected = sd_bus_slot_unref(us->disconnected);
        for (size_t i = 0; i < us->n; i++)
                us->units[i].match = sd_bus_slot_unref(us->units[i].match);
        us->bus = sd_bus_flush_close_unref(us->bus);
        forget_states(us);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        SvUnits *us = userdata;
        us->retry = sd_event_source_disable_unref(us->retry);
        disconnect(us); /* the closed connection, and its slots */
        int r = connect_bus(us);
        if (r < 0) {
                disconnect(us);
                us->retry_delay = us->retry_delay * 2 > RETRY_MAX ? RETRY_MAX : us->retry_delay * 2;
                (void) sd_event_add_time_relative(us->event, &us->retry, CLOCK_MONOTONIC, us->retry_delay, USEC_PER_MSEC, on_retry, us);
        } else {
                sv_log_info("connected to the system bus again, watching %zu unit%s", us->n, us->n == 1 ? "" : "s");
                us->retry_delay = RETRY_MIN;
        }
        return 0;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) m, (void) error;
        SvUnits *us = userdata;
        sv_log_warning("the system bus went away; the units count as unknown until it is back");
        forget_states(us); /* the connection itself goes in on_retry(), outside its own callback */
        if (!us->retry)
                (void) sd_event_add_time_relative(us->event, &us->retry, CLOCK_MONOTONIC, us->retry_delay, USEC_PER_MSEC, on_retry, us);
        return 0;
}

/* A connection, the signals asked for, one match and a first reading per unit. */
static int connect_bus(SvUnits *us) {
        int r = sd_bus_open_system(&us->bus);
        if (r >= 0)
                r = sd_bus_attach_event(us->bus, us->event, SD_EVENT_PRIORITY_NORMAL);
        /* the connection's end comes as a local signal (sd-bus does not exit the loop for it) */
        if (r >= 0)
                r = sd_bus_match_signal_async(us->bus, &us->disconnected, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                              "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, NULL, us);
        /* without a subscriber systemd sends no unit signals */
        if (r >= 0)
                r = sd_bus_call_method_async(us->bus, NULL, SYSTEMD, "/org/freedesktop/systemd1", SYSTEMD ".Manager", "Subscribe", NULL, NULL, "");
        for (size_t i = 0; r >= 0 && i < us->n; i++) {
                Unit *u = &us->units[i];
                r = sd_bus_match_signal_async(us->bus, &u->match, SYSTEMD, u->path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                              on_properties_changed, NULL, u);
                if (r >= 0)
                        refresh(u);
        }
        return r;
}

int sv_units_new(sd_event *e, const SvConfig *c, SvUnits **ret) {
        SvUnits *us = xcalloc(1, sizeof(SvUnits));
        us->event = e;
        us->retry_delay = RETRY_MIN;
        for (size_t i = 0; i < c->n_components; i++)
                us->n += c->components[i].units.n;
        us->units = xcalloc(us->n + 1, sizeof(Unit));
        us->states = xcalloc(us->n + 1, sizeof(SvUnitState));
        size_t k = 0;
        int r = 0;
        for (size_t i = 0; i < c->n_components; i++)
                for (size_t j = 0; j < c->components[i].units.n; j++, k++) {
                        Unit *u = &us->units[k];
                        us->states[k] = (SvUnitState) { .name = c->components[i].units.items[j], .component = c->components[i].name };
                        *u = (Unit) { .owner = us, .state = &us->states[k] };
                        if (r >= 0)
                                r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", u->state->name, &u->path);
                }
        if (r >= 0)
                r = connect_bus(us);
        if (r < 0) /* the units stay unknown: nothing to watch them with */
                disconnect(us);
        *ret = us;
        return r < 0 ? r : 0;
}

SvUnits *sv_units_free(SvUnits *us) {
        if (!us)
                return NULL;
        disconnect(us);
        sd_event_source_disable_unref(us->retry);
        for (size_t i = 0; i < us->n; i++)
                free(us->units[i].path);
        free(us->units);
        free(us->states);
        free(us);
        return NULL;
}

size_t sv_units_list(const SvUnits *us, const SvUnitState **ret) {
        if (!us) {
                *ret = NULL;
                return 0;
        }
        *ret = us->states;
        return us->n;
}

void sv_units_json(const SvUnits *us, const char *component, JsonWriter *w) {
        const SvUnitState *s;
        size_t n = sv_units_list(us, &s);
        json_key(w, "units");
        json_object_begin(w);
        for (size_t i = 0; i < n; i++) {
                if (strcmp(s[i].component, component) != 0)
                        continue;
                json_key(w, s[i].name);
                json_object_begin(w);
                json_kv_string(w, "status", sv_check_status_to_string(sv_unit_status(s[i].active_state)));
                json_kv_string(w, "active_state", s[i].active_state);
                json_kv_string(w, "sub_state", s[i].sub_state);
                json_kv_uint(w, "restarts", s[i].restarts);
                json_object_end(w);
        }
        json_object_end(w);
}

void sv_units_metrics(const SvUnits *us, const char *project, StrBuf *b) {
        const SvUnitState *s;
        size_t n = sv_units_list(us, &s);
        if (n == 0)
                return;
        sv_prom_family(b, "msd_unit_active", "gauge", "1 when the systemd unit's ActiveState is active");
        for (size_t i = 0; i < n; i++)
                sv_prom_sample(b, "msd_unit_active", (const char *const[]) { "project", project, "component", s[i].component, "unit", s[i].name, NULL },
                               strcmp(s[i].active_state, "active") == 0);
        sv_prom_family(b, "msd_unit_restarts_total", "counter", "automatic restarts of the unit by systemd (NRestarts)");
        for (size_t i = 0; i < n; i++)
                sv_prom_sample(b, "msd_unit_restarts_total",
                               (const char *const[]) { "project", project, "component", s[i].component, "unit", s[i].name, NULL }, s[i].restarts);
}
