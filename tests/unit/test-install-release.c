/* SPDX-License-Identifier: MIT */
/* Tests of the release model: kinds and consuming units of every file, units, enablement links and
 * credentials; the manifest's round trip and hash; manifests that must be refused; the deploy: settings
 * it carries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/install-check.h"
#include "helpers/spec-check.h"
#include "render/render.h"
#include "sd/enable.h"
#include "util/xalloc.h"

static void assert_units(const ReleaseFile *f, const char *expected) {
        StrBuf b = {};
        for (size_t i = 0; f->units[i]; i++)
                sb_printf(&b, "%s%s", i ? " " : "", f->units[i]);
        assert_string_equal(b.s ? b.s : "", expected);
        sb_free(&b);
}

static void test_kinds_and_consumers(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        const struct {
                const char *path;
                FileKind kind;
                const char *units;
        } want[] = {
                { "etc/demo/api.env", FILE_ENV, "demo-api.service" },
                { "etc/demo/worker.env", FILE_ENV, "demo-worker@.service" },
                { "etc/systemd/system/demo-worker@.service.d/50-tier.conf", FILE_DROPIN, "demo-worker@.service" },
                { "etc/systemd/system/demo-api.slice", FILE_UNIT, "demo-api.slice" },
                { "opt/demo/bin/api", FILE_PAYLOAD, "demo-api.service demo-worker@.service" },
                { "etc/sysusers.d/demo.conf", FILE_SYSUSERS, "" },
                { "etc/tmpfiles.d/demo.conf", FILE_TMPFILES, "" },
                { "etc/demo/monitoring.yaml", FILE_DATA, "" },
                { "etc/demo/health-checks.yaml", FILE_CONFIG, "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                const ReleaseFile *f = release_find_file(r, want[i].path);
                assert_non_null(f);
                assert_int_equal(f->kind, want[i].kind);
                assert_units(f, want[i].units);
        }
        const ReleaseFile *p = release_find_file(r, "opt/demo/bin/api");
        assert_int_equal(p->mode, 0755);
        assert_int_equal(p->size, 2);
        assert_string_equal(p->sha256, "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe"); /* sha256("v1") */
        const ReleaseUnit *w = release_find_unit(r, "demo-worker@.service");
        assert_int_equal(w->kind, UNIT_TEMPLATE);
        assert_string_equal(w->instances[0], "demo-worker@1.service");
        assert_string_equal(w->instances[1], "demo-worker@2.service");
        assert_null(w->instances[2]);
        assert_string_equal(w->part_of[0], "demo-api.service");
        assert_string_equal(w->programs[0], "/opt/demo/bin/api");
        assert_null(w->programs[1]);
        assert_int_equal(release_find_unit(r, "demo.target")->kind, UNIT_TARGET);
        assert_int_equal(r->n_credentials, 1);
        assert_string_equal(r->credentials[0].path, "/etc/demo/token");
        assert_string_equal(r->credentials[0].units[0], "demo-api.service");
        release_free(r);
}

/* The health gate asks the endpoints of the supervision tree and of the health aggregator. */
static void test_health_endpoints(void **state) {
        (void) state;
        const char *spec = "version: 1\n"
                           "project: { name: sv }\n"
                           "services:\n"
                           "  tree: { supervisor: true }\n"
                           "  checks: { health_aggregator: true }\n"
                           "health: { listen: \"127.0.0.1:9191\", checks: { up: { kind: tcp, target: \"127.0.0.1:9190\" } } }\n"
                           "supervision:\n"
                           "  root: top\n"
                           "  listen: \"127.0.0.1:9190\"\n"
                           "  supervisors: { top: { children: [w] } }\n"
                           "  workers: { w: { exec: /usr/bin/sleep 100 } }\n";
        Release *r = install_release(spec, "tier_3", NULL, "v1");
        assert_string_equal(r->health[0], "127.0.0.1:9190");
        assert_string_equal(r->health[1], "127.0.0.1:9191");
        assert_null(r->health[2]);
        size_t len;
        const char *text = release_manifest(r, &len);
        Release *back = NULL;
        Diags d = {};
        assert_int_equal(release_parse_manifest(text, len, &back, &d), 0);
        assert_int_equal(d.n, 0);
        assert_string_equal(back->health[1], "127.0.0.1:9191");
        release_free(back);
        release_free(r);
}

