/* SPDX-License-Identifier: MIT */
/* Tests of the file-hashes cache: what it records (only files settled for more than a clock tick), that a
 * snapshot takes a vouched-for hash without reading the file, that a hand edit keeping size and mtime is
 * seen all the same, and that a malformed cache is ignored whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers/tmpdir.h"
#include "install/fsops.h"
#include "install/hashcache.h"
#include "util/xalloc.h"

/* A snapshot of the files named (sorted), hashed through known. */
static Snapshot snap_of(const Dir *d, const char *const *names, size_t n, const HashCache *known) {
        Snapshot s = { .files = xcalloc(n, sizeof(DiskEntry)), .n_files = n };
        for (size_t i = 0; i < n; i++)
                assert_int_equal(disk_entry_read(d->fd, names[i], /* hash= */ true, known, NULL, NULL, &s.files[i]), 0);
        return s;
}

static void snap_done(Snapshot *s) {
        for (size_t i = 0; i < s->n_files; i++)
                disk_entry_done(&s->files[i]);
        free(s->files);
}

static void test_records_settled_files_only(void **state) {
        Dir *d = *state;
        dir_put(d, "old", "one\n");
        usleep(250 * 1000); /* older than a tick by the time the snapshot begins */
        dir_put(d, "new", "two\n");
        const char *names[] = { "new", "old" };
        Snapshot s = snap_of(d, names, 2, NULL);
        assert_int_equal(hash_cache_write(d->fd, &s), 0);
        HashCache c;
        hash_cache_read(d->fd, &c);
        assert_int_equal(c.n, 1); /* "new" changed within a tick of the snapshot: not vouched for */
        assert_string_equal(c.v[0].path, "old");
        struct stat st;
        assert_int_equal(fstatat(d->fd, "old", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_non_null(hash_cache_lookup(&c, "old", &st));
        assert_string_equal(hash_cache_lookup(&c, "old", &st), s.files[1].sha256);
        assert_null(hash_cache_lookup(&c, "new", &st));
        hash_cache_done(&c);
        snap_done(&s);
}

static void test_vouched_hash_is_not_read_again(void **state) {
        Dir *d = *state;
        dir_put(d, "f", "one\n");
        usleep(250 * 1000);
        const char *names[] = { "f" };
        Snapshot s = snap_of(d, names, 1, NULL);
        assert_int_equal(hash_cache_write(d->fd, &s), 0);
        /* the cache now says another hash for the same stat: a snapshot that reads it takes that one, so it did not
         * read the file */
        char *text = NULL;
        size_t len;
        assert_int_equal(fs_read(d->fd, HASH_CACHE_FILE, 1 << 20, &text, &len), 0);
        char *at = strstr(text, s.files[0].sha256);
        assert_non_null(at);
        memset(at, 'a', SHA256_HEX_SIZE - 1);
        assert_int_equal(fs_write_atomic(d->fd, HASH_CACHE_FILE, text, len, 0600, getuid(), getgid()), 0);
        HashCache c;
        hash_cache_read(d->fd, &c);
        Snapshot again = snap_of(d, names, 1, &c);
        assert_string_equal(again.files[0].sha256, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        snap_done(&again);
        hash_cache_done(&c);
        free(text);
        snap_done(&s);
}

static void test_hand_edit_keeping_size_and_mtime_is_seen(void **state) {
        Dir *d = *state;
        dir_put(d, "f", "one\n");
        usleep(250 * 1000);
        const char *names[] = { "f" };
        Snapshot s = snap_of(d, names, 1, NULL);
        assert_int_equal(hash_cache_write(d->fd, &s), 0);
        struct stat before;
        assert_int_equal(fstatat(d->fd, "f", &before, 0), 0);
        int fd = openat(d->fd, "f", O_WRONLY | O_CLOEXEC); /* in place: the same inode */
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "ONE\n", 4, 0), 4);
        struct timespec times[2] = { before.st_atim, before.st_mtim };
        assert_int_equal(futimens(fd, times), 0); /* the old mtime put back */
        close(fd);
        struct stat after;
        assert_int_equal(fstatat(d->fd, "f", &after, 0), 0);
        assert_true(after.st_ino == before.st_ino && after.st_size == before.st_size &&
                    after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
        HashCache c;
        hash_cache_read(d->fd, &c);
        assert_int_equal(c.n, 1);
        Snapshot again = snap_of(d, names, 1, &c);
        char want[SHA256_HEX_SIZE];
        sha256_hex("ONE\n", 4, want);
        assert_string_equal(again.files[0].sha256, want);
        snap_done(&again);
        hash_cache_done(&c);
        snap_done(&s);
}

static void test_malformed_cache_is_ignored(void **state) {
        Dir *d = *state;
        const char *bad[] = {
                "# msdeploy file-hashes 2: sha256 dev inode size mtime-ns ctime-ns path\n",
                "# msdeploy file-hashes 1: sha256 dev inode size mtime-ns ctime-ns path\n"
                "0000000000000000000000000000000000000000000000000000000000000000 1 2 3 4 5 b\n"
                "0000000000000000000000000000000000000000000000000000000000000000 1 2 3 4 5 a\n",
                "# msdeploy file-hashes 1: sha256 dev inode size mtime-ns ctime-ns path\n"
                "0000000000000000000000000000000000000000000000000000000000000000 1 2 3 4 5 a\n"
                "XYZ 1 2 3 4 5 b\n",
                "# msdeploy file-hashes 1: sha256 dev inode size mtime-ns ctime-ns path\n"
                "0000000000000000000000000000000000000000000000000000000000000000 1 -2 3 4 5 a\n",
                "# msdeploy file-hashes 1: sha256 dev inode size mtime-ns ctime-ns path\n"
                "0000000000000000000000000000000000000000000000000000000000000000 1 2 3 4 5 a",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                dir_put(d, HASH_CACHE_FILE, bad[i]);
                HashCache c;
                hash_cache_read(d->fd, &c);
                if (c.n != 0)
                        fail_msg("case %zu: %zu entries read from a malformed cache", i, c.n);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_records_settled_files_only, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_vouched_hash_is_not_read_again, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_hand_edit_keeping_size_and_mtime_is_seen, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_malformed_cache_is_ignored, dir_setup, dir_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
