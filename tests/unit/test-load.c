/* SPDX-License-Identifier: MIT */
/* Tests of the YAML loader: node tree, locations, and refusal of hostile or malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "helpers/spec-check.h"
#include "spec/load.h"
#include "util/xalloc.h"

typedef struct Loaded {
        Arena *arena;
        Source *src;
        Node *root;
        Diags d;
        int r;
} Loaded;

static Loaded load(const char *text, size_t len) {
        Loaded l = { .arena = arena_new() };
        char *copy = xmalloc(len + 1);
        memcpy(copy, text, len);
        copy[len] = 0;
        l.src = source_new("t.yaml", copy, len);
        l.r = spec_load(l.arena, l.src, &l.root, &l.d);
        return l;
}

static Loaded load_str(const char *text) {
        return load(text, strlen(text));
}

static void unload(Loaded *l) {
        diags_clear(&l->d);
        source_free(l->src);
        arena_free(l->arena);
}

static void test_tree_and_locations(void **state) {
        (void) state;
        Loaded l = load_str("a:\n  b: 1\n  c: [x, 'y']\nd: ~\n");
        assert_int_equal(l.r, 0);
        assert_int_equal(l.root->kind, NODE_MAP);
        const Node *b = node_lookup(l.root, "a.b");
        assert_non_null(b);
        assert_string_equal(b->scalar, "1");
        assert_int_equal(b->loc.line, 2);
        assert_int_equal(b->loc.col, 6);
        const Node *y = node_lookup(l.root, "a.c.1");
        assert_string_equal(y->scalar, "y");
        assert_true(y->quoted);
        assert_int_equal(node_get(l.root, "d")->kind, NODE_NULL);
        assert_int_equal(node_get_pair(l.root, "d")->key_loc.line, 4);
        assert_null(node_lookup(l.root, "a.c.2"));
        unload(&l);
}

static void test_duplicate_key(void **state) {
        (void) state;
        Loaded l = load_str("a: 1\nb: 2\na: 3\n");
        assert_int_equal(l.r, -EINVAL);
        assert_true(diags_has(&l.d, DIAG_ERROR, 3, 1, "duplicate key 'a' (first defined at line 1)"));
        unload(&l);
}

static void test_tab_indentation(void **state) {
        (void) state;
        Loaded l = load_str("a:\n\tb: 1\n");
        assert_int_equal(l.r, -EINVAL);
        assert_true(diags_has(&l.d, DIAG_ERROR, 2, 1, "tab used for indentation"));
        unload(&l);
}

static void test_invalid_utf8_and_nul(void **state) {
        (void) state;
        Loaded l = load_str("a: ok\nb: \xc3\x28\n");
        assert_int_equal(l.r, -EINVAL);
        assert_true(diags_has(&l.d, DIAG_ERROR, 2, 4, "invalid UTF-8 byte 0xc3"));
        unload(&l);
        Loaded n = load("a: x\0y\n", 7);
        assert_int_equal(n.r, -EINVAL);
        assert_true(diags_has(&n.d, DIAG_ERROR, 1, 5, "NUL byte"));
        unload(&n);
        /* overlong encoding and surrogates are invalid too */
        Loaded o = load_str("a: \xc0\xaf\n");
        assert_int_equal(o.r, -EINVAL);
        unload(&o);
        Loaded s = load_str("a: \xed\xa0\x80\n");
        assert_int_equal(s.r, -EINVAL);
        unload(&s);
}

static void test_alias_bomb(void **state) {
        (void) state;
        /* each level holds 10 aliases of the previous one: 10^9 nodes when expanded */
        char text[4096];
        size_t off = (size_t) snprintf(text, sizeof(text), "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) {
                off += (size_t) snprintf(text + off, sizeof(text) - off, "a%d: &a%d [", i, i);
                for (int k = 0; k < 10; k++)
                        off += (size_t) snprintf(text + off, sizeof(text) - off, "%s*a%d", k ? ", " : "", i - 1);
                off += (size_t) snprintf(text + off, sizeof(text) - off, "]\n");
        }
        Loaded l = load_str(text);
        assert_int_equal(l.r, -E2BIG);
        assert_true(diags_has(&l.d, DIAG_ERROR, 0, 0, "possible alias bomb"));
        unload(&l);
}

