/* SPDX-License-Identifier: MIT */
/* render/tmpfiles.c's lines carried out by the real systemd-tmpfiles, in a temporary root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers/fixture.h"
#include "helpers/render-check.h"

static mode_t mode_of(const char *root, const char *rel) {
        StrBuf p = {};
        sb_printf(&p, "%s%s", root, rel);
        struct stat st;
        int r = stat(p.s, &st);
        sb_free(&p);
        return r < 0 ? (mode_t) -1 : st.st_mode & 07777;
}

/* systemd-tmpfiles --root at a temporary directory: never the host's. Owners are root here
 * because the temporary root has no such users. */
static void test_real_tmpfiles(void **state) {
        (void) state;
        Fixture *f = fixture_awkward((const char *const[]) { "directories.state={owner: root, group: root}",
                                                             "directories.runtime={owner: root, group: root}", NULL });
        Model *m = f->model;
        m->directories[0].path = "/var/lib/mister-smith/odd dir 100%"; /* refused by the spec, quoted all the same */
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_tmpfiles(m, &out, &d), 0);
        char *root = check_tmpdir();
        check_write(root, "tmpfiles.conf", out.items[0].data, 0644);
        StrBuf conf = {}, rootarg = {};
        sb_printf(&conf, "%s/tmpfiles.conf", root);
        sb_printf(&rootarg, "--root=%s", root);
        char *log = NULL;
        int r = check_run((const char *const[]) { "systemd-tmpfiles", rootarg.s, "--create", conf.s, NULL }, NULL, &log);
        if (r != 0 || *log)
                fail_msg("systemd-tmpfiles --create exited with %d%s:\n%s", r,
                         getuid() != 0 ? " (not root: the directories cannot be given their owners; run as root)" : "", log);
        free(log);
        assert_int_equal(mode_of(root, "/var/lib/mister-smith/odd dir 100%"), 0750);
        assert_int_equal(mode_of(root, "/run/mister-smith"), 0750);
        assert_int_equal(mode_of(root, "/etc/mister-smith/credentials"), 0700);
        sb_free(&conf);
        sb_free(&rootarg);
        check_rm_rf(root);
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_real_tmpfiles),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
