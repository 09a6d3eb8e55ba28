/* SPDX-License-Identifier: MIT */
/* msdeploy apply and rollback: bring the host to a release (the spec's, a bundle's, a saved plan's, or a
 * stored one), under the lock, journaled, through the same plan that `plan` prints. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "cmd/install.h"
#include "util/units.h"
#include "util/xalloc.h"

static bool confirmed(CmdContext *c) {
        if (c->yes)
                return true;
        if (!isatty(STDIN_FILENO)) {
                cmd_error(c, EXIT_USAGE, "not applying without --yes: standard input is not a terminal to ask on");
                return false;
        }
        fprintf(stderr, "Apply this plan? [y/N] ");
        char answer[16] = "";
        return fgets(answer, sizeof(answer), stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

/* Files get their owners and modes with fchown() and fchmod(): without CAP_CHOWN and CAP_FOWNER the apply
 * would stop half-way, so it does not start. */
static int check_privileges(CmdContext *c, const Plan *p) {
        bool files = false;
        for (size_t i = 0; i < p->n_actions; i++)
                files = files || p->actions[i].type == ACTION_CREATE || p->actions[i].type == ACTION_UPDATE || p->actions[i].type == ACTION_FIX;
        if (!files)
                return EXIT_OK;
        cap_t caps = cap_get_proc();
        if (!caps)
                return cmd_error(c, EXIT_IO, "cannot read this process's capabilities: %s", strerror(errno));
        static const struct {
                cap_value_t v;
                const char *name;
        } needed[] = { { CAP_CHOWN, "CAP_CHOWN" }, { CAP_FOWNER, "CAP_FOWNER" } };
        StrBuf missing = {};
        for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
                cap_flag_value_t on = CAP_CLEAR;
                if (cap_get_flag(caps, needed[i].v, CAP_EFFECTIVE, &on) < 0 || on != CAP_SET)
                        sb_printf(&missing, "%s%s", missing.len ? ", " : "", needed[i].name);
        }
        cap_free(caps);
        int ret = EXIT_OK;
        if (missing.len)
                ret = cmd_error(c, EXIT_IO, "apply gives files their owners and modes and needs CAP_CHOWN and CAP_FOWNER; this process lacks %s: "
                                            "run it as root", missing.s);
        sb_free(&missing);
        return ret;
}

/* After the apply of r on the running system: waits (at most timeout) until every unit is active and
 * msd-supervisor healthy; if that does not come, restores the release that was current before (previous,
 * 0: none) through the same plan and apply, marks r's release failed and returns EXIT_ROLLED_BACK. */
static int health_gate(CmdContext *c, Host *h, const Release *r, uint64_t previous, usec_t timeout) {
        char span[32];
        format_duration(span, sizeof(span), timeout);
        fprintf(stderr, "msdeploy: health gate: waiting up to %s for every unit to be active and msd-supervisor healthy\n", span);
        StrBuf why = {};
        bool good = cmd_health_wait(h, r, timeout, &why);
        if (good) {
                fprintf(stderr, "msdeploy: health gate passed\n");
                sb_free(&why);
                return EXIT_OK;
        }
        Diags d = {};
        diag_error(&d, (Loc) {}, "health gate failed after %s: %s", span, why.s);
        sb_free(&why);
        if (!previous)
                diag_note(&d, (Loc) {}, "there is no earlier release to restore");
        cmd_flush(c, &d, EXIT_ROLLED_BACK);
        int ret = cmd_host_load_current(c, h); /* the failed release is what is installed now */
        uint64_t failed = h->installed_number;
        if (ret != EXIT_OK)
                return ret;
        if (!previous) {
                store_set_status(h->store, failed, "failed", NULL);
                return EXIT_ROLLED_BACK;
        }
        fprintf(stderr, "msdeploy: restoring release %llu\n", (unsigned long long) previous);
        _cleanup_(release_freep) Release *prev = NULL;
        if (store_load(h->store, previous, &prev, &d) < 0) {
                diags_prefix(&d, 0, "release %llu cannot be restored: ", (unsigned long long) previous);
                return cmd_flush(c, &d, EXIT_IO);
        }
        Snapshot *snap = NULL;
        Plan *p = NULL;
        ret = cmd_host_plan(c, h, prev, 0, &snap, &p);
        if (ret == EXIT_OK && !c->json)
                cmd_plan_print(c, h, p, prev, snap);
        if (ret == EXIT_OK)
                ret = cmd_host_apply(c, h, prev, p, snap, previous);
        plan_free(p);
        snapshot_free(snap);
        if (ret == EXIT_OK && store_set_status(h->store, failed, "failed", NULL) >= 0)
                ret = EXIT_ROLLED_BACK;
        return ret;
}

/* Takes the store's lock and, unless a saved plan is applied (it was made against the host as it is),
 * finishes an apply that was interrupted. */
static int lock_and_resume(CmdContext *c, Host *h, bool resume) {
        Diags d = {};
        int res = store_lock(h->store, &d);
        cmd_flush(c, &d, EXIT_OK); /* why it failed, or a lock taken over */
        if (res < 0)
                return res == -EBUSY ? EXIT_LOCKED : EXIT_IO;
        return resume ? cmd_host_resume(c, h) : EXIT_OK;
}

