/* SPDX-License-Identifier: MIT */
/* msdeploy diff --tier A --tier B: a unified diff of every artifact that differs, then the spec values
 * that differ with the file:line that set each. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "util/json.h"
#include "util/spawn.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int write_temp(const char *dir, const char *name, const Artifact *a, char **ret_path) {
        if (!a) {
                *ret_path = xstrdup("/dev/null");
                return 0;
        }
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, a->data, a->size);
        if (n < 0)
                return -errno;
        if ((size_t) n != a->size)
                return -EIO;
        *ret_path = TAKE_PTR(path);
        return 0;
}

int cmd_diff_artifact(const char *tmpdir, const char *path, const Artifact *a, const Artifact *b, const char *ta, const char *tb,
                         StrBuf *out, size_t *added, size_t *removed) {
        _cleanup_free_ char *fa = NULL, *fb = NULL, *la = NULL, *lb = NULL;
        int r = write_temp(tmpdir, "a", a, &fa);
        if (r >= 0)
                r = write_temp(tmpdir, "b", b, &fb);
        if (r < 0)
                return r;
        la = xasprintf("%s/%s", ta, path);
        lb = xasprintf("%s/%s", tb, path);
        char *argv[] = { "diff", "-u", "--label", a ? la : "/dev/null", "--label", b ? lb : "/dev/null", fa, fb, NULL };
        _cleanup_free_ char *text = NULL;
        size_t len;
        int status;
        r = spawn_capture(argv, 0, &text, &len, &status);
        if (r < 0)
                return r;
        if (status > 1)
                return -EIO;
        for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
                if (p[0] == '+' && strncmp(p, "+++ ", 4) != 0)
                        (*added)++;
                else if (p[0] == '-' && strncmp(p, "--- ", 4) != 0)
                        (*removed)++;
        }
        if (out)
                sb_appendn(out, text, len);
        return 0;
}

typedef struct ValueDiff {
        char *path;
        const Node *a, *b;
} ValueDiff;

typedef struct ValueDiffs {
        ValueDiff *items;
        size_t n;
} ValueDiffs;

static void add_value_diff(ValueDiffs *v, const char *path, const Node *a, const Node *b) {
        v->items = xreallocarray(v->items, v->n + 1, sizeof(ValueDiff));
        v->items[v->n++] = (ValueDiff) { xstrdup(path), a, b };
}

static void compare_trees(const Node *a, const Node *b, const char *path, ValueDiffs *out) {
        if (a && b && a->kind == NODE_MAP && b->kind == NODE_MAP) {
                for (size_t i = 0; i < a->n; i++) {
                        _cleanup_free_ char *sub = xasprintf("%s%s%s", path, *path ? "." : "", a->pairs[i].key);
                        compare_trees(a->pairs[i].value, node_get(b, a->pairs[i].key), sub, out);
                }
                for (size_t i = 0; i < b->n; i++)
                        if (!node_get_pair(a, b->pairs[i].key)) {
                                _cleanup_free_ char *sub = xasprintf("%s%s%s", path, *path ? "." : "", b->pairs[i].key);
                                compare_trees(NULL, b->pairs[i].value, sub, out);
                        }
                return;
        }
        if (!node_equal(a, b))
                add_value_diff(out, path, a, b);
}

static bool loc_same(Loc a, Loc b) {
        return a.src == b.src && a.line == b.line && a.col == b.col;
}

/* Whether an earlier difference came from the same two places (a default pushed under every service). */
static bool same_origin_shown(const ValueDiffs *v, size_t i) {
        const ValueDiff *x = &v->items[i];
        if (!x->a || !x->b)
                return false;
        for (size_t k = 0; k < i; k++) {
                const ValueDiff *y = &v->items[k];
                if (y->a && y->b && loc_same(x->a->loc, y->a->loc) && loc_same(x->b->loc, y->b->loc))
                        return true;
        }
        return false;
}

static void format_side(StrBuf *b, const Node *n) {
        if (!n) {
                sb_append(b, "(unset)");
                return;
        }
        node_format(n, b);
        char where[512];
        loc_format(n->loc, where, sizeof(where));
        sb_printf(b, " [%s]", where);
}

/* One side of a value difference: null, or its value and where it was set. */
static void json_side(JsonWriter *w, const char *key, const Node *n) {
        json_key(w, key);
        if (!n) {
                json_null(w);
                return;
        }
        StrBuf v = {};
        node_format(n, &v);
        json_object_begin(w);
        json_kv_string(w, "value", v.s);
        loc_to_json(n->loc, w);
        json_object_end(w);
        sb_free(&v);
}

