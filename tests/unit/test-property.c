/* SPDX-License-Identifier: MIT */
/* Accepted means deployable, the read-back half (tests/property/run runs the consumers): for every spec of the
 * corpus that builds, in every tier, what msdeploy renders is read back by the readers its consumers use, and each
 * value must come back exactly as the model holds it:
 *   supervisor.yaml and health-checks.yaml through msd-supervisor's own loader (sv_config_load()),
 *   env files through the EnvironmentFile= parser msd-supervisor uses for workers (env_file_parse()).
 * The units' values are read back by systemd 252 itself, in tests/property/run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/render-check.h"
#include "helpers/spec-check.h"
#include "render/render.h"
#include "spec/syntax.h"
#include "supervisor/config.h"
#include "util/env-file.h"
#include "util/strv.h"

static const char *const corpus_globs[] = { "tests/property/*.yaml",     "tests/bad/*.yaml",
                                            "tests/external/specs/*.yaml", "examples/*.yaml",
                                            "tests/golden/*/spec.yaml",    "tests/fuzz/corpus/fuzz-spec/*",
                                            "tests/fuzz/crashes/fuzz-spec/*" };
static const char *const tiers[] = { "tier_1", "tier_2", "tier_3" };

typedef struct Case {
        const char *spec, *tier;
        const Model *m;
        const ArtifactSet *out;
} Case;

#define same(c, what, got, want)                                                                                     \
        do {                                                                                                         \
                if (strcmp((got), (want)) != 0)                                                                      \
                        fail_msg("%s (%s): %s reads back as '%s', the spec wrote '%s'", (c)->spec, (c)->tier, (what), \
                                 (got), (want));                                                                     \
        } while (0)
#define same_n(c, what, got, want)                                                                                   \
        do {                                                                                                         \
                if ((got) != (want))                                                                                 \
                        fail_msg("%s (%s): %s reads back as %llu, the spec wrote %llu", (c)->spec, (c)->tier, (what), \
                                 (unsigned long long) (got), (unsigned long long) (want));                           \
        } while (0)

/* The rendered file at an absolute path, loaded as msd-supervisor loads it. */
static SvConfig *load_config(const Case *c, const char *abs_path) {
        const Artifact *a = artifact_set_find(c->out, abs_path + 1);
        if (!a)
                return NULL;
        char *dir = check_tmpdir();
        check_write(dir, "config.yaml", a->data, 0644);
        char *path = NULL;
        assert_true(asprintf(&path, "%s/config.yaml", dir) > 0);
        SvConfig *config = NULL;
        Diags d = {};
        if (sv_config_load(path, &config, &d) < 0) {
                diags_dump(&d);
                fail_msg("%s (%s): msd-supervisor refuses %s", c->spec, c->tier, abs_path);
        }
        diags_clear(&d);
        free(path);
        check_rm_rf(dir);
        return config;
}

static void same_check(const Case *c, const HealthCheck *got, const HealthCheck *want) {
        same(c, "a check's target", got->target, want->target);
        same_n(c, "a check's kind", got->kind, want->kind);
        same_n(c, "a check's interval", got->interval, want->interval);
        same_n(c, "a check's timeout", got->timeout, want->timeout);
        same_n(c, "a check's initial_delay", got->initial_delay, want->initial_delay);
        same_n(c, "a check's failures_before_critical", got->failures_before_critical, want->failures_before_critical);
        same_n(c, "a check's successes_before_passing", got->successes_before_passing, want->successes_before_passing);
        same_n(c, "a check's critical", got->critical, want->critical);
}

static const HealthCheck *find_check(const SvConfig *config, const char *name) {
        for (size_t i = 0; i < config->n_components; i++)
                for (size_t k = 0; k < config->components[i].n_checks; k++)
                        if (strcmp(config->components[i].checks[k].name, name) == 0)
                                return &config->components[i].checks[k];
        return NULL;
}

static void check_health_config(const Case *c) {
        char *path = NULL;
        assert_true(asprintf(&path, "%s/health-checks.yaml", c->m->config_dir) > 0);
        SvConfig *config = load_config(c, path);
        free(path);
        if (!config)
                return;
        for (size_t i = 0; i < c->m->n_checks; i++) {
                const HealthCheck *got = find_check(config, c->m->checks[i].name);
                assert_non_null(got);
                same_check(c, got, &c->m->checks[i]);
        }
        for (size_t s = 0; s < c->m->n_services; s++)
                for (size_t i = 0; i < c->m->services[s].n_checks; i++) {
                        const HealthCheck *got = find_check(config, c->m->services[s].checks[i].name);
                        assert_non_null(got);
                        same_check(c, got, &c->m->services[s].checks[i]);
                }
        sv_config_free(config);
}

