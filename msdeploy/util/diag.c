/* SPDX-License-Identifier: MIT */
/* Diagnostics: errors and warnings that point at FILE:LINE:COL and quote the source line. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "enum-table.h"
#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

Source *source_new(const char *name, char *text_take, size_t len) {
        Source *s = xcalloc(1, sizeof(*s));
        s->name = xstrdup(name);
        s->text = text_take;
        s->len = len;
        return s;
}

Source *source_free(Source *s) {
        if (!s)
                return NULL;
        free(s->name);
        free(s->text);
        free(s);
        return NULL;
}

void diag_add(Diags *d, DiagLevel level, Loc loc, const char *fmt, ...) {
        if (d->n == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 16;
                d->items = xreallocarray(d->items, d->cap, sizeof(Diag));
        }
        StrBuf b = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&b, fmt, ap);
        va_end(ap);
        if (level == DIAG_WARNING && d->werror)
                level = DIAG_ERROR;
        d->items[d->n++] = (Diag) { .level = level, .loc = loc, .msg = sb_take(&b, NULL) };
        if (level == DIAG_ERROR)
                d->n_errors++;
        else if (level == DIAG_WARNING)
                d->n_warnings++;
}

bool diags_failed(const Diags *d) {
        return d->n_errors > 0;
}

static int diag_cmp(const void *a, const void *b) {
        const Diag *x = a, *y = b;
        const char *nx = x->loc.src ? x->loc.src->name : "", *ny = y->loc.src ? y->loc.src->name : "";
        int r = strcmp(nx, ny);
        if (r)
                return r;
        if (x->loc.line != y->loc.line)
                return x->loc.line < y->loc.line ? -1 : 1;
        if (x->loc.col != y->loc.col)
                return x->loc.col < y->loc.col ? -1 : 1;
        return x < y ? -1 : x > y; /* stable: fall back to insertion order */
}

void diags_sort(Diags *d) {
        if (d->n < 2)
                return;
        qsort(d->items, d->n, sizeof(Diag), diag_cmp);
        size_t w = 1;
        for (size_t i = 1; i < d->n; i++) {
                Diag *p = &d->items[w - 1], *c = &d->items[i];
                if (p->level == c->level && p->loc.src == c->loc.src && p->loc.line == c->loc.line &&
                    p->loc.col == c->loc.col && strcmp(p->msg, c->msg) == 0) {
                        if (c->level == DIAG_ERROR)
                                d->n_errors--;
                        else if (c->level == DIAG_WARNING)
                                d->n_warnings--;
                        free(c->msg);
                        continue;
                }
                d->items[w++] = *c;
        }
        d->n = w;
}

static const char *const diag_level_table[_DIAG_LEVEL_MAX] = {
        [DIAG_ERROR] = "error",
        [DIAG_WARNING] = "warning",
        [DIAG_NOTE] = "note",
};
ENUM_TO_STRING(diag_level, DiagLevel, _DIAG_LEVEL_MAX)

int loc_format(Loc loc, char *buf, size_t size) {
        if (!loc.src) /* not about any input: the program speaks for itself */
                return snprintf(buf, size, "%s", program_invocation_short_name);
        if (loc.line == 0)
                return snprintf(buf, size, "%s", loc.src->name);
        return snprintf(buf, size, "%s:%u:%u", loc.src->name, loc.line, loc.col);
}

/* The text of line `line` (1-based) of src, without its newline. */
static const char *source_line(const Source *src, unsigned line, size_t *ret_len) {
        if (!src)
                return NULL;
        if (!src->text || line == 0)
                return NULL;
        const char *p = src->text, *end = src->text + src->len;
        for (unsigned l = 1; l < line; l++) {
                p = memchr(p, '\n', (size_t) (end - p));
                if (!p)
                        return NULL;
                p++;
        }
        const char *e = memchr(p, '\n', (size_t) (end - p));
        *ret_len = (size_t) ((e ? e : end) - p);
        return p;
}

void diags_print(const Diags *d, FILE *f, bool color) {
        for (size_t i = 0; i < d->n; i++) {
                const Diag *g = &d->items[i];
                char where[512];
                loc_format(g->loc, where, sizeof(where));
                const char *c = !color ? "" : g->level == DIAG_ERROR ? "\033[1;31m" : g->level == DIAG_WARNING ? "\033[1;35m" : "\033[1;36m";
                fprintf(f, "%s: %s%s:%s %s\n", where, c, diag_level_to_string(g->level), color ? "\033[0m" : "", g->msg);
                size_t len;
                const char *line = source_line(g->loc.src, g->loc.line, &len);
                if (!line)
                        continue;
                if (len > 200)
                        len = 200;
                fprintf(f, " %5u | ", g->loc.line);
                for (size_t k = 0; k < len; k++) /* never echo control bytes back to a terminal */
                        fputc((unsigned char) line[k] < 0x20 && line[k] != '\t' ? '?' : line[k], f);
                fputs("\n       | ", f);
                for (unsigned k = 1; k < g->loc.col && k <= len; k++)
                        fputc(line[k - 1] == '\t' ? '\t' : ' ', f);
                fprintf(f, "%s^%s\n", color ? "\033[1;32m" : "", color ? "\033[0m" : "");
        }
}

void loc_to_json(Loc loc, JsonWriter *w) {
        json_kv_string(w, "file", loc.src ? loc.src->name : NULL);
        json_kv_uint(w, "line", loc.line);
        json_kv_uint(w, "column", loc.col);
}

void diags_print_json(const Diags *d, FILE *f) {
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_RECORDS);
        json_array_begin(&w);
        for (size_t i = 0; i < d->n; i++) {
                const Diag *g = &d->items[i];
                json_object_begin(&w);
                loc_to_json(g->loc, &w);
                json_kv_string(&w, "severity", diag_level_to_string(g->level));
                json_kv_string(&w, "message", g->msg);
                json_object_end(&w);
        }
        json_array_end(&w);
        sb_putc(&b, '\n');
        fputs(b.s, f);
        sb_free(&b);
}

void diags_move(Diags *dst, Diags *src) {
        if (dst->n + src->n > dst->cap) {
                dst->cap = dst->n + src->n;
                dst->items = xreallocarray(dst->items, dst->cap, sizeof(Diag));
        }
        if (src->n)
                memcpy(dst->items + dst->n, src->items, src->n * sizeof(Diag));
        dst->n += src->n;
        dst->n_errors += src->n_errors;
        dst->n_warnings += src->n_warnings;
        free(src->items);
        *src = (Diags) { .werror = src->werror };
}

void diags_prefix(Diags *d, size_t from, const char *fmt, ...) {
        if (from >= d->n)
                return;
        StrBuf prefix = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&prefix, fmt, ap);
        va_end(ap);
        for (size_t i = from; i < d->n; i++) {
                StrBuf b = {};
                sb_printf(&b, "%s%s", prefix.s ? prefix.s : "", d->items[i].msg);
                free(d->items[i].msg);
                d->items[i].msg = sb_take(&b, NULL);
        }
        sb_free(&prefix);
}

void diags_clear(Diags *d) {
        for (size_t i = 0; i < d->n; i++)
                free(d->items[i].msg);
        free(d->items);
        *d = (Diags) {};
}

const char *loc_source_line(Loc loc, size_t *ret_len) {
        return source_line(loc.src, loc.line, ret_len);
}