int cmd_diff(CmdContext *c) {
        if (c->installed)
                return cmd_diff_installed(c);
        if (c->n_tiers != 2)
                return cmd_usage_error("diff needs two tiers: --tier A --tier B");
        Diags d = { .werror = c->werror };
        TierResult t[2] = {};
        _cleanup_(strv_freep) char **tiers = NULL;
        if (cmd_open(c, &tiers) < 0)
                return EXIT_INVALID;
        for (int i = 0; i < 2; i++)
                cmd_process_tier(c, tiers[i], &t[i], &d);
        int ret = cmd_report(c, &d, /* only_output= */ false);
        if (ret != EXIT_OK)
                goto finish;
        char tmpdir[] = "/tmp/msdeploy-diff-XXXXXX";
        if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "msdeploy: cannot create a temporary directory: %m\n");
                ret = EXIT_IO;
                goto finish;
        }
        StrBuf out = {}, stat = {}, json = {};
        JsonWriter w = json_writer(&json, JSON_RECORDS);
        json_object_begin(&w);
        json_key(&w, "files");
        json_array_begin(&w);
        const ArtifactSet *A = &t[0].artifacts, *B = &t[1].artifacts;
        size_t i = 0, k = 0, files = 0, total_add = 0, total_rem = 0;
        while (i < A->n || k < B->n) {
                int cmp = i == A->n ? 1 : k == B->n ? -1 : strcmp(A->items[i].path, B->items[k].path);
                const Artifact *a = cmp <= 0 ? &A->items[i] : NULL, *b = cmp >= 0 ? &B->items[k] : NULL;
                i += cmp <= 0, k += cmp >= 0;
                if (a && b && a->size == b->size && memcmp(a->data, b->data, a->size) == 0 && a->mode == b->mode)
                        continue;
                const char *path = a ? a->path : b->path;
                size_t add = 0, rem = 0;
                if (cmd_diff_artifact(tmpdir, path, a, b, tiers[0], tiers[1], c->stat || c->json ? NULL : &out, &add, &rem) < 0) {
                        fprintf(stderr, "msdeploy: cannot run diff(1) for '%s'\n", path);
                        ret = EXIT_IO;
                        break;
                }
                if (a && b && a->mode != b->mode && !c->stat && !c->json)
                        sb_printf(&out, "mode of %s: %04o -> %04o\n", path, (unsigned) a->mode, (unsigned) b->mode);
                sb_printf(&stat, " %-60s | +%zu -%zu%s\n", path, add, rem, !a ? " (only in B)" : !b ? " (only in A)" : "");
                json_object_begin(&w);
                json_kv_string(&w, "path", path);
                json_kv_string(&w, "status", !a ? "added" : !b ? "removed" : "modified");
                json_kv_uint(&w, "added", add);
                json_kv_uint(&w, "removed", rem);
                json_object_end(&w);
                files++, total_add += add, total_rem += rem;
        }
        rm_rf(tmpdir);
        ValueDiffs values = {};
        compare_trees(t[0].spec->tree, t[1].spec->tree, "", &values);
        if (ret == EXIT_OK) {
                if (c->json) {
                        json_array_end(&w);
                        json_key(&w, "values");
                        json_array_begin(&w);
                        for (size_t v = 0; v < values.n; v++) {
                                json_object_begin(&w);
                                json_kv_string(&w, "path", values.items[v].path);
                                json_side(&w, "a", values.items[v].a);
                                json_side(&w, "b", values.items[v].b);
                                json_object_end(&w);
                        }
                        json_array_end(&w);
                        json_object_end(&w);
                        sb_putc(&json, '\n');
                        fputs(json.s, stdout);
                } else {
                        fputs(c->stat ? (stat.s ? stat.s : "") : (out.s ? out.s : ""), stdout);
                        printf("%s%zu files differ (+%zu -%zu) between %s and %s\n", c->stat ? "" : "\n", files, total_add, total_rem,
                               tiers[0], tiers[1]);
                        printf("\n%zu spec values differ (%s -> %s):\n", values.n, tiers[0], tiers[1]);
                        size_t inherited = 0;
                        for (size_t v = 0; v < values.n; v++) {
                                if (same_origin_shown(&values, v)) {
                                        inherited++;
                                        continue;
                                }
                                StrBuf line = {};
                                format_side(&line, values.items[v].a);
                                sb_append(&line, "  ->  ");
                                format_side(&line, values.items[v].b);
                                printf("  %s: %s\n", values.items[v].path, line.s);
                                sb_free(&line);
                        }
                        if (inherited)
                                printf("  ... and %zu more inherited from the values above (every path: --json)\n", inherited);
                }
        }
        for (size_t v = 0; v < values.n; v++)
                free(values.items[v].path);
        free(values.items);
        sb_free(&out);
        sb_free(&stat);
        sb_free(&json);
finish:
        tier_result_free(&t[0]);
        tier_result_free(&t[1]);
        diags_clear(&d);
        return ret;
}