static void same_worker(const Case *c, const SvWorker *got, const SvWorker *want) {
        same(c, "a worker's exec", got->exec, want->exec);
        same(c, "a worker's user", got->user ? got->user : "", want->user ? want->user : "");
        same(c, "a worker's group", got->group ? got->group : "", want->group ? want->group : "");
        same(c, "a worker's check", got->check ? got->check : "", want->check ? want->check : "");
        same_n(c, "a worker's restart", got->restart, want->restart);
        same_n(c, "a worker's shutdown", got->shutdown, want->shutdown);
        same_n(c, "a worker's readiness", got->readiness, want->readiness);
        same_n(c, "a worker's critical", got->critical, want->critical);
        same_n(c, "a worker's variables", got->n_environment, want->n_environment);
        for (size_t i = 0; i < want->n_environment; i++) {
                same(c, "a worker's variable name", got->environment[i].key, want->environment[i].key);
                same(c, "a worker's variable", got->environment[i].value, want->environment[i].value);
        }
        same_n(c, "a worker's env files", got->env_files.n, want->env_files.n);
        for (size_t i = 0; i < want->env_files.n; i++)
                same(c, "a worker's env file", got->env_files.items[i], want->env_files.items[i]);
        same_n(c, "a worker's credentials", got->n_credentials, want->n_credentials);
        for (size_t i = 0; i < want->n_credentials; i++) {
                same(c, "a worker's credential variable", got->credentials[i].key, want->credentials[i].key);
                same(c, "a worker's credential", got->credentials[i].value, want->credentials[i].value);
        }
        char **words = NULL; /* and msd-supervisor splits the command as validate did */
        assert_true(command_split(got->exec, &words) > 0);
        strv_free(words);
}

static void check_supervisor_config(const Case *c) {
        const Supervision *want = &c->m->supervision;
        if (!want->root)
                return;
        char *path = NULL;
        assert_true(asprintf(&path, "%s/supervisor.yaml", c->m->config_dir) > 0);
        SvConfig *config = load_config(c, path);
        free(path);
        assert_non_null(config);
        const Supervision *got = &config->supervision;
        same(c, "the root", got->root->name, want->root->name);
        bool *sups = calloc(want->n_supervisors + 1, sizeof(bool)), *workers = calloc(want->n_workers + 1, sizeof(bool));
        supervision_reachable(want, sups, workers);
        size_t k = 0;
        for (size_t i = 0; i < want->n_supervisors; i++) {
                if (!sups[i])
                        continue;
                const SvSupervisor *g = &got->supervisors[k++], *w = &want->supervisors[i];
                same(c, "a supervisor's name", g->name, w->name);
                same_n(c, "a supervisor's strategy", g->strategy, w->strategy);
                same_n(c, "a supervisor's intensity", g->intensity, w->intensity);
                same_n(c, "a supervisor's period", g->period, w->period);
                same_n(c, "a supervisor's shutdown", g->shutdown, w->shutdown);
                same_n(c, "a supervisor's children", g->n_children, w->n_children);
                for (size_t j = 0; j < w->n_children; j++)
                        same(c, "a child", g->children[j].name, w->children[j].name);
        }
        same_n(c, "the number of supervisors", got->n_supervisors, k);
        k = 0;
        for (size_t i = 0; i < want->n_workers; i++)
                if (workers[i])
                        same_worker(c, &got->workers[k++], &want->workers[i]);
        same_n(c, "the number of workers", got->n_workers, k);
        free(sups);
        free(workers);
        sv_config_free(config);
}

static void check_env_files(const Case *c) {
        for (size_t i = 0; i < c->m->n_env_files; i++) {
                const EnvFile *e = &c->m->env_files[i];
                const Artifact *a = artifact_set_find(c->out, e->path + 1);
                assert_non_null(a);
                char **vars = NULL;
                same_n(c, "an env file's variables", (size_t) env_file_parse(a->data, &vars, NULL), e->n_vars);
                for (size_t k = 0; k < e->n_vars; k++) {
                        char *want = NULL;
                        assert_true(asprintf(&want, "%s=%s", e->vars[k].key, e->vars[k].value) > 0);
                        same(c, "an env file's variable", vars[k], want);
                        free(want);
                }
                strv_free(vars);
        }
}

static void test_corpus_reads_back(void **state) {
        (void) state;
        size_t specs = 0, accepted = 0;
        for (size_t g = 0; g < sizeof(corpus_globs) / sizeof(corpus_globs[0]); g++) {
                char pattern[512];
                snprintf(pattern, sizeof(pattern), "%s/%s", TEST_SRCDIR, corpus_globs[g]);
                glob_t gl;
                if (glob(pattern, 0, NULL, &gl) != 0)
                        continue;
                for (size_t i = 0; i < gl.gl_pathc; i++, specs++)
                        for (size_t t = 0; t < sizeof(tiers) / sizeof(tiers[0]); t++) {
                                Diags d = {};
                                Spec *spec = NULL;
                                Model *m = NULL;
                                ArtifactSet out = {};
                                if (spec_check_compose_file(gl.gl_pathv[i], tiers[t], NULL, &spec, &d) == 0 &&
                                    spec_build_model(spec, NULL, &m, &d) == 0 && render_model(m, &out, &d) == 0) {
                                        Case c = { gl.gl_pathv[i] + strlen(TEST_SRCDIR) + 1, tiers[t], m, &out };
                                        check_health_config(&c);
                                        check_supervisor_config(&c);
                                        check_env_files(&c);
                                        accepted++;
                                }
                                artifact_set_free(&out);
                                model_free(m);
                                spec_free(spec);
                                diags_clear(&d);
                        }
                globfree(&gl);
        }
        /* the corpus is there, and most of tests/property is accepted */
        assert_true(specs >= 40);
        assert_true(accepted >= 30);
        spec_check_cleanup();
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_corpus_reads_back),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
