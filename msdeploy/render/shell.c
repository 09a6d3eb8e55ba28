/* SPDX-License-Identifier: MIT */
/* Shell quoting for values the renderers interpolate into generated bash scripts. */
#include "render/shell.h"

#include <stdarg.h>

#include "util/escape.h"

void shell_quote(StrBuf *b, const char *s) {
        /* punctuation that never starts an expansion, a glob, a redirection, an assignment or a word split; ','
         * is not among it: bash reads it literally, but shellcheck takes a bare comma in an array for a
         * separator (SC2054) */
        if (escape_word_plain(s, "_./:@%+-")) {
                sb_append(b, s);
                return;
        }
        sb_putc(b, '\'');
        for (const char *p = s; *p; p++) {
                if (*p == '\'')
                        sb_append(b, "'\\''");
                else
                        sb_putc(b, *p);
        }
        sb_putc(b, '\'');
}

void shell_line(StrBuf *b, const char *indent, const char *word, ...) {
        va_list ap;
        va_start(ap, word);
        sb_append(b, indent);
        for (const char *w = word; w; w = va_arg(ap, const char *)) {
                if (w != word)
                        sb_putc(b, ' ');
                shell_quote(b, w);
        }
        va_end(ap);
        sb_putc(b, '\n');
}

void shell_assign(StrBuf *b, const char *name, const char *value) {
        sb_printf(b, "%s=", name);
        /* a bare word of letters and digits may be a command's name (PROJECT=wc), which shellcheck takes for a
         * forgotten $(...) (SC2209): quoted, it is plainly a string */
        if (*value && escape_word_plain(value, "_"))
                sb_printf(b, "'%s'", value);
        else
                shell_quote(b, value);
        sb_putc(b, '\n');
}