static void test_install_links(void **state) {
        (void) state;
        SdLink *l = NULL;
        size_t n = 0;
        Arena *a = arena_new();
        sd_install_links(a, "etc/systemd/system", "a@.service", "[Service]\nWantedBy=x.target\n[Install]\nWantedBy=b.target c.target\nRequiredBy=d.target\nDefaultInstance=7\nAlias=e@.service\n", &l, &n);
        assert_int_equal(n, 4);
        assert_string_equal(l[0].path, "etc/systemd/system/b.target.wants/a@7.service");
        assert_string_equal(l[0].target, "/etc/systemd/system/a@.service");
        assert_string_equal(l[1].path, "etc/systemd/system/c.target.wants/a@7.service");
        assert_string_equal(l[2].path, "etc/systemd/system/d.target.requires/a@7.service");
        assert_string_equal(l[3].path, "etc/systemd/system/e@.service");
        free(l);
        l = NULL, n = 0;
        sd_install_links(a, "etc/systemd/system", "a@.service", "[Install]\nWantedBy=b.target\n", &l, &n);
        assert_int_equal(n, 0); /* a template without DefaultInstance= is enabled per instance */
        free(l);
        /* only lines of [Install] sections count: a section runs to the next header, and "[Install]" inside a
         * value is no header */
        l = NULL, n = 0;
        sd_install_links(a, "etc/systemd/system", "x.service",
                         "[Unit]\nDescription=see [Install]\nWantedBy=no.target\n[Install]\nWantedBy=a.target\n[Service]\nWantedBy=no.target\n"
                         "[Install] \nWantedBy=no.target\n[Install]\n\nRequiredBy=b.target\tc.target\nAlias=y.service",
                         &l, &n);
        assert_int_equal(n, 4);
        assert_string_equal(l[0].path, "etc/systemd/system/a.target.wants/x.service");
        assert_string_equal(l[1].path, "etc/systemd/system/b.target.requires/x.service");
        assert_string_equal(l[2].path, "etc/systemd/system/c.target.requires/x.service");
        assert_string_equal(l[3].path, "etc/systemd/system/y.service");
        assert_string_equal(l[3].target, "/etc/systemd/system/x.service");
        free(l);
        arena_free(a);
}

static void test_manifest_round_trip(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_2", NULL, "v1");
        size_t len;
        const char *text = release_manifest(r, &len);
        Release *back = NULL;
        Diags d = {};
        assert_int_equal(release_parse_manifest(text, len, &back, &d), 0);
        assert_int_equal(d.n, 0);
        assert_string_equal(back->hash, r->hash);
        assert_int_equal(back->n_files, r->n_files);
        assert_int_equal(back->n_units, r->n_units);
        assert_int_equal(back->n_links, r->n_links);
        assert_string_equal(back->tier, "tier_2");
        size_t len2;
        const char *again = release_manifest(back, &len2);
        assert_string_equal(again, text); /* nothing lost or reordered */
        release_free(back);
        release_free(r);
}

/* Replaces the first occurrence of from by to in the manifest of r and parses it; the release read back
 * in *ret (NULL: not wanted), what the parser said in d. */
static int parse_changed_into(const Release *r, const char *from, const char *to, Release **ret, Diags *d) {
        size_t len;
        const char *text = release_manifest((Release *) r, &len);
        const char *at = strstr(text, from);
        assert_non_null(at);
        StrBuf b = {};
        sb_appendn(&b, text, (size_t) (at - text));
        sb_append(&b, to);
        sb_append(&b, at + strlen(from));
        Release *back = NULL;
        int res = release_parse_manifest(b.s, b.len, &back, d);
        if (ret)
                *ret = back;
        else
                release_free(back);
        sb_free(&b);
        return res;
}

