/* SPDX-License-Identifier: MIT */
/* Tests of the install planner with a recording host: the exact steps apply carries out for a first
 * install, a no-op, an env file, a slice, a payload, a credential, a supervisor config and a tier change,
 * removed units, drift left alone (and overwritten with --force), a failing step, the unit actions an
 * interrupted apply owed carried over into the resumed plan, and a host systemd older than the release's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/install-check.h"
#include "helpers/spec-check.h"
#include "install/apply.h"
#include "util/xalloc.h"

typedef struct Recorder {
        StrBuf log;
        int fail_at;          /* the step that fails (1-based; 0: none) */
        int steps;
} Recorder;

static int rec(Recorder *r, const char *what, const char *subject) {
        r->steps++;
        sb_printf(&r->log, "%s%s%s%s", r->log.len ? "; " : "", what, subject ? " " : "", subject ? subject : "");
        return r->steps == r->fail_at ? -EIO : 0;
}
static int op_write(void *ud, const ReleaseFile *f, Diags *d) {
        (void) d;
        return rec(ud, "write", f->path);
}
static int op_fix(void *ud, const ReleaseFile *f, Diags *d) {
        (void) d;
        return rec(ud, "fix", f->path);
}
static int op_remove(void *ud, const char *path, Diags *d) {
        (void) d;
        return rec(ud, "remove", path);
}
static int op_link(void *ud, const ReleaseLink *l, Diags *d) {
        (void) d;
        return rec(ud, "link", l->path);
}
/* a failing tool says why itself: apply_plan adds nothing to that */
static int op_sysusers(void *ud, Diags *d) {
        int r = rec(ud, "sysusers", NULL);
        if (r < 0)
                diag_error(d, (Loc) {}, "systemd-sysusers exited with status 1: no");
        return r;
}
static int op_tmpfiles(void *ud, Diags *d) {
        (void) d;
        return rec(ud, "tmpfiles", NULL);
}
static int op_unit(void *ud, ActionType t, const char *unit, Diags *d) {
        (void) d;
        return rec(ud, action_type_to_string(t), unit);
}
static const ApplyOps ops = {
        .write_file = op_write, .fix_file = op_fix, .remove = op_remove, .link = op_link,
        .sysusers = op_sysusers, .tmpfiles = op_tmpfiles, .unit = op_unit,
};

/* Plans new over snap and records what apply does; returns the log (malloc'ed). */
static char *run(const Release *new, const Snapshot *snap, PlanFlags flags, Plan **ret_plan) {
        Plan *p = plan_compute(new, snap, flags);
        Recorder r = {};
        size_t done;
        Diags d = {};
        assert_int_equal(apply_plan(p, &ops, &r, &done, &d), 0);
        assert_int_equal(d.n, 0);
        assert_int_equal(done, p->n_actions);
        if (ret_plan)
                *ret_plan = p;
        else
                plan_free(p);
        return r.log.s ? r.log.s : xstrdup("");
}

static const char *reason_of(const Plan *p, ActionType t, const char *subject) {
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == t && strcmp(p->actions[i].subject, subject) == 0)
                        return p->actions[i].reason ? p->actions[i].reason : "";
        return NULL;
}

