/* SPDX-License-Identifier: MIT */
/* msdeploy explain PATH: a value of the effective spec and the file:line:col that set it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/suggest.h"
#include "util/xalloc.h"

/* Where a path stops resolving: suggest a key of the last map reached. */
static void explain_missing(const Node *root, const char *path, const char *tier) {
        _cleanup_free_ char *prefix = xstrdup(path);
        const char *last = path;
        const Node *parent = root;
        for (char *dot; (dot = strrchr(prefix, '.'));) {
                *dot = 0;
                const Node *n = node_lookup(root, prefix);
                if (n) {
                        parent = n;
                        last = path + (dot - prefix) + 1;
                        break;
                }
        }
        _cleanup_free_ char *word = xstrndup(last, strcspn(last, "."));
        const char *near = NULL;
        if (parent->kind == NODE_MAP) {
                const char **keys = xcalloc(parent->n + 1, sizeof(char *));
                for (size_t i = 0; i < parent->n; i++)
                        keys[i] = parent->pairs[i].key;
                near = suggest_closest(word, keys, sizeof(char *));
                free(keys);
        }
        fprintf(stderr, "msdeploy: no value at '%s' in %s%s%s%s\n", path, tier, near ? "; did you mean '" : "", near ? near : "",
                near ? "'?" : "");
}

int cmd_explain(CmdContext *c) {
        if (c->n_args != 1)
                return cmd_usage_error("explain needs one PATH, e.g. 'msdeploy explain services.worker.restart.policy --tier tier_3'");
        const char *path = c->args[0];
        Diags d = { .werror = c->werror };
        _cleanup_(strv_freep) char **tiers = NULL;
        int n = cmd_open(c, &tiers);
        if (n < 0)
                return EXIT_INVALID;
        int ret = EXIT_OK;
        StrBuf out = {};
        JsonWriter w = json_writer(&out, JSON_RECORDS);
        if (c->json)
                json_array_begin(&w);
        for (int i = 0; i < n && ret == EXIT_OK; i++) {
                TierResult t;
                int r = cmd_process_tier(c, tiers[i], &t, &d);
                if (r < 0) {
                        ret = cmd_report(c, &d, /* only_output= */ false);
                        tier_result_free(&t);
                        break;
                }
                const Node *v = node_lookup(t.spec->tree, path);
                if (!v) {
                        explain_missing(t.spec->tree, path, tiers[i]);
                        ret = EXIT_INVALID;
                        tier_result_free(&t);
                        break;
                }
                StrBuf val = {};
                node_format(v, &val);
                if (c->json) {
                        json_object_begin(&w);
                        json_kv_string(&w, "tier", tiers[i]);
                        json_kv_string(&w, "path", path);
                        json_kv_string(&w, "value", val.s);
                        loc_to_json(v->loc, &w);
                        json_object_end(&w);
                } else {
                        char where[512];
                        loc_format(v->loc, where, sizeof(where));
                        sb_printf(&out, "%s = %s  (%s)\n", path, val.s, tiers[i]);
                        sb_printf(&out, "  set at %s\n", where);
                        size_t len;
                        const char *line = loc_source_line(v->loc, &len);
                        if (line)
                                sb_printf(&out, "  %5u | %.*s\n", v->loc.line, (int) (len > 200 ? 200 : len), line);
                }
                sb_free(&val);
                tier_result_free(&t);
        }
        if (ret == EXIT_OK) {
                if (c->json) {
                        json_array_end(&w);
                        sb_putc(&out, '\n');
                }
                if (out.s)
                        fputs(out.s, stdout);
        }
        sb_free(&out);
        diags_clear(&d);
        return ret;
}
