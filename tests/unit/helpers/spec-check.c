/* SPDX-License-Identifier: MIT */
/* Test helpers for the spec pipeline: compose and build a spec written inline, look for diagnostics. */
#include "helpers/spec-check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

static char spec_path[64];

const char *example_path(void) {
        return TEST_SRCDIR "/examples/mister-smith.yaml";
}

void spec_check_cleanup(void) {
        if (spec_path[0])
                unlink(spec_path);
        spec_path[0] = 0;
}

int spec_check_compose(const char *yaml, const char *tier, const char *const *sets, Spec **ret, Diags *d) {
        spec_check_cleanup();
        strcpy(spec_path, "/tmp/msdeploy-test-XXXXXX.yaml");
        int fd = mkstemps(spec_path, 5);
        if (fd < 0 || write(fd, yaml, strlen(yaml)) != (ssize_t) strlen(yaml)) {
                perror("spec-check");
                abort();
        }
        close(fd);
        return spec_check_compose_file(spec_path, tier, sets, ret, d);
}

int spec_check_compose_file(const char *path, const char *tier, const char *const *sets, Spec **ret, Diags *d) {
        static char **tier_files;
        if (!tier_files && cmd_list_tier_files(TEST_SRCDIR "/tiers", &tier_files) < 0) {
                perror("spec-check: " TEST_SRCDIR "/tiers");
                abort();
        }
        size_t n_sets = 0;
        while (sets && sets[n_sets])
                n_sets++;
        SpecOptions o = {
                .spec_path = path,
                .tier = tier,
                .tiers_dir = TEST_SRCDIR "/tiers",
                .tier_files = tier_files,
                .sets = sets,
                .n_sets = n_sets,
        };
        return spec_compose(&o, ret, d);
}

int spec_check_build(const char *yaml, const char *tier, Spec **ret_spec, Model **ret_model, Diags *d) {
        *ret_model = NULL;
        int r = spec_check_compose(yaml, tier, NULL, ret_spec, d);
        if (r < 0)
                return r;
        return spec_build_model(*ret_spec, NULL, ret_model, d);
}

bool diags_has(const Diags *d, DiagLevel level, unsigned line, unsigned col, const char *text) {
        for (size_t i = 0; i < d->n; i++) {
                const Diag *g = &d->items[i];
                if (g->level == level && (line == 0 || g->loc.line == line) && (col == 0 || g->loc.col == col) && strstr(g->msg, text))
                        return true;
        }
        fprintf(stderr, "expected %s at %u:%u containing '%s'; have:\n", level == DIAG_ERROR ? "error" : "warning", line, col, text);
        diags_dump(d);
        return false;
}

void diags_dump(const Diags *d) {
        diags_print(d, stderr, false);
}
