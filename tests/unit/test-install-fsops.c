/* SPDX-License-Identifier: MIT */
/* Tests of the file operations under a root: a directory opened to read its entries, resolved inside the
 * root or with no symlink followed, and refused when it is not one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/fsops.h"
#include "output/output.h"
#include "util/strbuf.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* The entries of the directory d, sorted and joined by spaces ("." and ".." left out); closes d. */
static char *entries(DIR *d) {
        char **v = xcalloc(1, sizeof(char *));
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        strv_push_copy(&v, e->d_name);
        closedir(d);
        strv_sort(v);
        StrBuf b = {};
        for (size_t i = 0; v[i]; i++)
                sb_printf(&b, "%s%s", i ? " " : "", v[i]);
        strv_free(v);
        return b.s ? sb_take(&b, NULL) : xstrdup("");
}

static void test_opendir_in_root(void **state) {
        (void) state;
        char root[] = "/tmp/msdeploy-test-fsops-XXXXXX";
        assert_non_null(mkdtemp(root));
        char cmd[512];
        /* usr/lib holds a and b; lib is the absolute link /usr/lib (as on a merged /usr), file is no directory */
        snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir -p usr/lib/a && touch usr/lib/b file && ln -s /usr/lib lib", root);
        assert_int_equal(system(cmd), 0);
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(root_fd >= 0);

        DIR *d = NULL;
        assert_int_equal(fs_opendir_in_root(root_fd, "usr/lib", 0, &d), 0);
        _cleanup_free_ char *plain = entries(d);
        assert_string_equal(plain, "a b");
        /* the link resolves inside the root, never to the host's /usr/lib */
        assert_int_equal(fs_opendir_in_root(root_fd, "lib", FS_IN_ROOT, &d), 0);
        _cleanup_free_ char *linked = entries(d);
        assert_string_equal(linked, "a b");
        /* without FS_IN_ROOT no symlink is followed */
        d = NULL;
        assert_int_equal(fs_opendir_in_root(root_fd, "lib", 0, &d), -ENOTDIR);
        assert_null(d);
        assert_int_equal(fs_opendir_in_root(root_fd, "file", 0, &d), -ENOTDIR);
        assert_int_equal(fs_opendir_in_root(root_fd, "file", FS_IN_ROOT, &d), -ENOTDIR);
        assert_int_equal(fs_opendir_in_root(root_fd, "none", 0, &d), -ENOENT);
        assert_int_equal(fs_opendir_in_root(root_fd, "none", FS_IN_ROOT, &d), -ENOENT);
        assert_int_equal(fs_opendir_in_root(root_fd, "usr/../etc", 0, &d), -EINVAL);
        assert_null(d);
        assert_int_equal(rm_rf(root), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_opendir_in_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
