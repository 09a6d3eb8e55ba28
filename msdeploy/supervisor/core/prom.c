/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition format (version 0.0.4) written into a StrBuf. */
#include "supervisor/core/prom.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool name_char(char c, bool first, bool colon) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
               (!first && c >= '0' && c <= '9');
}

bool sv_prom_name_is_valid(const char *name) {
        if (!name || !*name)
                return false;
        for (const char *p = name; *p; p++)
                if (!name_char(*p, p == name, /* colon= */ true))
                        return false;
        return true;
}

bool sv_prom_label_name_is_valid(const char *name) {
        if (!name || !*name || strncmp(name, "__", 2) == 0)
                return false;
        for (const char *p = name; *p; p++)
                if (!name_char(*p, p == name, /* colon= */ false))
                        return false;
        return true;
}

/* HELP text escapes backslash and newline; label values also the double quote. */
static void append_escaped(StrBuf *b, const char *s, bool quote) {
        const char *special = quote ? "\\\"\n" : "\\\n";
        while (*s) {
                size_t plain = strcspn(s, special);
                sb_appendn(b, s, plain);
                s += plain;
                if (!*s)
                        break;
                sb_append(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\");
                s++;
        }
}

void sv_prom_family(StrBuf *b, const char *name, const char *type, const char *help) {
        assert(sv_prom_name_is_valid(name));
        assert(type);
        if (help) {
                sb_append(b, "# HELP ");
                sb_append(b, name);
                sb_putc(b, ' ');
                append_escaped(b, help, /* quote= */ false);
                sb_putc(b, '\n');
        }
        sb_append(b, "# TYPE ");
        sb_append(b, name);
        sb_putc(b, ' ');
        sb_append(b, type);
        sb_putc(b, '\n');
}

void sv_prom_value(StrBuf *b, double v) {
        if (isnan(v)) {
                sb_append(b, "NaN");
                return;
        }
        if (isinf(v)) {
                sb_append(b, v > 0 ? "+Inf" : "-Inf");
                return;
        }
        /* integral values within the exact range of a double: plain digits ("-0" becomes "0") */
        if (v == trunc(v) && fabs(v) <= 9007199254740992.0) {
                int64_t i = (int64_t) v;
                if (i < 0) {
                        sb_putc(b, '-');
                        sb_append_uint(b, (uint64_t) -i);
                } else
                        sb_append_uint(b, (uint64_t) i);
                return;
        }
        /* otherwise the shortest spelling that reads back as the same double */
        char buf[32];
        snprintf(buf, sizeof(buf), "%.15g", v);
        if (strtod(buf, NULL) != v)
                snprintf(buf, sizeof(buf), "%.17g", v);
        sb_append(b, buf);
}

void sv_prom_sample(StrBuf *b, const char *name, const char *const *labels, double value) {
        assert(sv_prom_name_is_valid(name));
        sb_append(b, name);
        if (labels && labels[0]) {
                sb_putc(b, '{');
                for (size_t i = 0; labels[i]; i += 2) {
                        assert(sv_prom_label_name_is_valid(labels[i]));
                        assert(labels[i + 1]); /* keys and values come in pairs */
                        if (i > 0)
                                sb_putc(b, ',');
                        sb_append(b, labels[i]);
                        sb_append(b, "=\"");
                        append_escaped(b, labels[i + 1], /* quote= */ true);
                        sb_putc(b, '"');
                }
                sb_putc(b, '}');
        }
        sb_putc(b, ' ');
        sv_prom_value(b, value);
        sb_putc(b, '\n');
}
