/* SPDX-License-Identifier: MIT */
/* Tests of msdeploy/supervisor/config.c: what msd-supervisor --check refuses in a configuration, each at its line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "helpers/render-check.h"
#include "helpers/spec-check.h"
#include "supervisor/config.h"

#define TREE                                                                                              \
        "version: 1\nroot: R\n"                                                                           \
        "supervisors:\n"                                                                                  \
        "  - name: R\n    children: [{name: w1, type: worker}]\n"

/* Loads yaml as a configuration; returns what sv_config_load() returned, diagnostics in d. */
static int load(const char *yaml, Diags *d) {
        char *dir = check_tmpdir();
        check_write(dir, "sv.yaml", yaml, 0644);
        char *path = NULL;
        assert_true(asprintf(&path, "%s/sv.yaml", dir) > 0);
        SvConfig *c = NULL;
        int r = sv_config_load(path, &c, d);
        sv_config_free(c);
        free(path);
        check_rm_rf(dir);
        return r;
}

static void expect(const char *yaml, unsigned line, unsigned col, const char *text) {
        Diags d = {};
        assert_true(load(yaml, &d) < 0);
        if (!diags_has(&d, DIAG_ERROR, line, col, text)) {
                diags_dump(&d);
                fail_msg("expected an error at %u:%u containing '%s'", line, col, text);
        }
        diags_clear(&d);
}

static void test_well_formed(void **state) {
        (void) state;
        Diags d = {};
        assert_int_equal(load(TREE "workers:\n  - name: w1\n    exec: /usr/bin/true\n    readiness: check\n    check: 'http://127.0.0.1:8080/ready'\n",
                              &d),
                         0);
        assert_int_equal(d.n, 0);
}

/* Two supervisors of one name: which one a child means is anybody's guess. */
static void test_duplicate_supervisor(void **state) {
        (void) state;
        expect(TREE "  - name: R\n    children: []\nworkers:\n  - name: w1\n    exec: /usr/bin/true\n", 6, 5, "supervisor 'R' is declared twice");
        expect(TREE "  - name: w1\n    children: []\nworkers:\n  - name: w1\n    exec: /usr/bin/true\n", 6, 5,
               "'w1' is both a supervisor and a worker");
}

/* What the root does not reach never runs: a cycle of supervisors beside the tree, and the worker under it. */
static void test_unreachable(void **state) {
        (void) state;
        const char *yaml = TREE "  - name: A\n    children: [{name: B, type: supervisor}]\n"
                                "  - name: B\n    children: [{name: A, type: supervisor}, {name: w2, type: worker}]\n"
                                "workers:\n  - name: w1\n    exec: /usr/bin/true\n  - name: w2\n    exec: /usr/bin/true\n";
        expect(yaml, 6, 5, "supervisor 'A' is not reachable from root 'R' (a cycle of supervisors beside the tree), so it would never run");
        expect(yaml, 8, 5, "supervisor 'B' is not reachable from root 'R'");
        expect(yaml, 13, 5, "worker 'w2' is not reachable from root 'R', so it would never run");
}

/* Readiness checks and health check targets follow the spec's rules. */
static void test_check_targets(void **state) {
        (void) state;
        expect(TREE "workers:\n  - name: w1\n    exec: /usr/bin/true\n    readiness: check\n    check: 'not a target'\n", 10, 12,
               "worker 'w1' check 'not a target' must be an http:// or https:// URL, or host:port");
        expect("version: 1\ncomponents:\n  - name: c\n    checks:\n      - {name: h, kind: http, target: 'ftp://x'}\n", 5, 39,
               "http check 'h' target 'ftp://x' must be an http:// or https:// URL");
}

/* A worker's credentials: variable names and credential ids, read back as written; a variable also in its
 * environment is refused (which value would it get?). */
static void test_credentials(void **state) {
        (void) state;
        char *dir = check_tmpdir();
        check_write(dir, "sv.yaml", TREE "workers:\n  - name: w1\n    exec: /usr/bin/true\n    credentials: {API_KEY_FILE: api-key, DB_PASS: db.pass}\n",
                    0644);
        char *path = NULL;
        assert_true(asprintf(&path, "%s/sv.yaml", dir) > 0);
        SvConfig *c = NULL;
        Diags d = {};
        assert_int_equal(sv_config_load(path, &c, &d), 0);
        const SvWorker *w = &c->supervision.workers[0];
        assert_int_equal(w->n_credentials, 2);
        assert_string_equal(w->credentials[0].key, "API_KEY_FILE");
        assert_string_equal(w->credentials[0].value, "api-key");
        assert_string_equal(w->credentials[1].key, "DB_PASS");
        assert_string_equal(w->credentials[1].value, "db.pass");
        sv_config_free(c);
        free(path);
        check_rm_rf(dir);
        expect(TREE "workers:\n  - name: w1\n    exec: /usr/bin/true\n    environment: {KEY_FILE: /x}\n    credentials: {KEY_FILE: key}\n", 10,
               19, "worker 'w1' sets 'KEY_FILE' both in 'environment' and in 'credentials'");
        expect(TREE "workers:\n  - name: w1\n    exec: /usr/bin/true\n    credentials: {KEY_FILE: ../key}\n", 9, 29, "'KEY_FILE' value '../key'");
        expect(TREE "workers:\n  - name: w1\n    exec: /usr/bin/true\n    credentials: {9KEY: key}\n", 9, 19, "key '9KEY' in 'credentials'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_well_formed),
                cmocka_unit_test(test_duplicate_supervisor),
                cmocka_unit_test(test_unreachable),
                cmocka_unit_test(test_check_targets),
                cmocka_unit_test(test_credentials),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
