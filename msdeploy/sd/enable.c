/* SPDX-License-Identifier: MIT */
/* Offline enablement: the symlinks `systemctl --root DIR enable UNIT` makes, from a unit file's [Install]. */
#include "sd/enable.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

typedef struct Ctx {
        Arena *arena;
        const char *unit_dir, *unit;
        const char *default_instance;
        size_t di_len;
        char *instance_name; /* the unit name the links carry */
        SdLink **links;
        size_t *n;
} Ctx;

static void add_link(Ctx *c, const char *dir, size_t dir_len, const char *name, size_t name_len) {
        size_t *n = c->n;
        if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) /* it holds 4, or the next power of two of *n: full */
                *c->links = xreallocarray(*c->links, *n ? *n * 2 : 4, sizeof(SdLink));
        SdLink *l = &(*c->links)[(*n)++];
        size_t ud = strlen(c->unit_dir), un = strlen(c->unit);
        const char *unit_dir = c->unit_dir, *unit = c->unit;
        char *p = l->path = arena_alloc(c->arena, ud + dir_len + name_len + 3); /* UNIT_DIR/[DIR/]NAME */
        p = mempcpy(p, unit_dir, ud);
        *p++ = '/';
        if (dir) {
                p = mempcpy(p, dir, dir_len);
                *p++ = '/';
        }
        *(char *) mempcpy(p, name, name_len) = 0;
        char *t = l->target = arena_alloc(c->arena, ud + un + 3); /* /UNIT_DIR/UNIT */
        *t++ = '/';
        t = mempcpy(t, unit_dir, ud);
        *t++ = '/';
        *(char *) mempcpy(t, unit, un) = 0;
}

/* The value after "KEY=" when line (of len bytes) sets key, else NULL. */
static const char *value_of(const char *line, size_t len, const char *key, size_t *ret_len) {
        size_t k = strlen(key);
        if (len <= k || strncmp(line, key, k) != 0 || line[k] != '=')
                return NULL;
        *ret_len = len - k - 1;
        return line + k + 1;
}

/* Calls fn for each line of the [Install] sections of text (a section runs to the next line starting with '['). */
static void each_install_line(const char *text, void (*fn)(const char *line, size_t len, void *ud), void *ud) {
        for (const char *at = text; (at = strstr(at, "[Install]"));) {
                bool header = (at == text || at[-1] == '\n') && (at[9] == '\n' || at[9] == 0);
                at += 9;
                if (!header)
                        continue;
                for (const char *line = *at ? at + 1 : at; *line && *line != '[';) {
                        const char *end = strchrnul(line, '\n');
                        if (end > line)
                                fn(line, (size_t) (end - line), ud);
                        line = *end ? end + 1 : end;
                }
        }
}

static void on_default_instance(const char *line, size_t len, void *ud) {
        Ctx *c = ud;
        size_t n;
        const char *v = value_of(line, len, "DefaultInstance", &n);
        if (v) {
                c->default_instance = v;
                c->di_len = n;
        }
}

/* Each word of a list value, separated by spaces or tabs. */
static void on_words(Ctx *c, const char *v, size_t n, const char *suffix) {
        const char *end = v + n;
        while (v < end) {
                while (v < end && (*v == ' ' || *v == '\t'))
                        v++;
                const char *w = v;
                while (v < end && *v != ' ' && *v != '\t')
                        v++;
                if (v == w)
                        break;
                size_t wl = (size_t) (v - w);
                if (!suffix) /* Alias=: the alias itself */
                        add_link(c, NULL, 0, w, wl);
                else {
                        size_t sl = strlen(suffix);
                        _cleanup_free_ char *dir = xmalloc(wl + sl + 1); /* TARGET.wants */
                        *(char *) mempcpy(mempcpy(dir, w, wl), suffix, sl) = 0;
                        add_link(c, dir, wl + sl, c->instance_name, strlen(c->instance_name));
                }
        }
}

static void on_link_line(const char *line, size_t len, void *ud) {
        Ctx *c = ud;
        size_t n;
        const char *v;
        if ((v = value_of(line, len, "WantedBy", &n)))
                on_words(c, v, n, ".wants");
        else if ((v = value_of(line, len, "RequiredBy", &n)))
                on_words(c, v, n, ".requires");
        else if ((v = value_of(line, len, "Alias", &n)))
                on_words(c, v, n, NULL);
}

void sd_install_links(Arena *a, const char *unit_dir, const char *unit, const char *text, SdLink **links, size_t *n_links) {
        /* [Install] is read twice: DefaultInstance= may follow WantedBy= */
        Ctx c = { .arena = a, .unit_dir = unit_dir, .unit = unit, .links = links, .n = n_links };
        each_install_line(text, on_default_instance, &c);
        const char *at = strchr(unit, '@');
        if (at && at[1] == '.') {
                if (!c.default_instance)
                        return; /* a template without DefaultInstance= is enabled per instance */
                if (asprintf(&c.instance_name, "%.*s%.*s%s", (int) (at - unit + 1), unit, (int) c.di_len, c.default_instance, at + 1) < 0)
                        xoom();
        } else
                c.instance_name = xstrdup(unit);
        each_install_line(text, on_link_line, &c);
        free(c.instance_name);
}
