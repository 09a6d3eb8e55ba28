/* SPDX-License-Identifier: MIT */
/* Tests of the directory walk of install/fsops (FsDirs): each directory of a sorted run of paths opened
 * once, a symlink on the way resolved inside the root as fs_open_in_root() resolves it, missing and
 * non-directory components told apart from failures, and '.' or '..' refused; and a directory opened to read
 * its entries (fs_opendir_in_root()), resolved inside the root or with no symlink followed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers/tmpdir.h"
#include "install/fsops.h"
#include "output/output.h"
#include "util/strbuf.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* The inode fs_open_in_root() finds at path, or 0 when there is none. */
static ino_t ino_in_root(const Dir *d, const char *path) {
        int fd = fs_open_in_root(d->fd, path, O_PATH | O_NOFOLLOW);
        struct stat st;
        if (fd < 0)
                return 0;
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);
        return st.st_ino;
}

/* The inode the walk finds at path, or 0 when a directory on the way or the entry is missing. */
static ino_t ino_walked(FsDirs *w, const char *path) {
        const char *base;
        int dfd = fs_dirs_open(w, path, &base);
        struct stat st;
        if (dfd == -ENOENT || dfd == -ENOTDIR)
                return 0;
        assert_true(dfd >= 0);
        assert_null(strchr(base, '/'));
        return fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ? 0 : st.st_ino;
}

static void test_sorted_paths_find_what_open_in_root_finds(void **state) {
        Dir *d = *state;
        const char *paths[] = { "a", "etc/s/x.service", "etc/s/x.service.d/50.conf", "etc/s/y.service", "etc/s/y.service.d/50.conf",
                                "etc/t/z", "top" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                dir_put(d, paths[i], "x\n");
        const char *absent[] = { "etc/s/none", "etc/s/none.d/50.conf", "etc/u/v/w", "top/below" };
        FsDirs w;
        fs_dirs_init(&w, d->fd);
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                assert_int_equal(ino_walked(&w, paths[i]), ino_in_root(d, paths[i]));
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                assert_int_equal(ino_walked(&w, absent[i]), 0);
        /* out of order too: the walk goes back up and down */
        for (size_t i = ELEMENTSOF(paths); i-- > 0;)
                assert_int_equal(ino_walked(&w, paths[i]), ino_in_root(d, paths[i]));
        fs_dirs_done(&w);
}

static void test_symlink_on_the_way_stays_in_the_root(void **state) {
        Dir *d = *state;
        dir_put(d, "real/unit.service", "inside\n");
        /* an absolute target: inside the root it is ROOT/real, never the host's /real */
        char link[128];
        snprintf(link, sizeof(link), "%s/etc", d->path);
        assert_int_equal(symlink("/real", link), 0);
        FsDirs w;
        fs_dirs_init(&w, d->fd);
        ino_t want = ino_in_root(d, "etc/unit.service");
        assert_int_equal(ino_walked(&w, "etc/unit.service"), want);
        /* without openat2 (valgrind) both refuse the symlink; with it both find ROOT/real/unit.service */
        if (want)
                assert_int_equal(want, ino_in_root(d, "real/unit.service"));
        fs_dirs_done(&w);
}

static void test_refuses_dot_components(void **state) {
        Dir *d = *state;
        dir_put(d, "etc/x", "x\n");
        FsDirs w;
        fs_dirs_init(&w, d->fd);
        const char *base;
        assert_int_equal(fs_dirs_open(&w, "etc/../etc/x", &base), -EINVAL);
        assert_int_equal(fs_dirs_open(&w, "etc/./x", &base), -EINVAL);
        assert_int_equal(fs_dirs_open(&w, "etc/..", &base), -EINVAL);
        assert_int_equal(fs_dirs_open(&w, "etc//x", &base), -EINVAL);
        assert_true(fs_dirs_open(&w, "etc/x", &base) >= 0);
        assert_string_equal(base, "x");
        fs_dirs_done(&w);
}

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
                cmocka_unit_test_setup_teardown(test_sorted_paths_find_what_open_in_root_finds, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_symlink_on_the_way_stays_in_the_root, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_refuses_dot_components, dir_setup, dir_teardown),
                cmocka_unit_test(test_opendir_in_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
