/* SPDX-License-Identifier: MIT */
/* Quoting user values safely in messages: control bytes escaped, long values shortened. */
#include "util/escape.h"

#include <stdio.h>
#include <string.h>

const char *escape_value(char *buf, size_t size, const char *s) {
        size_t o = 0;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                char tmp[8];
                if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 controls */
                        snprintf(tmp, sizeof(tmp), "\\u%04x", p[1]), p++;
                else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) /* line, paragraph separator */
                        snprintf(tmp, sizeof(tmp), "\\u%04x", 0x2000 + p[2] - 0x80), p += 2;
                else if (*p == '\n')
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
