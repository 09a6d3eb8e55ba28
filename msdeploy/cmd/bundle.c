/* SPDX-License-Identifier: MIT */
/* msdeploy bundle: one tier's release (artifacts, payload, manifest) as one reproducible archive. */
#include <stdio.h>

#include "cmd/install.h"
#include "install/bundle.h"
#include "output/output.h"
#include "util/xalloc.h"
#include "util/json.h"

int cmd_bundle(CmdContext *c) {
        if (!c->out)
                return cmd_usage_error("bundle needs -o FILE.tar.zst (or .tar.gz, .tgz, .tar)");
        if (!output_archive_supported(c->out))
                return cmd_usage_error("'%s': unknown archive type; use .tar.gz, .tgz, .tar.zst or .tar", c->out);
        if (c->bundle)
                return cmd_usage_error("bundle makes a bundle from -f SPEC --tier T; it does not read one");
        _cleanup_(release_freep) Release *r = NULL;
        int ret = cmd_release_load(c, NULL, &r, NULL);
        if (ret != EXIT_OK)
                return ret;
        Diags d = {};
        if (bundle_write(c->out, r, NULL, cmd_source_date_epoch(), &d) < 0)
                return cmd_flush(c, &d, EXIT_IO);
        if (c->json) {
                StrBuf b = {};
                JsonWriter w = json_writer(&b, JSON_PRETTY);
                json_object_begin(&w);
                json_kv_int(&w, "format_version", 1);
                json_kv_string(&w, "bundle", c->out);
                json_kv_string(&w, "project", r->project);
                json_kv_string(&w, "tier", r->tier);
                json_kv_string(&w, "hash", r->hash);
                json_kv_uint(&w, "files", r->n_files);
                json_object_end(&w);
                printf("%s\n", b.s);
                sb_free(&b);
        } else
                fprintf(stderr, "msdeploy: wrote the %s release of %s (%zu files, sha256 %.12s) to %s\n", r->tier, r->project, r->n_files,
                        r->hash, c->out);
        return EXIT_OK;
}
