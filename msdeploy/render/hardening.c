/* SPDX-License-Identifier: MIT */
/* Sandboxing of services: the three hardening profiles as data, per-service overrides and capabilities. */
#include "render/hardening.h"

#include <string.h>

#include "util/xalloc.h"

/*
 * basic (tier_1, experimental): keeps a debugging developer's hands free. The service cannot gain privileges, sees
 * its own /tmp, and cannot write /usr, /boot, /etc or home directories.
 */
static const HardeningDirective basic[] = {
        { "NoNewPrivileges", "yes" },
        { "PrivateTmp", "yes" },
        { "ProtectSystem", "full" },
        { "ProtectHome", "read-only" },
        { "UMask", "0027" },
};

/*
 * standard (tier_2, validation): everything that costs a well-behaved network daemon nothing. The whole file
 * system is read-only but for ReadWritePaths=, no devices, no kernel knobs, no namespaces, the system calls of an
 * ordinary service (anything else fails with EPERM instead of killing the process, so a probing runtime such as
 * Go's keeps running), sockets limited to UNIX (sd_notify, journal) and IP.
 */
static const HardeningDirective standard[] = {
        { "NoNewPrivileges", "yes" },
        { "PrivateTmp", "yes" },
        { "ProtectSystem", "strict" },
        { "ProtectHome", "yes" },
        { "PrivateDevices", "yes" },
        { "ProtectKernelTunables", "yes" },
        { "ProtectKernelModules", "yes" },
        { "ProtectKernelLogs", "yes" },
        { "ProtectControlGroups", "yes" },
        { "ProtectClock", "yes" },
        { "ProtectHostname", "yes" },
        { "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6" },
        { "RestrictNamespaces", "yes" },
        { "RestrictRealtime", "yes" },
        { "RestrictSUIDSGID", "yes" },
        { "LockPersonality", "yes" },
        { "SystemCallArchitectures", "native" },
        { "SystemCallFilter", "@system-service" },
        { "SystemCallErrorNumber", "EPERM" },
        { "RemoveIPC", "yes" },
        { "UMask", "0027" },
};

/*
 * strict (tier_3, operational): standard, plus what a service must be written for. No W+X memory (no JIT), no
 * privileged or resource-tuning system calls, only its own processes in /proc, a user namespace mapping nothing
 * but itself and root, private mounts, and files private to its user.
 *
 * IPAddressDeny=any with IPAddressAllow=localhost: an operational service talks to its peers on loopback (NATS,
 * the health and metrics endpoints) and nowhere else unless the spec says so. Egress is where a compromised agent
 * does its damage, so the strict profile denies it by default; a service that must reach the network overrides
 * IPAddressAllow= (or empties IPAddressDeny=) in its hardening overrides, visibly, in the spec.
 */
static const HardeningDirective strict[] = {
        { "NoNewPrivileges", "yes" },
        { "PrivateTmp", "yes" },
        { "PrivateMounts", "yes" },
        { "ProtectSystem", "strict" },
        { "ProtectHome", "yes" },
        { "PrivateDevices", "yes" },
        { "DevicePolicy", "closed" },
        { "PrivateUsers", "yes" },
        { "ProtectKernelTunables", "yes" },
        { "ProtectKernelModules", "yes" },
        { "ProtectKernelLogs", "yes" },
        { "ProtectControlGroups", "yes" },
        { "ProtectClock", "yes" },
        { "ProtectHostname", "yes" },
        { "ProtectProc", "invisible" },
        { "ProcSubset", "pid" },
        { "RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6" },
        { "IPAddressDeny", "any" },
        { "IPAddressAllow", "localhost" },
        { "RestrictNamespaces", "yes" },
        { "RestrictRealtime", "yes" },
        { "RestrictSUIDSGID", "yes" },
        { "LockPersonality", "yes" },
        { "MemoryDenyWriteExecute", "yes" },
        { "SystemCallArchitectures", "native" },
        { "SystemCallFilter", "@system-service" },
        { "SystemCallFilter", "~@privileged @resources" },
        { "SystemCallErrorNumber", "EPERM" },
        { "KeyringMode", "private" },
        { "RemoveIPC", "yes" },
        { "UMask", "0077" },
};

const HardeningDirective *hardening_profile_directives(HardeningProfile p, size_t *ret_n) {
        switch (p) {
        case HARDENING_BASIC:
                *ret_n = ELEMENTSOF(basic);
                return basic;
        case HARDENING_STANDARD:
                *ret_n = ELEMENTSOF(standard);
                return standard;
        case HARDENING_STRICT:
                *ret_n = ELEMENTSOF(strict);
                return strict;
        default:
                *ret_n = 0;
                return NULL;
        }
}

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
