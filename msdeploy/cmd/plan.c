/* SPDX-License-Identifier: MIT */
/* msdeploy plan: what apply would do to the host, in order, every restart with its reason; read only. */
#include <stdio.h>
#include <string.h>

#include "cmd/install.h"
#include "install/bundle.h"
#include "output/output.h"
#include "util/xalloc.h"

int cmd_plan(CmdContext *c) {
        if (c->out && !output_archive_supported(c->out))
                return cmd_usage_error("a saved plan is an archive: name it PLAN.tar.zst (or .tar.gz, .tgz, .tar), not '%s'", c->out);
        _cleanup_(release_freep) Release *r = NULL;
        int ret = cmd_release_load(c, NULL, &r, NULL);
        if (ret != EXIT_OK)
                return ret;
        Host h;
        ret = cmd_host_open(c, r, &h);
        Snapshot *snap = NULL;
        Plan *p = NULL;
        if (ret == EXIT_OK)
                ret = cmd_host_plan(c, &h, r, c->force ? PLAN_FORCE : 0, &snap, &p);
        if (ret == EXIT_OK)
                ret = cmd_plan_print(c, &h, p, r, snap);
        if (ret == EXIT_OK && c->out) {
                /* a saved plan is the release's bundle with the plan, and the state it was made against */
                StrBuf b = {};
                Diags d = {};
                plan_format_json(p, r, snap, &b);
                if (bundle_write(c->out, r, b.s, cmd_source_date_epoch(), &d) < 0)
                        ret = cmd_flush(c, &d, EXIT_IO);
                else if (!c->json)
                        fprintf(stderr, "msdeploy: saved the plan to %s; 'msdeploy apply %s --root %s' carries it out unless the host changed\n",
                                c->out, c->out, h.root);
                sb_free(&b);
        }
        if (ret == EXIT_OK && c->detailed_exitcode && plan_has_changes(p))
                ret = EXIT_CHANGES;
        plan_free(p);
        snapshot_free(snap);
        cmd_host_close(&h);
        return ret;
}
