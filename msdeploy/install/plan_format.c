/* SPDX-License-Identifier: MIT */
/* A plan for people (grouped lines, a summary last) and for programs (JSON with format_version). */
#include <errno.h>
#include <string.h>

#include "install/plan.h"
#include "install/doc.h"
#include "util/json.h"
#include "util/xalloc.h"

static const char *const signs[_ACTION_TYPE_MAX] = {
        [ACTION_CREATE] = "+", [ACTION_UPDATE] = "~", [ACTION_FIX] = "~", [ACTION_DELETE] = "-",
        [ACTION_ENABLE] = "+", [ACTION_DISABLE] = "-",
};

static void summary(const Plan *p, StrBuf *out) {
        sb_printf(out, "%u to add, %u to change, %u to destroy; %u restart%s, %u reload%s, %u start%s, %u stop%s", p->add, p->change,
                  p->destroy, p->restart, p->restart == 1 ? "" : "s", p->reload, p->reload == 1 ? "" : "s", p->start,
                  p->start == 1 ? "" : "s", p->stop, p->stop == 1 ? "" : "s");
}

static void section(const Plan *p, StrBuf *out, const char *title, const ActionType *types, size_t n_types) {
        bool any = false;
        for (size_t i = 0; i < p->n_actions; i++) {
                const Action *a = &p->actions[i];
                bool in = false;
                for (size_t k = 0; k < n_types; k++)
                        in = in || a->type == types[k];
                if (!in)
                        continue;
                if (!any)
                        sb_printf(out, "%s:\n", title);
                any = true;
                if (signs[a->type])
                        sb_printf(out, "  %s %s", signs[a->type], a->subject);
                else if (a->type == ACTION_SYSUSERS || a->type == ACTION_TMPFILES || a->type == ACTION_DAEMON_RELOAD)
                        sb_printf(out, "  %s", a->type == ACTION_DAEMON_RELOAD ? "daemon-reload" : a->subject);
                else
                        sb_printf(out, "  %-13s %s", action_type_to_string(a->type), a->subject);
                if (a->detail)
                        sb_printf(out, " (%s)", a->detail);
                if (a->reason)
                        sb_printf(out, ": %s", a->reason);
                for (size_t k = 0; a->also && a->also[k]; k++)
                        sb_printf(out, "%s%s", k ? ", " : "; restarts with it (PartOf=): ", a->also[k]);
                sb_putc(out, '\n');
        }
}

void plan_format_text(const Plan *p, const Release *new, const Snapshot *snap, const char *details, StrBuf *out) {
        sb_printf(out, "Release of %s %s (%.12s)", new->project, new->tier, new->hash);
        if (snap->installed)
                sb_printf(out, " over release %llu (%s, %.12s)\n", (unsigned long long) snap->installed_number, snap->installed->tier,
                          snap->installed->hash);
        else
                sb_printf(out, ", nothing installed yet\n");
        for (size_t i = 0; p->errors[i]; i++)
                sb_printf(out, "error: %s\n", p->errors[i]);
        if (!snap->systemd_version && new->systemd_version)
                sb_printf(out, "note: the host's systemd version is not known (no libsystemd-shared-N.so under the root): not checked against "
                               "the %u the release was rendered for\n", new->systemd_version);
        section(p, out, "Files", (const ActionType[]) { ACTION_CREATE, ACTION_UPDATE, ACTION_FIX, ACTION_DELETE }, 4);
        section(p, out, "Users and groups", (const ActionType[]) { ACTION_SYSUSERS }, 1);
        section(p, out, "Directories", (const ActionType[]) { ACTION_TMPFILES }, 1);
        section(p, out, "Units",
                (const ActionType[]) { ACTION_STOP, ACTION_DISABLE, ACTION_ENABLE, ACTION_DAEMON_RELOAD, ACTION_RELOAD, ACTION_RESTART,
                                       ACTION_START },
                7);
        if (p->n_drift) {
                sb_printf(out, "Changed outside msdeploy (left alone):\n");
                for (size_t i = 0; i < p->n_drift; i++)
                        sb_printf(out, "  ! %s: %s\n", p->drift[i].path, p->drift[i].what);
        }
        if (details)
                sb_append(out, details);
        if (!plan_has_changes(p))
                sb_printf(out, "No changes.\n");
        else {
                sb_printf(out, "Plan: ");
                summary(p, out);
                sb_printf(out, ".\n");
        }
}

