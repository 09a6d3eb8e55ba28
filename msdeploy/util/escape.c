/* SPDX-License-Identifier: MIT */
/* Quoting user values safely in messages: control bytes escaped, long values shortened. */
#include "util/escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

/* Whether the code point c is shown as \uNNNN: the C1 controls, the line and paragraph separators U+2028 and
 * U+2029, U+FEFF (invisible) and the noncharacters (U+FDD0-U+FDEF, U+FFFE and U+FFFF of every plane). */
static bool shown_escaped(uint32_t c) {
        return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0xfeff || (c >= 0xfdd0 && c <= 0xfdef) ||
               (c & 0xfffe) == 0xfffe;
}

const char *escape_value(char *buf, size_t size, const char *s) {
        size_t o = 0;
        const unsigned char *end = (const unsigned char *) s + strlen(s);
        for (const unsigned char *p = (const unsigned char *) s; p < end; p++) {
                char tmp[16];
                size_t len = *p >= 0x80 ? utf8_sequence_length(p, (size_t) (end - p)) : 1;
                uint32_t c = len > 1 ? utf8_code_point(p, len) : *p;
                if (len > 1) { /* one character, escaped or whole: a cut never splits it */
                        if (shown_escaped(c))
                                snprintf(tmp, sizeof(tmp), c > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned) c);
                        else
                                memcpy(tmp, p, len), tmp[len] = 0;
                        p += len - 1;
                } else if (*p == '\n')
                        strcpy(tmp, "\\n");
                else if (*p == '\t')
                        strcpy(tmp, "\\t");
                else if (*p < 0x20 || *p == 0x7f)
                        snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
                else
                        tmp[0] = (char) *p, tmp[1] = 0;
                size_t n = strlen(tmp);
                if (o + n + 4 > size) {
                        memcpy(buf + o, "...", 3);
                        o += 3;
                        break;
                }
                memcpy(buf + o, tmp, n);
                o += n;
        }
        buf[o] = 0;
        return buf;
}

bool escape_word_plain(const char *s, const char *punct) {
        if (!*s)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(punct, *p)))
                        return false;
        return true;
}
