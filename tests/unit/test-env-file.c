/* SPDX-License-Identifier: MIT */
/* Tests of msdeploy/util/env-file.c: systemd's EnvironmentFile= syntax, and reading back what render/envfile.c writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/fixture.h"
#include "render/render.h"
#include "util/env-file.h"
#include "util/strv.h"

static void test_syntax(void **state) {
        (void) state;
        char **v = NULL;
        unsigned line = 0;
        assert_int_equal(env_file_parse("# comment\n; another\n\n"
                                        "A=plain\n"
                                        "  B = spaced value  \n"
                                        "C=\"quoted \\\"x\\\" \\\\ \\$HOME \\`id\\` \\n kept\"\n"
                                        "D='single $HOME \\n'\n"
                                        "E=bare\\ escaped\\#\n"
                                        "F=\"two\\\nlines\"\n"
                                        "A=again\n"
                                        "G=\n",
                                        &v, &line),
                         7);
        assert_string_equal(v[0], "A=again"); /* a later one replaces an earlier one, in its place */
        assert_string_equal(v[1], "B=spaced value");
        assert_string_equal(v[2], "C=quoted \"x\" \\ $HOME `id` \\n kept");
        assert_string_equal(v[3], "D=single $HOME \\n");
        assert_string_equal(v[4], "E=bare escaped#");
        assert_string_equal(v[5], "F=twolines");
        assert_string_equal(v[6], "G=");
        strv_free(v);
        /* a second file's variables go into the first's list, a later one replacing an earlier one */
        v = NULL;
        assert_int_equal(env_file_parse("A=1\nB=2\n", &v, NULL), 2);
        assert_int_equal(env_file_parse("B=3\nC=4\n", &v, NULL), 3);
        assert_string_equal(v[1], "B=3");
        assert_int_equal(env_file_parse("D=\"open\n", &v, NULL), -EINVAL);
        assert_int_equal(strv_length(v), 3); /* untouched */
        strv_free(v);
        v = NULL;
        assert_int_equal(env_file_parse("A=1\nnot an assignment\n", &v, &line), -EINVAL);
        assert_int_equal(line, 2);
        assert_int_equal(env_file_parse("A=1\nB=\"open\n\n", &v, &line), -EINVAL);
        assert_int_equal(line, 2);
        assert_int_equal(env_file_parse("1A=x\n", &v, &line), -EINVAL);
        assert_int_equal(env_file_parse("A=\"x\" y\n", &v, &line), -EINVAL);
}

/* Every env file msdeploy renders reads back with exactly the spec's values. */
static void test_reads_back_rendered(void **state) {
        (void) state;
        Fixture *f = fixture_awkward((const char *const[]) { "env_files.worker.vars={Q: \"it's \\\"quoted\\\" \\\\ $x `y` 100% #z\", "
                                                             "SP: \" lead and trail \", E: \"\"}",
                                                             NULL });
        ArtifactSet out = {};
        Diags d = {};
        assert_int_equal(render_env_files(f->model, &out, &d), 0);
        assert_int_equal(out.n, f->model->n_env_files);
        for (size_t i = 0; i < f->model->n_env_files; i++) {
                const EnvFile *e = &f->model->env_files[i];
                const Artifact *a = artifact_set_find(&out, e->path + 1);
                assert_non_null(a);
                char **v = NULL;
                assert_int_equal(env_file_parse(a->data, &v, NULL), (int) e->n_vars);
                for (size_t k = 0; k < e->n_vars; k++) {
                        char *want = NULL;
                        assert_true(asprintf(&want, "%s=%s", e->vars[k].key, e->vars[k].value) > 0);
                        assert_string_equal(v[k], want);
                        free(want);
                }
                strv_free(v);
        }
        artifact_set_free(&out);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_reads_back_rendered),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
