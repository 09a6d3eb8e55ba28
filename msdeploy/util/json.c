/* SPDX-License-Identifier: MIT */
/* Minimal JSON string quoting for machine-readable output. */
#include "json.h"

void json_quote(StrBuf *b, const char *s) {
        sb_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"':
                        sb_append(b, "\\\"");
                        break;
                case '\\':
                        sb_append(b, "\\\\");
                        break;
                case '\n':
                        sb_append(b, "\\n");
                        break;
                case '\t':
                        sb_append(b, "\\t");
                        break;
                case '\r':
                        sb_append(b, "\\r");
                        break;
                default:
                        if (*p < 0x20)
                                sb_printf(b, "\\u%04x", *p);
                        else
                                sb_putc(b, (char) *p);
                }
        }
        sb_putc(b, '"');
}
