/* SPDX-License-Identifier: MIT */
/* Tests of reading a spec in two halves (spec/load_halves.c): at every place a text can be cut, the joined tree is
 * the one a single pass gives, node for node and location for location; what the cut could change is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spec/load_internal.h"
#include "util/fileio.h"
#include "util/xalloc.h"

/* Cuts text at every line; each cut taken must give the one-pass tree. Returns how many were taken. */
static size_t every_cut(const char *text) {
        Source *src = source_new("t.yaml", xstrdup(text), strlen(text));
        Arena *a = arena_new();
        Diags d = {};
        Node *whole = NULL;
        assert_int_equal(spec_load_part(a, src, 0, src->len, 0, 0, &whole, NULL, &d), 0);
        size_t taken = 0;
        for (size_t at = 0; at < src->len; at++) {
                if (at > 0 && src->text[at - 1] != '\n')
                        continue;
                Node *joined = NULL;
                int r = spec_load_halves_at(a, src, at, &joined);
                assert_true(r == 0 || r == -EAGAIN);
                if (r < 0)
                        continue;
                taken++;
                if (!node_identical(joined, whole))
                        fail_msg("the tree cut near byte %zu differs from the one-pass tree", at);
        }
        diags_clear(&d);
        arena_free(a);
        source_free(src);
        return taken;
}

static const char spec[] = "# a spec with what a cut must not change\n"
                           "version: 1\n"
                           "project: {name: demo, description: \"a\n"
                           "  two-line description\"}\n"
                           "services:\n"
                           "  a:\n"
                           "    exec: /bin/a --flag\n"
                           "    description: plain text\n"
                           "      continued on a second line\n"
                           "# a comment at the top level, inside the block\n"
                           "  b:\n"
                           "    script: |\n"
                           "      line one\n"
                           "\n"
                           "      line three after a blank\n"
                           "\n"
                           "  c:\n"
                           "    folded: >-\n"
                           "      folded\n"
                           "      text\n"
                           "    after: [a,\n"
                           "      b]\n"
                           "    quoted: \"x\n"
                           "  y: still the string\"\n"
                           "    env: {A: '1', B: \"2\"}\n"
                           "  d: ~\n"
                           "  e:\n"
                           "    nested:\n"
                           "      deeper: [1, 2, 3]\n"
                           "    list:\n"
                           "      - one\n"
                           "      - two: 2\n"
                           "  f: last\n"
                           "health:\n"
                           "  checks: {}\n"
                           "tail: [x]\n";

static void test_every_cut_gives_the_one_pass_tree(void **state) {
        (void) state;
        assert_true(every_cut(spec) >= 3);
}

static void test_every_cut_of_the_example(void **state) {
        (void) state;
        char *text = NULL;
        size_t len = 0;
        assert_int_equal(read_full_file(TEST_SRCDIR "/examples/mister-smith.yaml", 1 << 24, &text, &len), 0);
        assert_true(every_cut(text) > 0);
        free(text);
}

/* Cut anywhere, text is always parsed whole. */
static void assert_never_cut(const char *text) {
        Source *src = source_new("t.yaml", xstrdup(text), strlen(text));
        Arena *a = arena_new();
        for (size_t at = 0; at < src->len; at++) {
                Node *n = NULL;
                assert_int_equal(spec_load_halves_at(a, src, at, &n), -EAGAIN);
        }
        arena_free(a);
        source_free(src);
}

static void test_refused(void **state) {
        (void) state;
        assert_never_cut("services:\n  a: &x {exec: /bin/a}\n  b: *x\n  c: {}\n");         /* anchors and aliases */
        assert_never_cut("services:\n  a: {}\n  b: {}\n  a: {}\n");                          /* a key twice */
        assert_never_cut("services:\r\n  a: {}\r\n  b: {}\r\n");                             /* carriage returns */
        assert_never_cut("services:\n  a: \"\xe2\x80\xa8\"\n  b: {}\n");                        /* U+2028, a line break to libyaml */
        assert_never_cut("services:\n  a: \"\xc2\x85\"\n  b: {}\n");                            /* NEL, another */
        assert_never_cut("%YAML 1.1\n---\nservices:\n  a: {}\n  b: {}\n");                   /* a directive */
        assert_never_cut("services:\n  a: {}\n  b: {}\n---\nx: 1\n");                         /* a second document */
        assert_never_cut("services:\n  a: {}\n  b: {}\nt: 1\n---\nx: 1\n");                 /* one after the tail */
        assert_never_cut("services:\n  - a\n  - b\n");                                        /* a sequence */
        assert_never_cut("services:\n  \"a\": {}\n  b: {}\n");                                /* not plain keys */
        assert_never_cut("services:\n  a: [x,\n  b: 1]\n");                                /* a flow list across the cut */
        assert_never_cut("services:\n  a: \"x\n  b: y\"\n");                             /* a string across the cut */
}

/* Texts large enough to be cut by spec_load(): what one pass reports is reported the same. */
static void test_large_text_with_an_error_is_reported_as_whole(void **state) {
        (void) state;
        StrBuf b = {};
        sb_append(&b, "services:\n");
        for (int i = 0; b.len < 2 * LOAD_HALVES_MIN_BYTES; i++)
                sb_printf(&b, "  s%06d:\n    exec: /bin/x %d\n", i, i);
        sb_append(&b, "  s000001:\n    exec: twice\n");
        Source *src = source_new("t.yaml", sb_take(&b, NULL), 0);
        src->len = strlen(src->text);
        Arena *a = arena_new();
        Diags d = {};
        Node *root = NULL;
        assert_int_equal(spec_load(a, src, &root, &d), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        assert_non_null(strstr(d.items[0].msg, "duplicate key 's000001'"));
        diags_clear(&d);
        arena_free(a);
        source_free(src);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_cut_gives_the_one_pass_tree),
                cmocka_unit_test(test_every_cut_of_the_example),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_large_text_with_an_error_is_reported_as_whole),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
