/* SPDX-License-Identifier: MIT */
/* The one sd-bus client: plan unit actions as manager calls, and jobs waited for until systemd removes them. */
#include "sd/bus.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "install/sdversion.h"
#include "util/units.h"
#include "util/xalloc.h"

#define SYSTEMD "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"

BusCall bus_call_for(ActionType type, const char *unit) {
        switch (type) {
        case ACTION_DAEMON_RELOAD:
                return (BusCall) { .method = "Reload" };
        case ACTION_START:
                return (BusCall) { "StartUnit", unit, "replace", 0, true };
        case ACTION_STOP:
                return (BusCall) { "StopUnit", unit, "replace", 0, true };
        case ACTION_RESTART:
                return (BusCall) { "RestartUnit", unit, "replace", 0, true };
        case ACTION_RELOAD:
                return (BusCall) { "KillUnit", unit, "main", SIGHUP, false };
        default:
                return (BusCall) {};
        }
}

void bus_call_format(const BusCall *c, StrBuf *out) {
        sb_append(out, c->method ? c->method : "none");
        if (c->unit)
                sb_printf(out, " %s", c->unit);
        if (c->arg)
                sb_printf(out, " %s", c->arg);
        if (c->signal)
                sb_printf(out, " SIG%s", sigabbrev_np(c->signal));
}

typedef struct Removed {
        char *job;
        char *result;
} Removed;

struct Bus {
        sd_bus *bus;
        sd_bus_slot *match;
        Removed *removed;        /* jobs removed so far: the signal may come before the call's reply */
        size_t n_removed;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) error;
        Bus *b = userdata;
        uint32_t id;
        const char *job, *unit, *result;
        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        b->removed = xreallocarray(b->removed, b->n_removed + 1, sizeof(Removed));
        b->removed[b->n_removed++] = (Removed) { xstrdup(job), xstrdup(result) };
        return 0;
}

int bus_open(Bus **ret) {
        Bus *b = xcalloc(1, sizeof(Bus));
        int r = sd_bus_open_system(&b->bus);
        if (r >= 0)
                r = sd_bus_match_signal(b->bus, &b->match, SYSTEMD, MANAGER_PATH, MANAGER, "JobRemoved", on_job_removed, b);
        if (r >= 0)
                r = sd_bus_call_method(b->bus, SYSTEMD, MANAGER_PATH, MANAGER, "Subscribe", NULL, NULL, "");
        if (r < 0) {
                bus_free(b);
                return r;
        }
        *ret = b;
        return 0;
}

Bus *bus_free(Bus *b) {
        if (!b)
                return NULL;
        sd_bus_slot_unref(b->match);
        sd_bus_flush_close_unref(b->bus);
        for (size_t i = 0; i < b->n_removed; i++) {
                free(b->removed[i].job);
                free(b->removed[i].result);
        }
        free(b->removed);
        free(b);
        return NULL;
}

/* The result of job once removed, or NULL. */
static const char *removed(Bus *b, const char *job) {
        for (size_t i = 0; i < b->n_removed; i++)
                if (strcmp(b->removed[i].job, job) == 0)
                        return b->removed[i].result;
        return NULL;
}

int bus_run(Bus *b, const BusCall *c, uint64_t timeout_usec, Diags *d) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;
        if (!c->unit)
                r = sd_bus_call_method(b->bus, SYSTEMD, MANAGER_PATH, MANAGER, c->method, &e, &reply, "");
        else if (c->signal)
                r = sd_bus_call_method(b->bus, SYSTEMD, MANAGER_PATH, MANAGER, c->method, &e, &reply, "ssi", c->unit, c->arg, c->signal);
        else
                r = sd_bus_call_method(b->bus, SYSTEMD, MANAGER_PATH, MANAGER, c->method, &e, &reply, "ss", c->unit, c->arg);
        if (r < 0) {
                diag_error(d, (Loc) {}, "%s%s%s: %s", c->method, c->unit ? " " : "", c->unit ? c->unit : "", e.message ? e.message : strerror(-r));
                sd_bus_error_free(&e);
                return r;
        }
        _cleanup_free_ char *job = NULL;
        const char *path;
        if (c->job && sd_bus_message_read(reply, "o", &path) >= 0)
                job = xstrdup(path);
        sd_bus_message_unref(reply);
        if (!job)
                return 0;
        uint64_t deadline = monotonic_usec() + timeout_usec;
        const char *result;
        while (!(result = removed(b, job))) {
                r = sd_bus_process(b->bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                uint64_t now = monotonic_usec();
                if (now >= deadline) {
                        r = -ETIME;
                        break;
                }
                r = sd_bus_wait(b->bus, deadline - now);
                if (r < 0)
                        break;
        }
        if (!result) {
                diag_error(d, (Loc) {}, "%s %s: no end of its job: %s", c->method, c->unit, strerror(-r));
                return r < 0 ? r : -EIO;
        }
        if (strcmp(result, "done") != 0) {
                diag_error(d, (Loc) {}, "%s %s: the job ended '%s'", c->method, c->unit, result);
                return -EIO;
        }
        return 0;
}

int bus_manager_version(Bus *b, unsigned *ret) {
        _cleanup_free_ char *v = NULL;
        int r = sd_bus_get_property_string(b->bus, SYSTEMD, MANAGER_PATH, MANAGER, "Version", NULL, &v);
        return r < 0 ? r : sdversion_parse(v, ret);
}

int bus_unit_state(Bus *b, const char *unit, char **ret) {
        _cleanup_free_ char *path = NULL;
        int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        return sd_bus_get_property_string(b->bus, SYSTEMD, path, "org.freedesktop.systemd1.Unit", "ActiveState", NULL, ret);
}