/* The same; the one error the parser reports (NULL: none) in *ret_why, malloc'ed. */
static int parse_changed(const Release *r, const char *from, const char *to, char **ret_why) {
        Diags d = {};
        int res = parse_changed_into(r, from, to, NULL, &d);
        assert_true(d.n_errors == (res < 0 ? 1u : 0u)); /* the first problem is the one reported */
        *ret_why = d.n ? xstrdup(d.items[0].msg) : NULL;
        diags_clear(&d);
        return res;
}

/* A change of r's manifest text: from becomes to, which the parser refuses saying why. */
typedef struct ManifestEdit {
        const char *from, *to, *why;
} ManifestEdit;

/* Each edit of r's manifest is refused on its own, with the one error saying its why. */
static void assert_edits_refused(const Release *r, const ManifestEdit *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *why = NULL;
                assert_int_equal(parse_changed(r, cases[i].from, cases[i].to, &why), -EBADMSG);
                if (!strstr(why, cases[i].why))
                        fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
        }
}

/* The spec's deploy: settings travel in the manifest (a bundle applies without the spec); a manifest
 * written before they existed gets what apply did then: the gate for tier_3 alone, 120 s, 10 kept. */
static void test_manifest_deploy(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", (const char *const[]) { "deploy.keep_releases=4", "deploy.health_gate.timeout=90s", NULL },
                                     "v1");
        assert_true(r->deploy.health_gate);
        assert_int_equal(r->deploy.health_timeout, 90 * USEC_PER_SEC);
        assert_int_equal(r->deploy.keep_releases, 4);
        Diags d = {};
        Release *back = NULL;
        assert_int_equal(parse_changed_into(r, "\"keep_releases\": 4", "\"keep_releases\": 4", &back, &d), 0);
        assert_true(back->deploy.health_gate);
        assert_int_equal(back->deploy.health_timeout, 90 * USEC_PER_SEC);
        assert_int_equal(back->deploy.keep_releases, 4);
        release_free(back);
        static const char settings[] = "\"health_gate\": true,\n    \"health_timeout_usec\": 90000000,\n    \"keep_releases\": 4,\n    ";
        assert_int_equal(parse_changed_into(r, settings, "", &back, &d), 0);
        assert_true(back->deploy.health_gate);
        assert_int_equal(back->deploy.health_timeout, 120 * USEC_PER_SEC);
        assert_int_equal(back->deploy.keep_releases, 10);
        release_free(back);
        assert_int_equal(parse_changed_into(r, "\"tier_3\"", "\"tier_2\"", &back, &d), 0);
        assert_true(back->deploy.health_gate); /* recorded: the tier no longer decides */
        release_free(back);
        const ManifestEdit cases[] = {
                { "\"health_gate\": true", "\"health_gate\": \"maybe\"", "health_gate 'maybe' is not true or false" },
                { "\"health_timeout_usec\": 90000000", "\"health_timeout_usec\": 0", "health_timeout_usec '0' is not a duration" },
                { "\"keep_releases\": 4", "\"keep_releases\": 0", "keep_releases '0' is not a number of releases from 1 to 1000" },
        };
        assert_edits_refused(r, cases, ELEMENTSOF(cases));
        release_free(r);
        r = install_release(install_spec, "tier_2", NULL, "v1");
        assert_false(r->deploy.health_gate);
        assert_int_equal(parse_changed_into(r, "\"health_gate\": false,\n    ", "", &back, &d), 0);
        assert_int_equal(d.n, 0);
        assert_false(back->deploy.health_gate);
        release_free(back);
        release_free(r);
}