static void test_alias_shares_node(void **state) {
        (void) state;
        Loaded l = load_str("base: &b {x: 1}\nuse: *b\n");
        assert_int_equal(l.r, 0);
        assert_ptr_equal(node_get(l.root, "base"), node_get(l.root, "use"));
        unload(&l);
        Loaded u = load_str("use: *nope\n");
        assert_int_equal(u.r, -EINVAL);
        assert_true(diags_has(&u.d, DIAG_ERROR, 1, 6, "alias '*nope' names no anchor"));
        unload(&u);
}

static void test_depth_limit_is_fast(void **state) {
        (void) state;
        size_t n = 400000;
        char *text = xmalloc(n + 1);
        memset(text, '[', n);
        text[n] = 0;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        Loaded l = load(text, n);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_int_equal(l.r, -E2BIG);
        assert_true(diags_has(&l.d, DIAG_ERROR, 1, LOAD_MAX_DEPTH + 1, "nesting deeper than 64 levels"));
        /* refused at the cap, not after parsing everything: far below a second even under sanitizers */
        double secs = (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9;
        assert_true(secs < 1.0);
        unload(&l);
        free(text);
}

static void test_syntax_error_location(void **state) {
        (void) state;
        Loaded l = load_str("a: [1, 2\nb: 3\n");
        assert_int_equal(l.r, -EINVAL);
        assert_true(diags_has(&l.d, DIAG_ERROR, 0, 0, "YAML syntax"));
        unload(&l);
}

static void test_multi_document_and_tags(void **state) {
        (void) state;
        Loaded l = load_str("a: 1\n---\nb: 2\n");
        assert_int_equal(l.r, -EINVAL);
        assert_true(diags_has(&l.d, DIAG_ERROR, 2, 1, "more than one YAML document"));
        unload(&l);
        Loaded t = load_str("a: !secret x\n");
        assert_int_equal(t.r, -EINVAL);
        assert_true(diags_has(&t.d, DIAG_ERROR, 1, 4, "unsupported YAML tag '!secret'"));
        unload(&t);
        Loaded ok = load_str("a: !!str 1\n");
        assert_int_equal(ok.r, 0);
        unload(&ok);
}

static void test_empty_and_merge_key(void **state) {
        (void) state;
        Loaded e = load_str("");
        assert_int_equal(e.r, 0);
        assert_int_equal(e.root->kind, NODE_NULL);
        unload(&e);
        Loaded m = load_str("a: &a {x: 1}\nb:\n  <<: *a\n");
        assert_int_equal(m.r, -EINVAL);
        assert_true(diags_has(&m.d, DIAG_ERROR, 3, 3, "merge keys ('<<') are not supported"));
        unload(&m);
}

static void test_many_keys_are_indexed(void **state) {
        (void) state;
        StrBuf b = {};
        for (int i = 0; i < 5000; i++)
                sb_printf(&b, "k%d: %d\n", i, i);
        Loaded l = load_str(b.s);
        assert_int_equal(l.r, 0);
        assert_int_equal(l.root->n, 5000);
        assert_non_null(l.root->index);
        assert_string_equal(node_get_scalar(l.root, "k4321"), "4321");
        assert_null(node_get(l.root, "k5000"));
        unload(&l);
        sb_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tree_and_locations),  cmocka_unit_test(test_duplicate_key),
                cmocka_unit_test(test_tab_indentation),     cmocka_unit_test(test_invalid_utf8_and_nul),
                cmocka_unit_test(test_alias_bomb),          cmocka_unit_test(test_alias_shares_node),
                cmocka_unit_test(test_depth_limit_is_fast), cmocka_unit_test(test_syntax_error_location),
                cmocka_unit_test(test_multi_document_and_tags), cmocka_unit_test(test_empty_and_merge_key),
                cmocka_unit_test(test_many_keys_are_indexed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