/* Under the lock: plans r and carries it out. saved_plan: the plan.json of a saved plan, refused when the
 * host changed since. */
static int install(CmdContext *c, Host *h, Release *r, const char *saved_plan, uint64_t rollback_of) {
        int ret = EXIT_OK;
        Snapshot *snap = NULL;
        Plan *p = NULL;
        if (ret == EXIT_OK)
                ret = cmd_host_plan(c, h, r, c->force ? PLAN_FORCE : 0, &snap, &p);
        char saved[SHA256_HEX_SIZE] = "";
        if (ret == EXIT_OK && saved_plan && (plan_saved_state(saved_plan, saved) < 0 || strcmp(saved, p->state_hash) != 0))
                ret = cmd_error(c, EXIT_STALE_PLAN, "the saved plan is out of date: the host changed since it was made (state %.12s, now %.12s); "
                                                    "make a new plan", saved, p->state_hash);
        if (ret == EXIT_OK)
                ret = cmd_plan_print(c, h, p, r, snap);
        if (ret == EXIT_OK)
                ret = check_privileges(c, p);
        bool same = h->installed && strcmp(h->installed->hash, r->hash) == 0;
        if (ret == EXIT_OK && (plan_has_changes(p) || !same || rollback_of)) {
                uint64_t previous = h->installed_number;
                if (!confirmed(c))
                        ret = EXIT_USAGE;
                else if (!h->store) /* the first apply: the store is made only now, the host is about to change */
                        ret = cmd_host_create_store(c, h);
                if (ret == EXIT_OK)
                        ret = cmd_host_apply(c, h, r, p, snap, rollback_of);
                /* the options over the release's deploy: settings */
                bool gate = c->health_gate < 0 ? r->deploy.health_gate : c->health_gate == 1;
                usec_t timeout = c->health_timeout ? c->health_timeout : r->deploy.health_timeout;
                if (ret == EXIT_OK && h->bus && gate && !rollback_of)
                        ret = health_gate(c, h, r, previous, timeout);
        }
        plan_free(p);
        snapshot_free(snap);
        return ret;
}

int cmd_apply(CmdContext *c) {
        int ret;
        const char *plan_file = c->n_args ? c->args[0] : NULL;
        if (plan_file && (c->bundle || c->n_tiers))
                return cmd_usage_error("apply takes a saved PLAN, --bundle FILE or --tier T, one of them");
        _cleanup_(release_freep) Release *r = NULL;
        _cleanup_free_ char *saved = NULL;
        ret = cmd_release_load(c, plan_file, &r, &saved);
        if (ret != EXIT_OK)
                return ret;
        Host h;
        ret = cmd_host_open(c, r, &h);
        if (ret == EXIT_OK)
                ret = cmd_host_connect(c, &h);
        if (ret == EXIT_OK && h.store) /* else nothing was ever installed: no lock until a first apply changes the host */
                ret = lock_and_resume(c, &h, /* resume= */ !saved);
        if (ret == EXIT_OK)
                ret = install(c, &h, r, saved, 0);
        cmd_host_close(&h);
        return ret;
}

int cmd_rollback(CmdContext *c) {
        Host h;
        int ret = cmd_host_open(c, NULL, &h);
        if (ret != EXIT_OK || !h.store || !h.installed_number) {
                if (ret == EXIT_OK)
                        ret = cmd_error(c, EXIT_INVALID, "nothing is installed under %s: there is nothing to roll back", h.root);
                cmd_host_close(&h);
                return ret;
        }
        uint64_t target = 0;
        if (c->n_args && parse_uint(c->args[0], 1, UINT64_MAX - 1, &target) < 0) {
                cmd_host_close(&h);
                return cmd_usage_error("rollback takes a release number, not '%s'", c->args[0]);
        }
        /* an interrupted apply is finished first: what is rolled back is then the release it installed */
        ret = cmd_host_connect(c, &h);
        if (ret == EXIT_OK)
                ret = lock_and_resume(c, &h, /* resume= */ true);
        if (ret != EXIT_OK) {
                cmd_host_close(&h);
                return ret;
        }
        if (!target) { /* the deployed or superseded release before the current one */
                ReleaseInfo *v = NULL;
                size_t n = 0;
                store_list(h.store, &v, &n);
                for (size_t i = 0; i < n; i++) {
                        if (v[i].number < h.installed_number && strcmp(v[i].status, "failed") != 0 && strcmp(v[i].status, "pending") != 0)
                                target = v[i].number;
                        release_info_done(&v[i]);
                }
                free(v);
        }
        Diags d = {};
        _cleanup_(release_freep) Release *r = NULL;
        int res = target ? store_load(h.store, target, &r, &d) : -ENOENT;
        if (res < 0) {
                if (target)
                        diags_prefix(&d, 0, "release %llu cannot be restored: ", (unsigned long long) target);
                else
                        diag_error(&d, (Loc) {}, "there is no earlier release to roll back to");
                cmd_host_close(&h);
                return cmd_flush(c, &d, EXIT_INVALID);
        }
        if (!c->json)
                fprintf(stderr, "msdeploy: rolling back from release %llu to release %llu\n", (unsigned long long) h.installed_number,
                        (unsigned long long) target);
        ret = install(c, &h, r, NULL, target);
        cmd_host_close(&h);
        return ret;
}
