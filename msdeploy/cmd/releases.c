/* SPDX-License-Identifier: MIT */
/* msdeploy releases (the release history of the host) and diff --installed (drift: what differs on the
 * host from the current release's manifest). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/install.h"
#include "util/json.h"
#include "util/xalloc.h"

int cmd_releases(CmdContext *c) {
        Host h;
        int ret = cmd_host_open(c, NULL, &h);
        ReleaseInfo *v = NULL;
        size_t n = 0;
        if (ret == EXIT_OK && h.store)
                store_list(h.store, &v, &n);
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        if (ret == EXIT_OK && c->json) {
                json_object_begin(&w);
                json_kv_int(&w, "format_version", 1);
                json_key(&w, "releases");
                json_array_begin(&w);
        } else if (ret == EXIT_OK)
                printf("%-8s %-20s %-8s %-12s %-11s %s\n", "RELEASE", "TIME", "TIER", "HASH", "STATUS", "NOTE");
        for (size_t i = 0; ret == EXIT_OK && i < n; i++) {
                char when[32], note[64] = "";
                struct tm tm;
                time_t t = (time_t) v[i].time;
                strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
                bool current = v[i].number == h.installed_number;
                if (v[i].rollback_of)
                        snprintf(note, sizeof(note), "rollback to %llu", (unsigned long long) v[i].rollback_of);
                if (c->json) {
                        json_object_begin(&w);
                        json_kv_uint(&w, "number", v[i].number);
                        json_kv_string(&w, "time", when);
                        json_kv_string(&w, "tier", v[i].tier);
                        json_kv_string(&w, "hash", v[i].hash);
                        json_kv_string(&w, "status", v[i].status);
                        json_kv_bool(&w, "current", current);
                        json_kv_uint(&w, "rollback_of", v[i].rollback_of);
                        json_object_end(&w);
                } else
                        printf("%-8llu %-20s %-8s %-12.12s %-11s %s%s%s\n", (unsigned long long) v[i].number, when, v[i].tier, v[i].hash,
                               v[i].status, current ? "current" : "", current && note[0] ? ", " : "", note);
        }
        if (ret == EXIT_OK && c->json) {
                json_array_end(&w);
                json_object_end(&w);
                printf("%s\n", b.s);
        }
        sb_free(&b);
        for (size_t i = 0; i < n; i++)
                release_info_done(&v[i]);
        free(v);
        cmd_host_close(&h);
        return ret;
}

/* Drift is the plan that would bring the host back to its own current release: what it would recreate,
 * re-enable or fix, and what it leaves alone because it was changed by hand. */
int cmd_diff_installed(CmdContext *c) {
        Host h;
        int ret = cmd_host_open(c, NULL, &h);
        if (ret == EXIT_OK && !h.installed)
                ret = cmd_error(c, EXIT_INVALID, "nothing is installed under %s", h.root);
        Snapshot *snap = NULL;
        Plan *p = NULL;
        if (ret == EXIT_OK)
                ret = cmd_host_plan(c, &h, h.installed, 0, &snap, &p);
        size_t found = 0;
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        if (ret == EXIT_OK) {
                if (c->json) {
                        json_object_begin(&w);
                        json_kv_int(&w, "format_version", 1);
                        json_kv_uint(&w, "release", h.installed_number);
                        json_key(&w, "drift");
                        json_array_begin(&w);
                }
                for (size_t i = 0; i < p->n_drift + p->n_actions; i++) {
                        const char *path, *what;
                        if (i < p->n_drift) {
                                path = p->drift[i].path;
                                what = p->drift[i].what;
                        } else {
                                const Action *a = &p->actions[i - p->n_drift];
                                path = a->subject;
                                what = a->type == ACTION_CREATE   ? "deleted"
                                       : a->type == ACTION_FIX    ? "mode or owner changed"
                                       : a->type == ACTION_ENABLE ? "unit disabled: the enablement link is missing"
                                       : a->type == ACTION_SYSUSERS ? a->reason
                                       : a->type == ACTION_TMPFILES ? a->reason
                                                                    : NULL;
                                if (a->type == ACTION_SYSUSERS)
                                        path = "users and groups";
                                if (a->type == ACTION_TMPFILES)
                                        path = "directories";
                        }
                        if (!what)
                                continue;
                        found++;
                        if (c->json) {
                                json_object_begin(&w);
                                json_kv_string(&w, "path", path);
                                json_kv_string(&w, "what", what);
                                json_object_end(&w);
                        } else
                                printf("%s: %s\n", path, what);
                }
                if (c->json) {
                        json_array_end(&w);
                        json_object_end(&w);
                        printf("%s\n", b.s);
                } else if (!found)
                        printf("No drift: %s matches release %llu.\n", h.root, (unsigned long long) h.installed_number);
        }
        sb_free(&b);
        plan_free(p);
        snapshot_free(snap);
        cmd_host_close(&h);
        return ret == EXIT_OK && found && c->detailed_exitcode ? EXIT_CHANGES : ret;
}
