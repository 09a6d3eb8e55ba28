/* SPDX-License-Identifier: MIT */
/* msdeploy validate: checks the spec for every tier (or the given ones), rendering included. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "util/strv.h"
#include "util/xalloc.h"

int cmd_validate(CmdContext *c) {
        Diags d = { .werror = c->werror };
        _cleanup_(strv_freep) char **tiers = NULL;
        TierResult *results;
        int n = cmd_open_and_process(c, /* keep_artifacts= */ false, &tiers, &results, &d);
        if (n < 0)
                return EXIT_INVALID;
        size_t services = 0, slices = 0, artifacts = 0;
        for (int i = 0; i < n; i++)
                if (results[i].n_artifacts) {
                        services = results[i].n_services;
                        slices = results[i].n_slices;
                        artifacts = results[i].n_artifacts;
                }
        int ret = cmd_report(c, &d, /* only_output= */ true);
        if (ret == EXIT_OK && !c->json) {
                printf("%s: valid for", c->spec_path);
                for (int i = 0; i < n; i++)
                        printf("%s %s", i ? "," : "", tiers[i]);
                printf(" (%zu service%s, %zu slice%s, %zu artifacts per tier", services, services == 1 ? "" : "s", slices, slices == 1 ? "" : "s",
                       artifacts);
                if (d.n_warnings)
                        printf(", %zu warning%s", d.n_warnings, d.n_warnings == 1 ? "" : "s");
                printf(")\n");
        }
        tier_results_free(results, (size_t) n);
        diags_clear(&d);
        return ret;
}
