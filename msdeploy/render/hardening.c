/* SPDX-License-Identifier: MIT */
/* Sandboxing of services: a profile (spec/directives.c), per-service overrides and capabilities. */
#include "render/hardening.h"

#include <string.h>

#include "util/xalloc.h"

static const KeyValue *find_override(const Service *s, const char *key) {
        for (size_t i = 0; i < s->n_hardening_overrides; i++)
                if (strcmp(s->hardening_overrides[i].key, key) == 0)
                        return &s->hardening_overrides[i];
        return NULL;
}

static bool in_profile(const HardeningDirective *p, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(p[i].key, key) == 0)
                        return true;
        return false;
}

/* Capabilities held inside a user namespace do not reach the host's network or files: a service that needs any
 * keeps the host's user namespace, whatever its profile says (an explicit override still wins). */
static bool skip_for_capabilities(const Service *s, const char *key) {
        return s->capabilities.n > 0 && strcmp(key, "PrivateUsers") == 0;
}

/* The profile's ProtectProc= (invisible in strict) hides the processes of other users and of other user
 * namespaces, which every other service is in under PrivateUsers=: /proc shows the service its own processes only.
 * The health aggregator's process checks, and system-health-check.sh's pgrep, look for the other services'
 * processes, so it sees them all; ProcSubset=pid stays, they read nothing but /proc/PID. */
static void write_relaxed(UnitWriter *w, const HardeningDirective *d, HardeningNeeds needs) {
        if ((needs & HARDENING_NEED_PROCESSES) && strcmp(d->key, "ProtectProc") == 0) {
                if (uw_directive_min_version(d->key) > w->systemd_version)
                        return; /* an older systemd shows every process anyway */
                uw_comment(w, "health checks of kind process (and system-health-check.sh) look for the other services'");
                uw_comment(w, "processes in /proc, which ProtectProc=invisible would hide from this service");
                uw_set_raw(w, d->key, "default");
                return;
        }
        uw_set_raw(w, d->key, d->value);
}

void hardening_write(UnitWriter *w, const Service *s, HardeningNeeds needs) {
        size_t n;
        const HardeningDirective *p = hardening_profile_directives(s->hardening, &n);

        for (size_t i = 0; i < n; i++) {
                const KeyValue *o = find_override(s, p[i].key);
                if (!o) {
                        if (!skip_for_capabilities(s, p[i].key))
                                write_relaxed(w, &p[i], needs);
                        continue;
                }
                /* The override replaces every line of that key, written where the first one was. */
                if (!in_profile(p, i, p[i].key))
                        uw_set_raw(w, o->key, o->value);
        }
        for (size_t i = 0; i < s->n_hardening_overrides; i++) {
                const KeyValue *o = &s->hardening_overrides[i];
                if (!in_profile(p, n, o->key) && find_override(s, o->key) == o)
                        uw_set_raw(w, o->key, o->value);
        }

        if (!find_override(s, "CapabilityBoundingSet")) {
                if (s->capabilities.n > 0)
                        uw_set_list(w, "CapabilityBoundingSet", &s->capabilities);
                else
                        uw_set(w, "CapabilityBoundingSet", "");
        }
        if (!find_override(s, "AmbientCapabilities") && s->capabilities.n > 0)
                uw_set_list(w, "AmbientCapabilities", &s->capabilities);
}
