/* SPDX-License-Identifier: MIT */
/* Tests of the host's systemd version: version strings as systemd's manager gives them, and the version
 * read offline from the libsystemd-shared library under a root (upstream's and Debian's multiarch place). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/sdversion.h"
#include "output/output.h"
#include "util/xalloc.h"

static void test_parse(void **state) {
        (void) state;
        unsigned v = 0;
        assert_int_equal(sdversion_parse("252.39-1~deb12u2", &v), 0);
        assert_int_equal(v, 252);
        assert_int_equal(sdversion_parse("v255-12-gabc", &v), 0);
        assert_int_equal(v, 255);
        assert_int_equal(sdversion_parse("249", &v), 0);
        assert_int_equal(v, 249);
        v = 7;
        assert_int_equal(sdversion_parse("", &v), -EINVAL);
        assert_int_equal(sdversion_parse("systemd", &v), -EINVAL);
        assert_int_equal(sdversion_parse("0", &v), -EINVAL);
        assert_int_equal(sdversion_parse("1234567", &v), -EINVAL);
        assert_int_equal(v, 7); /* untouched on failure */
}

/* A root holding dir/name, as an empty file. */
static char *root_with(const char *dir, const char *name) {
        char *root = xstrdup("/tmp/msdeploy-test-sdversion-XXXXXX");
        assert_non_null(mkdtemp(root));
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s' && touch '%s/%s/%s'", root, dir, root, dir, name);
        assert_int_equal(system(cmd), 0);
        return root;
}

static void remove_root(char *root) {
        assert_int_equal(rm_rf(root), 0);
        free(root);
}

static void test_in_root(void **state) {
        (void) state;
        static const struct {
                const char *dir, *name;
                unsigned version;
        } cases[] = {
                { "usr/lib/systemd", "libsystemd-shared-254.so", 254 },
                { "usr/lib/x86_64-linux-gnu/systemd", "libsystemd-shared-249.so", 249 },
                { "lib/systemd", "libsystemd-shared-245.so", 245 },
                { "usr/lib/systemd", "libsystemd-shared-254.5-1.fc39.so", 254 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *root = root_with(cases[i].dir, cases[i].name);
                unsigned v = 0;
                char *path = NULL, want[256];
                assert_int_equal(sdversion_in_root(root, &v, &path), 0);
                assert_int_equal(v, cases[i].version);
                snprintf(want, sizeof(want), "%s/%s", cases[i].dir, cases[i].name);
                assert_string_equal(path, want);
                free(path);
                remove_root(root);
        }
        /* no library, another library, a name without a version: not known */
        static const char *const none[][2] = {
                { "usr/lib/systemd", "systemd-sysusers" },
                { "usr/lib/x86_64-linux-gnu", "libsystemd.so.0" },
                { "usr/lib/systemd", "libsystemd-shared-.so" },
        };
        for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
                char *root = root_with(none[i][0], none[i][1]);
                unsigned v = 0;
                char *path = NULL;
                assert_int_equal(sdversion_in_root(root, &v, &path), -ENOENT);
                assert_null(path);
                remove_root(root);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_in_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