static void test_manifest_refused(void **state) {
        (void) state;
        Release *r = install_release(install_spec, "tier_3", NULL, "v1");
        const ManifestEdit cases[] = {
                { "\"path\": \"opt/demo/bin/api\"", "\"path\": \"opt/demo/../../etc/shadow\"", "'.' or '..'" },
                { "\"path\": \"opt/demo/bin/api\"", "\"path\": \"/opt/demo/bin/api\"", "is absolute" },
                { "\"path\": \"opt/demo/bin/api\"", "\"path\": \"etc/cron.d/api\"", "outside the directories" },
                { "\"prefix\": \"/opt/demo\"", "\"prefix\": \"/usr\"", "project directory '/usr'" },
                { "\"mode\": \"0755\"", "\"mode\": \"4755\"", "setuid" },
                { "\"format_version\": 1", "\"format_version\": 2", "format_version 2" },
                { "\"kind\": \"payload\"", "\"kind\": \"rootkit\"", "unknown kind 'rootkit'" },
                { "\"target\": \"/etc/systemd/system/demo.target\"", "\"target\": \"/etc/shadow\"", "not an enablement link" },
                { "{", "[", "not a JSON object" },
        };
        assert_edits_refused(r, cases, ELEMENTSOF(cases));
        release_free(r);
}

/* The diagnostics of building the release of yaml (tier_3); the release is not wanted. */
static void release_diags(const char *yaml, Diags *d) {
        Spec *spec = NULL;
        Model *m = NULL;
        assert_int_equal(spec_check_build(yaml, "tier_3", &spec, &m, d), 0);
        ArtifactSet a = {};
        assert_int_equal(render_model(m, &a, d), 0);
        Release *r = NULL;
        assert_int_equal(release_from_model(m, &a, "/tmp", "test", &r, d), -EINVAL);
        assert_null(r);
        artifact_set_free(&a);
        model_free(m);
        spec_free(spec);
}

/* A project directory, or a file, that msdeploy does not install into is refused where the spec set it. */
static void test_refused_at_spec_line(void **state) {
        (void) state;
        Diags d = {};
        release_diags("version: 1\n"
                      "project: { name: demo, prefix: /usr/demo, libexec_dir: /home/demo }\n"
                      "services:\n"
                      "  api: { exec: /usr/bin/true }\n",
                      &d);
        assert_true(diags_has(&d, DIAG_ERROR, 2, 32, "project.prefix '/usr/demo' is not a directory msdeploy installs into"));
        assert_true(diags_has(&d, DIAG_ERROR, 2, 56, "project.libexec_dir '/home/demo' is not a directory msdeploy installs into"));
        assert_int_equal(d.n_errors, 2); /* the files under them are not refused once more */
        diags_clear(&d);
        release_diags("version: 1\n"
                      "project: { name: demo }\n"
                      "services:\n"
                      "  api: { exec: /usr/bin/true, env_files: [x, y] }\n"
                      "env_files:\n"
                      "  x: { path: /etc/other/x.env, vars: { A: \"1\" } }\n"
                      "  y: { path: /etc/yet-another/y.env, vars: { B: \"1\" } }\n",
                      &d);
        assert_true(diags_has(&d, DIAG_ERROR, 6, 14, "env file 'x': '/etc/other/x.env' is outside the directories a release may install into"));
        assert_true(diags_has(&d, DIAG_ERROR, 7, 14, "env file 'y': '/etc/yet-another/y.env' is outside"));
        assert_int_equal(d.n_errors, 2);
        diags_clear(&d);
        spec_check_cleanup();
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kinds_and_consumers),
                cmocka_unit_test(test_install_links),
                cmocka_unit_test(test_health_endpoints),
                cmocka_unit_test(test_manifest_round_trip),
                cmocka_unit_test(test_manifest_refused),
                cmocka_unit_test(test_manifest_deploy),
                cmocka_unit_test(test_refused_at_spec_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
