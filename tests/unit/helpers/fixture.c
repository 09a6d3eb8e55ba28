/* SPDX-License-Identifier: MIT */
/* Test fixtures: models taken from YAML through the real pipeline, never typed by hand. */
#include "helpers/fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "helpers/spec-check.h"
#include "util/xalloc.h"

Fixture *fixture_file(const char *path, const char *tier, const char *const *sets) {
        Fixture *f = xcalloc(1, sizeof(Fixture));
        int r = spec_check_compose_file(path, tier, sets, &f->spec, &f->diags);
        if (r >= 0)
                r = spec_build_model(f->spec, NULL, &f->model, &f->diags);
        if (r < 0 || diags_failed(&f->diags)) {
                diags_dump(&f->diags);
                fail_msg("%s does not load for %s", path, tier);
        }
        return f;
}

Fixture *fixture_yaml(const char *yaml, const char *tier, const char *const *sets) {
        char path[] = "/tmp/msdeploy-fixture-XXXXXX.yaml";
        FILE *file = fdopen(mkstemps(path, 5), "w");
        if (!file || fputs(yaml, file) < 0 || fclose(file) != 0)
                fail_msg("cannot write %s", path);
        Fixture *f = fixture_file(path, tier, sets);
        unlink(path);
        return f;
}

Fixture *fixture_example(const char *tier, const char *const *sets) {
        return fixture_file(example_path(), tier, sets);
}

Fixture *fixture_awkward(const char *const *sets) {
        return fixture_file(TEST_SRCDIR "/tests/fixtures/awkward.yaml", "tier_3", sets);
}

Fixture *fixture_free(Fixture *f) {
        if (!f)
                return NULL;
        model_free(f->model);
        spec_free(f->spec);
        diags_clear(&f->diags);
        free(f);
        return NULL;
}
