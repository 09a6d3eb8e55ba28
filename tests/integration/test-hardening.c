/* SPDX-License-Identifier: MIT */
/* tier_3's hardening as systemd-analyze security --offline rates it: every service of the example at 2.0 or below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"
#include "render/render.h"

/* The "Overall exposure level" systemd-analyze reports for unit under root, or -1; its whole output in ret_output. */
static double exposure(const char *root, const char *unit, char **ret_output) {
        StrBuf rootarg = {};
        sb_printf(&rootarg, "--root=%s", root);
        char *out = NULL;
        int r = check_run((const char *const[]) { "systemd-analyze", "security", "--offline=true", "--no-pager",
                                                  rootarg.s, unit, NULL },
                          NULL, &out);
        sb_free(&rootarg);
        double v = -1;
        const char *s = r == 0 ? strstr(out, "Overall exposure level for ") : NULL;
        if (s && (s = strstr(s, ": ")))
                v = strtod(s + 2, NULL);
        *ret_output = out;
        return v;
}

static void test_tier_3_exposure(void **state) {
        (void) state;
        Fixture *f = fixture_example("tier_3", NULL);
        Model *m = f->model;
        ArtifactSet set = {};
        Diags d = {};
        assert_int_equal(render_services(m, &set, &d), 0);
        assert_int_equal(render_slices(m, &set, &d), 0);
        char *root = check_tmpdir();
        for (size_t i = 0; i < set.n; i++)
                check_write(root, set.items[i].path, set.items[i].data, 0644);

        /* the health-check with ProtectProc=default too: its process checks see the other services */
        static const char *const units[] = { "mister-smith-messaging.service", "mister-smith-orchestrator.service",
                                             "mister-smith-worker@1.service", "mister-smith-health-check.service" };
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                char *out = NULL;
                double v = exposure(root, units[i], &out);
                if (v < 0)
                        fail_msg("systemd-analyze security gave no exposure level for %s (is systemd installed?):\n%s", units[i],
                                 out);
                print_message("%s: exposure %.1f\n", units[i], v);
                if (v > 2.0)
                        fail_msg("%s: exposure %.1f > 2.0:\n%s", units[i], v, out);
                free(out);
        }
        check_rm_rf(root);
        artifact_set_free(&set);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tier_3_exposure),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
