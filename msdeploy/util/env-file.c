/* SPDX-License-Identifier: MIT */
/* Reading an environment file the way systemd's EnvironmentFile= reads it (src/basic/env-file.c,
 * parse_env_file_internal()), for what msd-supervisor gives its workers. */
#include "util/env-file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/strv.h"
#include "util/xalloc.h"

static bool key_char(char c, bool first) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* Sets name (n_name bytes)=value in l, replacing an earlier name. */
static void assign(char ***l, const char *name, size_t n_name, const char *value) {
        char *kv = xasprintf("%.*s=%s", (int) n_name, name, value);
        for (char **p = *l; *p; p++)
                if (strncmp(*p, kv, n_name + 1) == 0) {
                        free(*p);
                        *p = kv;
                        return;
                }
        strv_push(l, kv);
}

void env_assign(char ***vars, const char *name, const char *value) {
        if (!*vars)
                *vars = xcalloc(1, sizeof(char *));
        assign(vars, name, strlen(name), value);
}

int env_file_parse(const char *text, char ***vars, unsigned *ret_line) {
        char **l = xcalloc(1, sizeof(char *)); /* a copy of *vars: on failure it stays as it was */
        for (char **v = *vars; v && *v; v++)
                strv_push_copy(&l, *v);
        unsigned line = 1;
        const char *p = text;
        while (*p) {
                unsigned start = line;
                p += strspn(p, " \t\r");
                if (*p == '\n' || *p == '#' || *p == ';' || !*p) { /* blank line or comment */
                        p += strcspn(p, "\n");
                        if (*p)
                                p++, line++;
                        continue;
                }
                const char *key = p;
                while (key_char(*p, p == key))
                        p++;
                size_t n_key = (size_t) (p - key);
                p += strspn(p, " \t");
                if (n_key == 0 || *p != '=')
                        goto fail;
                p++;
                p += strspn(p, " \t");
                StrBuf v = {};
                sb_append(&v, "");
                if (*p == '"' || *p == '\'') {
                        char quote = *p++;
                        for (; *p && *p != quote; p++) {
                                if (*p == '\n')
                                        line++;
                                if (quote == '"' && *p == '\\' && p[1] == '\n') {
                                        p++, line++;
                                        continue;
                                }
                                if (quote == '"' && *p == '\\' && p[1] && strchr("\"\\`$", p[1]))
                                        p++;
                                sb_putc(&v, *p);
                        }
                        if (!*p) {
                                sb_free(&v);
                                line = start;
                                goto fail;
                        }
                        p++;
                        p += strspn(p, " \t\r");
                        if (*p && *p != '\n') { /* text after the closing quote */
                                sb_free(&v);
                                goto fail;
                        }
                } else {
                        size_t trailing = 0; /* whitespace at the end of a bare value is dropped */
                        for (; *p && *p != '\n'; p++) {
                                if (*p == '\\' && p[1]) {
                                        if (p[1] == '\n')
                                                line++;
                                        else
                                                sb_putc(&v, p[1]);
                                        p++;
                                        trailing = 0;
                                        continue;
                                }
                                sb_putc(&v, *p);
                                trailing = strchr(" \t\r", *p) ? trailing + 1 : 0;
                        }
                        v.len -= trailing;
                        v.s[v.len] = 0;
                }
                assign(&l, key, n_key, v.s);
                sb_free(&v);
                if (*p)
                        p++, line++;
        }
        strv_free(*vars);
        *vars = l;
        return (int) strv_length(l);
fail:
        strv_free(l);
        if (ret_line)
                *ret_line = line;
        return -EINVAL;
}
