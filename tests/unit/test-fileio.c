/* SPDX-License-Identifier: MIT */
/* Tests for util/fileio.c: whole files up to a cap, empty and missing files, files that are not regular, and
 * kernel files whose size stat() does not know. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/fileio.h"
#include "util/xalloc.h"

/* state: a temporary directory, removed with what the test put in it */
static int setup(void **state) {
        char *dir = xstrdup("/tmp/test-fileio.XXXXXX");
        if (!mkdtemp(dir)) {
                free(dir);
                return -1;
        }
        *state = dir;
        return 0;
}

static int teardown(void **state) {
        char *dir = *state, cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        int r = system(cmd);
        free(dir);
        return r == 0 ? 0 : -1;
}

/* dir/name holding n bytes of text (repeated as needed); returns the path */
static char *make_file(const char *dir, const char *name, const char *text, size_t n) {
        char *path;
        assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        size_t len = strlen(text);
        for (size_t i = 0; i < n; i++)
                fputc(len ? text[i % len] : 0, f);
        assert_int_equal(fclose(f), 0);
        return path;
}

static void test_whole_file(void **state) {
        _cleanup_free_ char *path = make_file(*state, "ten", "0123456789", 10), *s = NULL;
        size_t n = 0;
        assert_int_equal(read_full_file(path, 10, &s, &n), 0);
        assert_int_equal(n, 10);
        assert_string_equal(s, "0123456789");
        free(TAKE_PTR(s));
        assert_int_equal(read_full_file(path, 1024, &s, NULL), 0); /* the size is optional */
        assert_string_equal(s, "0123456789");
}

static void test_cap_exceeded(void **state) {
        _cleanup_free_ char *path = make_file(*state, "eleven", "0123456789", 11);
        char *s = (char *) "untouched";
        size_t n = 77;
        assert_int_equal(read_full_file(path, 10, &s, &n), -EFBIG);
        assert_string_equal(s, "untouched"); /* nothing written on failure */
        assert_int_equal(n, 77);
        assert_int_equal(read_full_file(path, 0, &s, &n), -EFBIG);
}

static void test_large_file(void **state) {
        _cleanup_free_ char *path = make_file(*state, "big", "abc", 100000), *s = NULL;
        size_t n;
        assert_int_equal(read_full_file(path, 100000, &s, &n), 0);
        assert_int_equal(n, 100000);
        assert_int_equal(strlen(s), 100000);
        for (size_t i = 0; i < n; i++)
                if (s[i] != "abc"[i % 3])
                        fail_msg("byte %zu is '%c'", i, s[i]);
}

static void test_empty_file(void **state) {
        _cleanup_free_ char *path = make_file(*state, "empty", "", 0), *s = NULL;
        size_t n = 77;
        assert_int_equal(read_full_file(path, 0, &s, &n), 0);
        assert_non_null(s);
        assert_string_equal(s, "");
        assert_int_equal(n, 0);
}

static void test_missing_file(void **state) {
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/none", (char *) *state) > 0);
        char *s = NULL;
        assert_int_equal(read_full_file(path, 1024, &s, NULL), -ENOENT);
        assert_null(s);
}

/* NULs are data: the size says where the text ends */
static void test_nul_bytes(void **state) {
        _cleanup_free_ char *path = make_file(*state, "nul", "", 3), *s = NULL;
        size_t n;
        assert_int_equal(read_full_file(path, 3, &s, &n), 0);
        assert_int_equal(n, 3);
        assert_memory_equal(s, "\0\0\0", 4);
}

static void test_not_regular(void **state) {
        const char *dir = *state;
        char *s = NULL;
        assert_int_equal(read_full_file(dir, 1024, &s, NULL), -EISDIR);
        _cleanup_free_ char *fifo = NULL;
        assert_true(asprintf(&fifo, "%s/fifo", dir) > 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(read_full_file(fifo, 1024, &s, NULL), -EBADFD); /* at once: no writer awaited */
        assert_null(s);
}

/* /proc files say size 0: the cap is met while reading, and they still come whole */
static void test_proc_files(void **state) {
        (void) state;
        _cleanup_free_ char *s = NULL;
        size_t n;
        assert_int_equal(read_full_file("/proc/self/status", 1024 * 1024, &s, &n), 0);
        assert_int_equal(strncmp(s, "Name:\t", 6), 0);
        assert_int_equal(strlen(s), n);
        assert_int_equal(s[n - 1], '\n');
        assert_int_equal(read_full_file("/proc/self/status", 16, &s, &n), -EFBIG);
        free(TAKE_PTR(s));
        /* beyond the first 4096-byte read */
        assert_int_equal(read_full_file("/proc/self/smaps", 64 * 1024 * 1024, &s, &n), 0);
        assert_true(n > 4096);
        assert_int_equal(s[n - 1], '\n');
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_whole_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cap_exceeded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nul_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
                cmocka_unit_test(test_proc_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
