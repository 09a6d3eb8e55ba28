/* SPDX-License-Identifier: MIT */
/* Shared command plumbing: loading a tier end to end, choosing tiers, reporting diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "render/render.h"
#include "spec/build.h"
#include "util/strv.h"
#include "util/units.h"
#include "util/xalloc.h"

int cmd_build_tier(const CmdContext *c, const char *tier, TierResult *ret, Diags *d) {
        *ret = (TierResult) {};
        SpecOptions o = {
                .spec_path = c->spec_path,
                .file = c->file,
                .tier = tier,
                .tiers_dir = c->found_tiers_dir,
                .tier_files = c->tier_files,
                .sets = c->sets,
                .n_sets = c->n_sets,
        };
        int r = spec_compose(&o, &ret->spec, d);
        if (r < 0)
                return r;
        BuildOptions bo = { .systemd_version = c->systemd_version };
        r = spec_build_model(ret->spec, &bo, &ret->model, d);
        if (r < 0)
                return r;
        ret->n_services = ret->model->n_services;
        ret->n_slices = ret->model->n_slices;
        return 0;
}

int cmd_process_tier(const CmdContext *c, const char *tier, TierResult *ret, Diags *d) {
        int r = cmd_build_tier(c, tier, ret, d);
        if (r < 0)
                return r;
        r = render_model(ret->model, &ret->artifacts, d);
        if (r < 0)
                return r;
        ret->n_artifacts = ret->artifacts.n;
        return diags_failed(d) ? -EINVAL : 0;
}

void tier_result_trim(TierResult *t, bool keep_artifacts, bool keep_spec) {
        t->model = model_free(t->model);
        if (!keep_artifacts)
                artifact_set_free(&t->artifacts);
        if (!keep_spec)
                t->spec = spec_free(t->spec);
}

void tier_result_free(TierResult *t) {
        artifact_set_free(&t->artifacts);
        t->model = model_free(t->model);
        t->spec = spec_free(t->spec);
}

void tier_results_free(TierResult *results, size_t n) {
        for (size_t i = 0; i < n; i++)
                tier_result_free(&results[i]);
        free(results);
}

int cmd_open(CmdContext *c, char ***ret) {
        *ret = NULL;
        if (access(c->spec_path, R_OK) < 0) {
                int r = -errno;
                cmd_error(c, EXIT_INVALID, "cannot read the spec '%s': %s%s", c->spec_path, strerror(-r),
                          r == -ENOENT && strcmp(c->spec_path, "msdeploy.yaml") == 0 ? " (pass one with -f SPEC)" : "");
                return r;
        }
        Diags d = { .werror = c->werror };
        int r = spec_file_load(c->spec_path, &c->file, &d);
        if (r < 0) {
                cmd_report(c, &d, /* only_output= */ false);
                diags_clear(&d);
                return r;
        }
        diags_clear(&d);
        if (cmd_find_tiers_dir(c->spec_path, c->tiers_dir, &c->found_tiers_dir) >= 0) {
                r = cmd_list_tier_files(c->found_tiers_dir, &c->tier_files);
                if (r < 0) {
                        cmd_error(c, EXIT_INVALID, "cannot read the tier directory '%s': %s", c->found_tiers_dir, strerror(-r));
                        return r;
                }
        }
        if (c->n_tiers > 0) {
                char **v = xcalloc(c->n_tiers + 1, sizeof(char *));
                for (size_t i = 0; i < c->n_tiers; i++)
                        v[i] = spec_tier_canonical(c->tiers[i]);
                *ret = v;
                return (int) c->n_tiers;
        }
        int n = spec_list_tiers(c->file, c->tier_files, ret);
        if (n == 0) {
                cmd_error(c, EXIT_INVALID, "%s: no tiers: no tiers/*.yaml next to the spec and no 'tiers:' in it; pass --tier or --tiers-dir",
                          c->spec_path);
                return -ENOENT;
        }
        return n;
}

int cmd_open_and_process(CmdContext *c, bool keep_artifacts, char ***ret_tiers, TierResult **ret_results, Diags *d) {
        char **tiers = NULL;
        int n = cmd_open(c, &tiers);
        if (n < 0) {
                strv_free(tiers);
                return n;
        }
        TierResult *results = xcalloc((size_t) n + 1, sizeof(TierResult));
        cmd_process_tiers(c, tiers, (size_t) n, results, d, keep_artifacts);
        *ret_tiers = tiers;
        *ret_results = results;
        return n;
}

void cmd_close(CmdContext *c) {
        c->file = spec_file_free(c->file);
        free(c->found_tiers_dir);
        c->found_tiers_dir = NULL;
        strv_free(c->tier_files);
        c->tier_files = NULL;
}

int cmd_report(CmdContext *c, Diags *d, bool only_output) {
        diags_sort(d);
        /* with --json, stdout carries one document: the diagnostics when they are the command's whole
         * output or it failed; otherwise the command's own JSON, and warnings go to stderr as text */
        if (c->json && !c->json_out && (only_output || diags_failed(d))) {
                diags_print_json(d, stdout);
                fflush(stdout);
                c->json_out = true;
        } else
                diags_print(d, stderr, c->color);
        return diags_failed(d) ? EXIT_INVALID : EXIT_OK;
}

int cmd_flush(CmdContext *c, Diags *d, int exit_code) {
        if (d->n)
                cmd_report(c, d, /* only_output= */ false);
        diags_clear(d);
        return exit_code;
}

int cmd_error(CmdContext *c, int exit_code, const char *fmt, ...) {
        Diags d = {};
        StrBuf b = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&b, fmt, ap);
        va_end(ap);
        diag_error(&d, (Loc) {}, "%s", b.s);
        sb_free(&b);
        return cmd_flush(c, &d, exit_code);
}

int cmd_usage_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("msdeploy: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("\nTry 'msdeploy --help'.\n", stderr);
        va_end(ap);
        return EXIT_USAGE;
}

int64_t cmd_source_date_epoch(void) {
        const char *s = getenv("SOURCE_DATE_EPOCH");
        uint64_t v;
        return s && parse_uint(s, 0, INT64_MAX, &v) >= 0 ? (int64_t) v : 0;
}
