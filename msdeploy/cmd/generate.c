/* SPDX-License-Identifier: MIT */
/* msdeploy generate: renders one tier (or all, each in its own sub-directory) into a directory or an
 * archive. Every tier is rendered before anything is written: an invalid spec writes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "util/strv.h"
#include "util/units.h"
#include "util/xalloc.h"

int cmd_generate(CmdContext *c) {
        if (!c->out == !c->archive)
                return cmd_usage_error("generate needs exactly one of --out DIR or --archive FILE");
        if (c->archive && !output_archive_supported(c->archive))
                return cmd_usage_error("'%s': unknown archive type; use .tar.gz, .tgz, .tar.zst or .tar", c->archive);
        Diags d = { .werror = c->werror };
        _cleanup_(strv_freep) char **tiers = NULL;
        TierResult *results;
        int n = cmd_open_and_process(c, /* keep_artifacts= */ true, &tiers, &results, &d);
        if (n < 0)
                return EXIT_INVALID;
        OutputSet *sets = xcalloc((size_t) n + 1, sizeof(OutputSet));
        for (int i = 0; i < n; i++) {
                /* one tier asked for: at the top; several: one sub-directory each */
                sets[i] = (OutputSet) { .subdir = c->n_tiers == 1 ? NULL : tiers[i], .set = &results[i].artifacts };
        }
        int ret = cmd_report(c, &d, /* only_output= */ false);
        Diags io = {};
        if (ret == EXIT_OK) {
                int r = c->out ? output_write_tree(c->out, sets, (size_t) n, &io)
                               : output_write_archive(c->archive, sets, (size_t) n, cmd_source_date_epoch(), &io);
                if (r < 0) {
                        cmd_report(c, &io, /* only_output= */ false);
                        ret = EXIT_IO;
                } else if (!c->json) {
                        size_t files = 0;
                        for (int i = 0; i < n; i++)
                                files += results[i].artifacts.n;
                        fprintf(stderr, "msdeploy: wrote %zu files for %d tier%s to %s\n", files, n, n == 1 ? "" : "s",
                                c->out ? c->out : c->archive);
                }
        }
        tier_results_free(results, (size_t) n);
        free(sets);
        diags_clear(&io);
        diags_clear(&d);
        return ret;
}