void plan_format_json(const Plan *p, const Release *new, const Snapshot *snap, StrBuf *out) {
        JsonWriter w = json_writer(out, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_int(&w, "format_version", PLAN_FORMAT_VERSION);
        json_kv_string(&w, "project", new->project);
        json_kv_string(&w, "tier", new->tier);
        json_kv_string(&w, "release_hash", p->release_hash);
        json_kv_string(&w, "state_hash", p->state_hash);
        json_key(&w, "installed");
        if (snap->installed) {
                json_object_begin(&w);
                json_kv_uint(&w, "number", snap->installed_number);
                json_kv_string(&w, "tier", snap->installed->tier);
                json_kv_string(&w, "hash", snap->installed->hash);
                json_object_end(&w);
        } else
                json_null(&w);
        /* what the preflight checked the release against: null when not known (nothing under the root says) */
        json_key(&w, "host_systemd_version");
        if (snap->systemd_version)
                json_uint(&w, snap->systemd_version);
        else
                json_null(&w);
        json_kv_bool(&w, "changes", plan_has_changes(p));
        json_key(&w, "actions");
        json_array_begin(&w);
        for (size_t i = 0; i < p->n_actions; i++) {
                const Action *a = &p->actions[i];
                json_object_begin(&w);
                json_kv_string(&w, "action", action_type_to_string(a->type));
                json_kv_string(&w, "subject", a->subject);
                if (a->detail)
                        json_kv_string(&w, "detail", a->detail);
                if (a->reason)
                        json_kv_string(&w, "reason", a->reason);
                if (a->also && a->also[0]) {
                        json_key(&w, "also_restarts");
                        json_array_begin(&w);
                        for (size_t k = 0; a->also[k]; k++)
                                json_string(&w, a->also[k]);
                        json_array_end(&w);
                }
                json_object_end(&w);
        }
        json_array_end(&w);
        json_key(&w, "drift");
        json_array_begin(&w);
        for (size_t i = 0; i < p->n_drift; i++) {
                json_object_begin(&w);
                json_kv_string(&w, "path", p->drift[i].path);
                json_kv_string(&w, "what", p->drift[i].what);
                json_object_end(&w);
        }
        json_array_end(&w);
        json_key(&w, "errors");
        json_array_begin(&w);
        for (size_t i = 0; p->errors[i]; i++)
                json_string(&w, p->errors[i]);
        json_array_end(&w);
        json_key(&w, "summary");
        json_object_begin(&w);
        const struct {
                const char *k;
                unsigned v;
        } counts[] = { { "add", p->add },         { "change", p->change }, { "destroy", p->destroy }, { "restart", p->restart },
                       { "reload", p->reload },   { "start", p->start },   { "stop", p->stop } };
        for (size_t i = 0; i < ELEMENTSOF(counts); i++)
                json_kv_uint(&w, counts[i].k, counts[i].v);
        StrBuf line = {};
        summary(p, &line);
        json_kv_string(&w, "text", line.s);
        sb_free(&line);
        json_object_end(&w);
        json_object_end(&w);
        sb_putc(out, '\n');
}

int plan_saved_state(const char *json, char ret[SHA256_HEX_SIZE]) {
        Doc doc;
        Diags parse = {}; /* not a plan: -EBADMSG is all the caller needs */
        int r = doc_parse("plan.json", json, strlen(json), &doc, &parse);
        diags_clear(&parse);
        if (r < 0)
                return r;
        const char *v = node_get_scalar(doc.root, "format_version"), *h = node_get_scalar(doc.root, "state_hash");
        r = v && strcmp(v, "1") == 0 && sha256_hex_valid(h) ? 0 : -EBADMSG;
        if (r == 0)
                memcpy(ret, h, SHA256_HEX_SIZE);
        doc_done(&doc);
        return r;
}
