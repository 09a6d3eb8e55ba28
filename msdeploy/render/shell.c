/* SPDX-License-Identifier: MIT */
/* Shell quoting for values the renderers interpolate into generated bash scripts. */
#include "render/shell.h"

#include <stdbool.h>
#include <string.h>

/* Characters that never start an expansion, a glob, a redirection, an assignment or a word split. */
static bool shell_safe(const char *s) {
        if (!*s)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("_./:@%+,-", *p)))
                        return false;
        return true;
}

void shell_quote(StrBuf *b, const char *s) {
        if (shell_safe(s)) {
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
