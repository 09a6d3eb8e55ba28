/* SPDX-License-Identifier: MIT */
/* Quoting of one field of a sysusers.d(5) or tmpfiles.d(5) line. */
#include "render/sdfield.h"

#include "util/escape.h"

void sdfield_quote(StrBuf *b, const char *s) {
        if (escape_word_plain(s, "_./:@+,=-")) {
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
