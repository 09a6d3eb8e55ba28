/* SPDX-License-Identifier: MIT */
/* UTF-8 validation by RFC 3629's table of well-formed byte sequences. */
#include "utf8.h"

size_t utf8_sequence_length(const unsigned char *p, size_t n) {
        unsigned char c = p[0];
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c < 0x80)
                return 1;
        if (c >= 0xC2 && c <= 0xDF)
                len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0)
                        lo = 0xA0; /* overlong */
                else if (c == 0xED)
                        hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0)
                        lo = 0x90; /* overlong */
                else if (c == 0xF4)
                        hi = 0x8F; /* above U+10FFFF */
        } else
                return 0;
        if (n < len || p[1] < lo || p[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (p[i] < 0x80 || p[i] > 0xBF)
                        return 0;
        return len;
}

uint32_t utf8_code_point(const unsigned char *p, size_t len) {
        static const unsigned char lead_bits[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
        uint32_t c = p[0] & lead_bits[len];
        for (size_t i = 1; i < len; i++)
                c = c << 6 | (p[i] & 0x3f);
        return c;
}
