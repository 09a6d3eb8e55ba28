/* SPDX-License-Identifier: MIT */
/* Offline enablement: the symlinks `systemctl --root DIR enable UNIT` makes, from a unit file's [Install]. */
#include "sd/enable.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void add_link(const char *unit_dir, const char *dir, const char *name, const char *unit, SdLink **links, size_t *n) {
        *links = xreallocarray(*links, *n + 1, sizeof(SdLink));
        SdLink *l = &(*links)[(*n)++];
        if (asprintf(&l->path, "%s/%s%s%s", unit_dir, dir ? dir : "", dir ? "/" : "", name) < 0 ||
            asprintf(&l->target, "/%s/%s", unit_dir, unit) < 0)
                xoom();
}

/* Each word of a space-separated list value. */
static void each_word(const char *value, void (*fn)(const char *word, void *ud), void *ud) {
        _cleanup_free_ char *copy = xstrdup(value);
        char *save = NULL;
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                fn(w, ud);
}

typedef struct Ctx {
        const char *unit_dir, *unit, *suffix;
        char *instance_name; /* the unit name the links carry */
        SdLink **links;
        size_t *n;
} Ctx;

static void on_wanted(const char *w, void *ud) {
        Ctx *c = ud;
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s%s", w, c->suffix) < 0)
                xoom();
        add_link(c->unit_dir, dir, c->instance_name, c->unit, c->links, c->n);
}

static void on_alias(const char *w, void *ud) {
        Ctx *c = ud;
        add_link(c->unit_dir, NULL, w, c->unit, c->links, c->n);
}

void sd_install_links(const char *unit_dir, const char *unit, const char *text, SdLink **links, size_t *n_links) {
        /* [Install] is read twice: DefaultInstance= may follow WantedBy= */
        const char *default_instance = NULL;
        size_t di_len = 0;
        for (int pass = 0; pass < 2; pass++) {
                bool install = false;
                Ctx c = { unit_dir, unit, NULL, NULL, links, n_links };
                const char *at = strchr(unit, '@');
                if (pass == 1) {
                        if (at && at[1] == '.' && !default_instance)
                                return; /* a template without DefaultInstance= is enabled per instance */
                        if (at && at[1] == '.') {
                                if (asprintf(&c.instance_name, "%.*s%.*s%s", (int) (at - unit + 1), unit, (int) di_len, default_instance,
                                             at + 1) < 0)
                                        xoom();
                        } else
                                c.instance_name = xstrdup(unit);
                }
                for (const char *line = text; line && *line;) {
                        const char *end = strchrnul(line, '\n');
                        size_t len = (size_t) (end - line);
                        if (len && line[0] == '[')
                                install = len == 9 && strncmp(line, "[Install]", 9) == 0;
                        else if (install) {
                                _cleanup_free_ char *l = strndup(line, len);
                                if (!l)
                                        xoom();
                                const char *v;
                                if (pass == 0 && strncmp(l, "DefaultInstance=", 16) == 0) {
                                        default_instance = line + 16;
                                        di_len = len - 16;
                                } else if (pass == 1 && (v = strchr(l, '='))) {
                                        size_t k = (size_t) (v - l);
                                        if (k == 8 && strncmp(l, "WantedBy", 8) == 0)
                                                c.suffix = ".wants", each_word(v + 1, on_wanted, &c);
                                        else if (k == 10 && strncmp(l, "RequiredBy", 10) == 0)
                                                c.suffix = ".requires", each_word(v + 1, on_wanted, &c);
                                        else if (k == 5 && strncmp(l, "Alias", 5) == 0)
                                                each_word(v + 1, on_alias, &c);
                                }
                        }
                        line = *end ? end + 1 : end;
                }
                free(c.instance_name);
        }
}
