/* SPDX-License-Identifier: MIT */
/* Quoting user values safely in messages: control bytes escaped, long values shortened. */
#include "util/escape.h"

#include <stdio.h>
#include <string.h>

const char *escape_value(char *buf, size_t size, const char *s) {
        size_t o = 0;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                char tmp[5];
                if (*p == '\n')
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
