/* SPDX-License-Identifier: MIT */
/* render/sysusers.c's lines read by the real systemd-sysusers, into a temporary root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

/* systemd-sysusers --root at a temporary directory: never the host's users. */
static void test_real_sysusers(void **state) {
        (void) state;
        Fixture *f = fixture_awkward(NULL);
        Model *m = f->model;
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_sysusers(m, &out, &d), 0);
        char *root = check_tmpdir();
        check_write(root, "etc/.keep", "", 0644);
        check_write(root, "sysusers.conf", out.items[0].data, 0644);
        StrBuf conf = {}, rootarg = {};
        sb_printf(&conf, "%s/sysusers.conf", root);
        sb_printf(&rootarg, "--root=%s", root);
        char *log = NULL;
        assert_int_equal(check_run((const char *const[]) { "systemd-sysusers", rootarg.s, conf.s, NULL }, NULL, &log), 0);
        assert_null(strstr(log, "not found"));
        free(log);

        char *passwd = NULL, *group = NULL;
        StrBuf p = {};
        sb_printf(&p, "%s/etc/passwd", root);
        assert_int_equal(check_run((const char *const[]) { "cat", p.s, NULL }, NULL, &passwd), 0);
        assert_non_null(strstr(passwd, ":Mister \"Smith\" 100% agents:/var/lib/mister-smith:"));
        assert_non_null(strstr(passwd, "mister-smith-nats:x:"));
        sb_free(&p);
        sb_printf(&p, "%s/etc/group", root);
        assert_int_equal(check_run((const char *const[]) { "cat", p.s, NULL }, NULL, &group), 0);
        assert_non_null(strstr(group, "msnats:x:"));
        assert_non_null(strstr(group, ":mister-smith-nats\n"));
        free(passwd);
        free(group);
        sb_free(&p);
        sb_free(&conf);
        sb_free(&rootarg);
        check_rm_rf(root);
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_real_sysusers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
