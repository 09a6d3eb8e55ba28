/* SPDX-License-Identifier: MIT */
/* Quoting of one field of a sysusers.d(5) or tmpfiles.d(5) line. */
#include "render/sdfield.h"

#include <errno.h>
#include <string.h>

#include "util/escape.h"

int sdfield_quote(StrBuf *b, const char *s) {
        if (strcmp(s, "-") == 0)
                return -EINVAL;
        if (escape_word_plain(s, "_./:@+,=-")) {
                sb_append(b, s);
                return 0;
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
        return 0;
}

void sdfield_put(StrBuf *b, const char *s, Diags *d, Loc loc, const char *what, const char *consumer, int *error) {
        if (sdfield_quote(b, s) >= 0)
                return;
        char shown[128];
        diag_error(d, loc, "%s '%s' cannot be written: %s reads a field of '-' as unset", what, escape_value(shown, sizeof(shown), s),
                   consumer);
        if (*error == 0)
                *error = -EINVAL;
}
