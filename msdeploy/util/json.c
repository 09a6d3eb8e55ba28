/* SPDX-License-Identifier: MIT */
/* Minimal JSON string quoting for machine-readable output. */
#include "json.h"

#include <string.h>

void json_quote(StrBuf *b, const char *s) {
        sb_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                size_t plain = strcspn((const char *) p, "\"\\\n\t\r\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                          "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f");
                if (plain) { /* copy runs that need no escaping at once */
                        sb_appendn(b, (const char *) p, plain);
                        p += plain;
                        if (!*p)
                                break;
                }
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