static void test_first_install(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        Snapshot *s = install_snapshot_empty(r);
        char *log = run(r, s, 0, NULL);
        assert_string_equal(log,
                            "write etc/sysusers.d/demo.conf; sysusers; "
                            "write etc/demo/api.env; write etc/demo/health-checks.yaml; write etc/demo/monitoring.yaml; "
                            "write etc/demo/msdeploy.yaml; write etc/demo/worker.env; write etc/systemd/system/demo-api.service; "
                            "write etc/systemd/system/demo-api.service.d/50-tier.conf; write etc/systemd/system/demo-api.slice; "
                            "write etc/systemd/system/demo-other.service; "
                            "write etc/systemd/system/demo-other.service.d/50-tier.conf; write etc/systemd/system/demo-worker@.service; "
                            "write etc/systemd/system/demo-worker@.service.d/50-tier.conf; write etc/systemd/system/demo.slice; "
                            "write etc/systemd/system/demo.target; write etc/tmpfiles.d/demo.conf; write opt/demo/bin/api; "
                            "write usr/local/lib/demo/setup-demo-cgroups.sh; write usr/local/lib/demo/setup-demo-production.sh; "
                            "write usr/local/lib/demo/system-health-check.sh; tmpfiles; "
                            "link etc/systemd/system/demo.target.wants/demo-api.service; "
                            "link etc/systemd/system/demo.target.wants/demo-other.service; "
                            "link etc/systemd/system/demo.target.wants/demo-worker@1.service; "
                            "link etc/systemd/system/multi-user.target.wants/demo.target; daemon-reload; "
                            "start demo-api.service; start demo-other.service; start demo-worker@1.service; start demo-worker@2.service; "
                            "start demo.target");
        free(log);
        snapshot_free(s);
        release_free(r);
}

static void test_noop(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        Snapshot *s = install_snapshot_of(r);
        Plan *p;
        char *log = run(r, s, 0, &p);
        assert_string_equal(log, "");
        assert_false(plan_has_changes(p));
        assert_int_equal(p->n_drift, 0);
        free(log);
        plan_free(p);
        snapshot_free(s);
        release_free(r);
}

