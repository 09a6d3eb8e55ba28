/* SPDX-License-Identifier: MIT */
/* Quoting of one field of a sysusers.d(5) or tmpfiles.d(5) line. */
#include "render/sdfield.h"

#include <stdbool.h>
#include <string.h>

static bool sdfield_bare_ok(const char *s) {
        if (!*s)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("_./:@+,=-", *p)))
                        return false;
        return true;
}

void sdfield_quote(StrBuf *b, const char *s) {
        if (sdfield_bare_ok(s)) {
                sb_append(b, s);
                return;
        }
        sb_putc(b, '"');
        for (const char *p = s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        sb_putc(b, '\\');
                if (*p == '%')
                        sb_putc(b, '%');
                sb_putc(b, *p);
        }
        sb_putc(b, '"');
}
