/* SPDX-License-Identifier: MIT */
/* Tests of the sd-bus calls apply makes on the running system: the exact call list for the plans of a first
 * install, an env file change, a supervisor configuration change and a removed service. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "helpers/install-check.h"
#include "sd/bus.h"

/* "Method unit arg; ..." for every unit action of new planned over snap. */
static char *calls(const Release *new, const Snapshot *snap) {
        Plan *p = plan_compute(new, snap, 0);
        StrBuf b = {};
        for (size_t i = 0; i < p->n_actions; i++) {
                BusCall c = bus_call_for(p->actions[i].type, p->actions[i].subject);
                if (!c.method)
                        continue; /* a file, a link, sysusers, tmpfiles: no bus */
                if (b.len)
                        sb_append(&b, "; ");
                bus_call_format(&c, &b);
        }
        plan_free(p);
        return b.s ? b.s : strdup("");
}

static void test_first_install(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        Snapshot *s = install_snapshot_empty(r);
        char *got = calls(r, s);
        assert_string_equal(got, "Reload; StartUnit demo-api.service replace; StartUnit demo-other.service replace; "
                                 "StartUnit demo-worker@1.service replace; StartUnit demo-worker@2.service replace; "
                                 "StartUnit demo.target replace");
        free(got);
        snapshot_free(s);
        release_free(r);
}

static void test_env_file(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "env_files.worker.vars.W=2", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        char *got = calls(new, s);
        /* no daemon-reload: no unit file changed; the instances one after the other, each job waited for */
        assert_string_equal(got, "RestartUnit demo-worker@1.service replace; RestartUnit demo-worker@2.service replace");
        free(got);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

static void test_supervisor_config(void **state) {
        (void) state;
        const char *spec = "version: 1\n"
                           "project: { name: sv }\n"
                           "services:\n"
                           "  tree: { supervisor: true }\n"
                           "supervision:\n"
                           "  root: top\n"
                           "  supervisors: { top: { children: [w] } }\n"
                           "  workers: { w: { exec: /usr/bin/sleep 100 } }\n";
        Release *old = install_release(spec, "tier_3", NULL, "v1");
        Release *new = install_release(spec, "tier_3", (const char *const[]) { "supervision.workers.w.shutdown=7s", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        char *got = calls(new, s);
        assert_string_equal(got, "KillUnit sv-tree.service main SIGHUP");
        free(got);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

static void test_removed_service(void **state) {
        (void) state;
        Release *old = install_release(install_spec, "tier_3", NULL, "v1");
        Release *new = install_release(install_spec, "tier_3", (const char *const[]) { "services.other=null", NULL }, "v1");
        Snapshot *s = install_snapshot_of(old);
        char *got = calls(new, s);
        assert_string_equal(got, "StopUnit demo-other.service replace; Reload");
        free(got);
        snapshot_free(s);
        release_free(old);
        release_free(new);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_install),
                cmocka_unit_test(test_env_file),
                cmocka_unit_test(test_supervisor_config),
                cmocka_unit_test(test_removed_service),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
