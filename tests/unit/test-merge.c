/* SPDX-License-Identifier: MIT */
/* Tests of layer merging and composition: precedence, provenance, null removal, --set, defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "helpers/spec-check.h"
#include "spec/load.h"
#include "spec/merge.h"
#include "util/xalloc.h"

static Node *parse(Arena *a, Source **keep, const char *name, const char *text) {
        *keep = source_new(name, xstrdup(text), strlen(text));
        Diags d = {};
        Node *n;
        assert_int_equal(spec_load(a, *keep, &n, &d), 0);
        diags_clear(&d);
        return n;
}

static void test_maps_merge_lists_replace_null_removes(void **state) {
        (void) state;
        Arena *a = arena_new();
        Source *s1, *s2;
        Node *base = parse(a, &s1, "base", "m: {x: 1, y: 2, l: [a, b]}\nkeep: 1\ngone: 2\n");
        Node *over = parse(a, &s2, "over", "m: {y: 3, l: [c], z: 4}\ngone: ~\n");
        Node *r = node_merge(a, base, over);
        assert_string_equal(node_get_scalar(node_get(r, "m"), "x"), "1");
        assert_string_equal(node_get_scalar(node_get(r, "m"), "y"), "3");
        assert_string_equal(node_get_scalar(node_get(r, "m"), "z"), "4");
        const Node *l = node_lookup(r, "m.l");
        assert_int_equal(l->n, 1);
        assert_string_equal(l->items[0]->scalar, "c");
        assert_null(node_get(r, "gone"));
        assert_string_equal(node_get_scalar(r, "keep"), "1");
        /* provenance: each value still points where it was written */
        assert_ptr_equal(node_lookup(r, "m.x")->loc.src, s1);
        assert_ptr_equal(node_lookup(r, "m.y")->loc.src, s2);
        assert_int_equal(node_lookup(r, "m.y")->loc.line, 1);
        /* inputs untouched */
        assert_string_equal(node_get_scalar(node_get(base, "m"), "y"), "2");
        assert_non_null(node_get(base, "gone"));
        source_free(s1);
        source_free(s2);
        arena_free(a);
}

static void test_from_path(void **state) {
        (void) state;
        Arena *a = arena_new();
        Node *v = node_new_scalar(a, "8", (Loc) {});
        Node *n = node_from_path(a, "services.worker.instances", v, (Loc) {});
        assert_ptr_equal(node_lookup(n, "services.worker.instances"), v);
        arena_free(a);
}

static const char *const base_spec =
        "version: 1\n"
        "project: {name: demo}\n"
        "users: {demo: {}}\n"
        "services:\n"
        "  api:\n"
        "    exec: /usr/bin/true\n"
        "    user: demo\n"
        "tiers:\n"
        "  tier_3:\n"
        "    services:\n"
        "      api:\n"
        "        watchdog: 9s\n";

static void test_precedence_and_defaults(void **state) {
        (void) state;
        Diags d = {};
        Spec *s = NULL;
        assert_int_equal(spec_check_compose(base_spec, "tier_3", NULL, &s, &d), 0);
        /* the tier file's service defaults land under the service, with their location */
        const Node *policy = node_lookup(s->tree, "services.api.restart.policy");
        assert_string_equal(policy->scalar, "on-failure");
        assert_non_null(strstr(policy->loc.src->name, "tiers/tier_3.yaml"));
        /* the spec's own tier overlay wins over the spec */
        assert_string_equal(node_lookup(s->tree, "services.api.watchdog")->scalar, "9s");
        /* built-in defaults sit lowest */
        assert_string_equal(node_lookup(s->tree, "services.api.type")->loc.src->name, "<built-in>");
        assert_string_equal(s->tier, "tier_3");
        assert_string_equal(s->tier_title, "operational");
        spec_free(s);
        diags_clear(&d);
}

static void test_set_overrides_last(void **state) {
        (void) state;
        Diags d = {};
        Spec *s = NULL;
        const char *sets[] = { "services.api.watchdog=20s", "services.api.after=[network-online.target]", "services.api.restart=null", NULL };
        assert_int_equal(spec_check_compose(base_spec, "3", sets, &s, &d), 0);
        const Node *w = node_lookup(s->tree, "services.api.watchdog");
        assert_string_equal(w->scalar, "20s");
        assert_string_equal(w->loc.src->name, "--set services.api.watchdog");
        assert_int_equal(node_lookup(s->tree, "services.api.after")->kind, NODE_SEQ);
        /* null removed the spec's restart map; tier defaults are applied after, so the default is back */
        assert_non_null(node_lookup(s->tree, "services.api.restart.policy"));
        spec_free(s);
        diags_clear(&d);

        const char *bad[] = { "services..x=1", NULL };
        assert_true(spec_check_compose(base_spec, "tier_3", bad, &s, &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 1, 1, "is not a dotted key path"));
        spec_free(s);
        diags_clear(&d);
        const char *typo[] = { "services.api.watchdog=5 parsecs", NULL };
        assert_true(spec_check_compose(base_spec, "tier_3", typo, &s, &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 1, 1, "'watchdog' value '5 parsecs' is not a duration"));
        assert_string_equal(d.items[0].loc.src->name, "--set services.api.watchdog");
        spec_free(s);
        diags_clear(&d);
}

static void test_unknown_tier(void **state) {
        (void) state;
        Diags d = {};
        Spec *s = NULL;
        assert_true(spec_check_compose(base_spec, "tier_9", NULL, &s, &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 0, 0, "unknown tier 'tier_9'"));
        assert_true(diags_has(&d, DIAG_ERROR, 0, 0, "available: tier_1, tier_2, tier_3"));
        spec_free(s);
        diags_clear(&d);
}

static void test_overlay_checked_even_when_not_selected(void **state) {
        (void) state;
        Diags d = {};
        Spec *s = NULL;
        const char *spec = "project: {name: demo}\ntiers:\n  tier_1:\n    servics: {}\n";
        assert_true(spec_check_compose(spec, "tier_3", NULL, &s, &d) < 0);
        assert_true(diags_has(&d, DIAG_ERROR, 4, 5, "unknown key 'servics' in the spec; did you mean 'services'?"));
        spec_free(s);
        diags_clear(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_maps_merge_lists_replace_null_removes),
                cmocka_unit_test(test_from_path),
                cmocka_unit_test(test_precedence_and_defaults),
                cmocka_unit_test(test_set_overrides_last),
                cmocka_unit_test(test_unknown_tier),
                cmocka_unit_test(test_overlay_checked_even_when_not_selected),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        spec_check_cleanup();
        return r;
}