/* A changed env file restarts exactly the units that load it: a template's instances one by one. */
static void test_env_file(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "env_files.worker.vars.W=2", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        Plan *p;
        char *log = run(new, s, 0, &p);
        assert_string_equal(log, "write etc/demo/worker.env; restart demo-worker@1.service; restart demo-worker@2.service");
        assert_string_equal(reason_of(p, ACTION_RESTART, "demo-worker@2.service"), "env file /etc/demo/worker.env changed");
        assert_int_equal(p->change, 1);
        assert_int_equal(p->restart, 2);
        StrBuf text = {};
        plan_format_text(p, new, s, "DETAILS\n", &text);
        assert_non_null(strstr(text.s, "Files:\n  ~ etc/demo/worker.env (0640 root:demo, "));
        assert_non_null(strstr(text.s, "Units:\n  restart       demo-worker@1.service (one at a time): env file /etc/demo/worker.env changed\n"));
        assert_non_null(strstr(text.s, "DETAILS\nPlan: 0 to add, 1 to change, 0 to destroy; 2 restarts, 0 reloads, 0 starts, 0 stops.\n"));
        sb_free(&text);
        free(log);
        plan_free(p);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

/* A slice's limits apply on daemon-reload: nothing restarts. */
static void test_slice_only(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "slices.demo.children.api.memory_max=256M", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        char *log = run(new, s, 0, NULL);
        assert_string_equal(log, "write etc/systemd/system/demo-api.slice; write usr/local/lib/demo/setup-demo-cgroups.sh; daemon-reload");
        free(log);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

/* A new payload binary restarts the units that run it, and what is PartOf= them is named. */
static void test_payload(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", NULL, "v2");
        Snapshot *s = install_snapshot_of(old);
        Plan *p;
        char *log = run(new, s, 0, &p);
        assert_string_equal(log, "write opt/demo/bin/api; restart demo-api.service; restart demo-worker@1.service; restart demo-worker@2.service");
        assert_string_equal(reason_of(p, ACTION_RESTART, "demo-api.service"), "payload binary /opt/demo/bin/api changed");
        const Action *a = &p->actions[1];
        assert_string_equal(a->also[0], "demo-worker@1.service");
        assert_string_equal(a->also[1], "demo-worker@2.service");
        free(log);
        plan_free(p);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

/* Credentials are checked, never copied; a changed one restarts its unit. Programs are checked too. */
static void test_credentials(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        Snapshot *s = install_snapshot_of(r);
        memset(s->credentials[0].sha256, 'a', 64);
        Plan *p;
        char *log = run(r, s, 0, &p);
        assert_string_equal(log, "restart demo-api.service");
        assert_string_equal(reason_of(p, ACTION_RESTART, "demo-api.service"), "credential /etc/demo/token changed");
        plan_free(p);
        free(log);
        s->credentials[0].mode = 0644;
        p = plan_compute(r, s, 0);
        assert_non_null(p->errors[0]);
        assert_non_null(strstr(p->errors[0], "unit 'demo-api.service' loads the credential '/etc/demo/token', which has mode 0644"));
        plan_free(p);
        s->credentials[0].exists = false;
        p = plan_compute(r, s, 0);
        assert_non_null(strstr(p->errors[0], "which does not exist"));
        plan_free(p);
        /* so must every program the units run that the release does not ship */
        assert_int_equal(s->n_programs, 1);
        assert_string_equal(s->programs[0].path, "usr/bin/sleep");
        s->programs[0].mode = 0644;
        p = plan_compute(r, s, 0);
        assert_string_equal(p->errors[1], "unit 'demo-other.service' runs '/usr/bin/sleep', which is not executable; install it first or ship it as payload");
        plan_free(p);
        snapshot_free(s);
        release_free(r);
}

/* A host whose systemd is older than the one the release was rendered for is refused, naming both; an
 * unknown version is not checked, and the plan says so. */
static void test_systemd_version(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        assert_int_equal(r->systemd_version, 252);
        Snapshot *s = install_snapshot_empty(r);
        s->systemd_version = 251;
        s->systemd_version_from = xstrdup("/host/usr/lib/systemd/libsystemd-shared-251.so");
        Plan *p = plan_compute(r, s, 0);
        assert_string_equal(p->errors[0], "the release was rendered for systemd 252 or newer, but the host has systemd 251 "
                                          "(/host/usr/lib/systemd/libsystemd-shared-251.so); upgrade systemd, or render the release "
                                          "for it with --systemd-version 251");
        assert_null(p->errors[1]);
        plan_free(p);
        static const unsigned fine[] = { 252, 257 };
        for (size_t i = 0; i < 2; i++) {
                s->systemd_version = fine[i];
                p = plan_compute(r, s, 0);
                assert_null(p->errors[0]);
                StrBuf text = {};
                plan_format_text(p, r, s, NULL, &text);
                assert_null(strstr(text.s, "systemd version"));
                sb_free(&text);
                StrBuf json = {};
                char want[64];
                plan_format_json(p, r, s, &json);
                snprintf(want, sizeof(want), "\n  \"host_systemd_version\": %u,\n", fine[i]);
                assert_non_null(strstr(json.s, want));
                sb_free(&json);
                plan_free(p);
        }
        s->systemd_version = 0;
        p = plan_compute(r, s, 0);
        assert_null(p->errors[0]);
        StrBuf text = {};
        plan_format_text(p, r, s, NULL, &text);
        assert_non_null(strstr(text.s, "note: the host's systemd version is not known (no libsystemd-shared-N.so under the root): "
                                       "not checked against the 252 the release was rendered for\n"));
        sb_free(&text);
        StrBuf json = {};
        plan_format_json(p, r, s, &json);
        assert_non_null(strstr(json.s, "\n  \"host_systemd_version\": null,\n"));
        sb_free(&json);
        plan_free(p);
        snapshot_free(s);
        release_free(r);
}

/* Files changed by hand are left alone and reported; --force overwrites them. */
static void test_drift(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "env_files.api.vars.A=2", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        memset(install_disk(s, "etc/demo/api.env")->sha256, 'b', 64);
        install_disk(s, "etc/systemd/system/demo-other.service")->mode = 0600;
        Plan *p;
        char *log = run(new, s, 0, &p);
        assert_string_equal(log, "");
        assert_int_equal(p->n_drift, 2);
        assert_string_equal(p->drift[0].path, "etc/demo/api.env");
        assert_non_null(strstr(p->drift[0].what, "changed by hand since release 1 (content)"));
        assert_string_equal(p->drift[1].path, "etc/systemd/system/demo-other.service");
        assert_non_null(strstr(p->drift[1].what, "(mode)"));
        plan_free(p);
        free(log);
        log = run(new, s, PLAN_FORCE, &p);
        assert_string_equal(log, "write etc/demo/api.env; fix etc/systemd/system/demo-other.service; restart demo-api.service");
        plan_free(p);
        free(log);
        /* the same release again: the mode changed by hand is drift too */
        log = run(old, s, 0, &p);
        assert_string_equal(log, "");
        assert_int_equal(p->n_drift, 2);
        assert_non_null(strstr(p->drift[1].what, "(mode)"));
        plan_free(p);
        free(log);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

/* A service dropped from the spec stops first; its files go; one daemon-reload. */
static void test_removed_service(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "services.other=null", "services.worker.instances=1", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        char *log = run(new, s, 0, NULL);
        assert_string_equal(log, "stop demo-worker@2.service; stop demo-other.service; "
                                 "remove etc/systemd/system/demo.target.wants/demo-other.service; "
                                 "write etc/systemd/system/demo.target; write usr/local/lib/demo/setup-demo-production.sh; "
                                 "write usr/local/lib/demo/system-health-check.sh; "
                                 "remove etc/systemd/system/demo-other.service; remove etc/systemd/system/demo-other.service.d/50-tier.conf; "
                                 "daemon-reload");
        free(log);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

/* The unit actions an interrupted apply owed are carried over into the resumed plan, each in its place. */
static void test_carry_over(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "env_files.worker.vars.W=2", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        Plan *p = plan_compute(new, s, 0);
        char **owed = plan_unit_actions(p);
        assert_string_equal(owed[0], "restart demo-worker@1.service");
        assert_null(owed[2]);
        strv_free(owed);
        plan_carry_over(p, (char *const[]) { "daemon-reload systemd", "restart demo-api.service", "restart demo-worker@1.service",
                                             "stop demo-gone.service", "start demo-new.service", "frobnicate x", NULL });
        char *steps = install_plan_steps(p);
        assert_string_equal(steps, "stop demo-gone.service; update etc/demo/worker.env; daemon-reload systemd; restart demo-worker@1.service; "
                                   "restart demo-worker@2.service; restart demo-api.service; start demo-new.service");
        assert_string_equal(p->actions[0].reason, "owed by the interrupted apply");
        assert_int_equal(p->restart, 3);
        assert_int_equal(p->stop, 1);
        free(steps);
        plan_free(p);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

/* A failing step stops the apply there, and says which one. */
static void test_failing_step(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        Snapshot *s = install_snapshot_empty(r);
        Plan *p = plan_compute(r, s, 0);
        Recorder rec_ = { .fail_at = 3 };
        size_t done;
        Diags d = {};
        assert_int_equal(apply_plan(p, &ops, &rec_, &done, &d), -EIO);
        assert_int_equal(done, 2);
        assert_string_equal(rec_.log.s, "write etc/sysusers.d/demo.conf; sysusers; write etc/demo/api.env");
        assert_int_equal(d.n, 1);
        assert_string_equal(d.items[0].msg, "create etc/demo/api.env: Input/output error");
        diags_clear(&d);
        sb_free(&rec_.log);
        /* a step that says why itself is not named again */
        rec_ = (Recorder) { .fail_at = 2 };
        assert_int_equal(apply_plan(p, &ops, &rec_, &done, &d), -EIO);
        assert_int_equal(done, 1);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.items[0].msg, "systemd-sysusers exited with status 1: no");
        diags_clear(&d);
        sb_free(&rec_.log);
        plan_free(p);
        snapshot_free(s);
        release_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_install), cmocka_unit_test(test_noop),       cmocka_unit_test(test_env_file),
                cmocka_unit_test(test_slice_only),    cmocka_unit_test(test_payload),    cmocka_unit_test(test_credentials),
                cmocka_unit_test(test_drift),         cmocka_unit_test(test_removed_service), cmocka_unit_test(test_failing_step),
                cmocka_unit_test(test_carry_over),    cmocka_unit_test(test_systemd_version),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
