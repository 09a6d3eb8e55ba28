/* SPDX-License-Identifier: MIT */
/* msdeploy health and status, and apply's health gate: every unit of the current release active and
 * every msd-supervisor endpoint it declares saying "healthy". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/install.h"
#include "install/health.h"
#include "util/json.h"
#include "util/xalloc.h"

/* One look at the host: appends to why what is not as it must be; returns whether all is. */
static bool look(Host *h, const Release *r, StrBuf *why, JsonWriter *w) {
        bool good = true;
        for (size_t i = 0; i < r->n_units; i++) {
                const ReleaseUnit *u = &r->units[i];
                if (u->kind == UNIT_SLICE)
                        continue;
                for (size_t k = 0; u->kind == UNIT_TEMPLATE ? u->instances[k] != NULL : k == 0; k++) {
                        const char *name = u->kind == UNIT_TEMPLATE ? u->instances[k] : u->name;
                        _cleanup_free_ char *state = NULL;
                        if (bus_unit_state(h->bus, name, &state) < 0)
                                state = xstrdup("unknown");
                        if (strcmp(state, "active") != 0) {
                                sb_printf(why, "%s%s is %s", why->len ? "; " : "", name, state);
                                good = false;
                        }
                        if (w) {
                                json_object_begin(w);
                                json_kv_string(w, "unit", name);
                                json_kv_string(w, "state", state);
                                json_object_end(w);
                        }
                }
        }
        for (size_t i = 0; r->health[i]; i++) {
                _cleanup_free_ char *status = NULL;
                Diags d = {};
                if (health_get(r->health[i], &status, &d) < 0) { /* the message names the URL */
                        sb_printf(why, "%s%s", why->len ? "; " : "", d.n ? d.items[d.n - 1].msg : "no answer");
                        good = false;
                } else if (strcmp(status, "healthy") != 0) {
                        sb_printf(why, "%shttp://%s/health %s", why->len ? "; " : "", r->health[i], status);
                        good = false;
                }
                diags_clear(&d);
                if (w) {
                        json_object_begin(w);
                        json_kv_string(w, "endpoint", r->health[i]);
                        json_kv_string(w, "status", status ? status : "no answer");
                        json_object_end(w);
                }
        }
        return good;
}

bool cmd_health_wait(Host *h, const Release *r, usec_t timeout, StrBuf *why) {
        usec_t start = monotonic_usec();
        for (;;) {
                why->len = 0;
                if (why->s)
                        why->s[0] = 0;
                if (look(h, r, why, NULL))
                        return true;
                if (monotonic_usec() - start >= timeout)
                        return false;
                nanosleep(&(struct timespec) { .tv_sec = 1 }, NULL); /* a second between looks: the checks run every few */
        }
}

/* Opens the host with its current release; live (no --root): connected to systemd. */
static int open_installed(CmdContext *c, Host *h) {
        int ret = cmd_host_open(c, NULL, h);
        if (ret == EXIT_OK && !h->installed)
                ret = cmd_error(c, EXIT_INVALID, "no release is installed under %s", h->root);
        if (ret == EXIT_OK)
                ret = cmd_host_connect(c, h);
        return ret;
}

int cmd_health(CmdContext *c) {
        if (c->root)
                return cmd_usage_error("health asks the running systemd and msd-supervisor; it takes no --root");
        Host h;
        int ret = open_installed(c, &h);
        if (ret != EXIT_OK) {
                cmd_host_close(&h);
                return ret;
        }
        StrBuf why = {}, out = {};
        JsonWriter w = json_writer(&out, JSON_PRETTY);
        if (c->json) {
                json_object_begin(&w);
                json_kv_int(&w, "format_version", 1);
                json_kv_uint(&w, "release", h.installed_number);
                json_key(&w, "checks");
                json_array_begin(&w);
        }
        bool good = look(&h, h.installed, &why, c->json ? &w : NULL);
        if (c->json) {
                json_array_end(&w);
                json_kv_bool(&w, "healthy", good);
                json_object_end(&w);
                printf("%s\n", out.s);
        } else if (good)
                printf("healthy: release %llu, every unit active, every endpoint healthy\n", (unsigned long long) h.installed_number);
        else
                printf("not healthy: %s\n", why.s);
        sb_free(&why);
        sb_free(&out);
        cmd_host_close(&h);
        return good ? EXIT_OK : EXIT_INVALID;
}

int cmd_status(CmdContext *c) {
        Host h;
        int ret = open_installed(c, &h);
        ReleaseInfo info = {};
        int r = ret == EXIT_OK ? store_info(h.store, h.installed_number, &info) : 0;
        if (r < 0)
                ret = cmd_error(c, EXIT_IO, "the record of release %llu in the store is unreadable: %s", (unsigned long long) h.installed_number,
                                strerror(-r));
        if (ret != EXIT_OK) {
                cmd_host_close(&h);
                return ret;
        }
        char when[32];
        struct tm tm;
        time_t t = (time_t) info.time;
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        StrBuf why = {}, out = {};
        JsonWriter w = json_writer(&out, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_int(&w, "format_version", 1);
        json_kv_string(&w, "project", h.installed->project);
        json_kv_uint(&w, "release", h.installed_number);
        json_kv_string(&w, "tier", info.tier);
        json_kv_string(&w, "hash", info.hash);
        json_kv_string(&w, "time", when);
        json_kv_string(&w, "status", info.status);
        bool good = true;
        if (h.bus) { /* unit states and health need the running system */
                json_key(&w, "checks");
                json_array_begin(&w);
                good = look(&h, h.installed, &why, &w);
                json_array_end(&w);
                json_kv_bool(&w, "healthy", good);
        }
        json_object_end(&w);
        if (c->json)
                printf("%s\n", out.s);
        else {
                printf("%s release %llu (%s, %.12s), applied %s, %s\n", h.installed->project, (unsigned long long) h.installed_number,
                       info.tier, info.hash, when, info.status);
                if (!h.bus)
                        printf("offline (--root): unit states and health are known on the running system only\n");
                else if (good)
                        printf("healthy: every unit active, every endpoint healthy\n");
                else
                        printf("not healthy: %s\n", why.s);
        }
        sb_free(&why);
        sb_free(&out);
        release_info_done(&info);
        cmd_host_close(&h);
        return EXIT_OK;
}
