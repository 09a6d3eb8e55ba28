/* SPDX-License-Identifier: MIT */
/* Growable byte buffer for rendering text. */
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

void sb_reserve(StrBuf *b, size_t extra) {
        if (b->len + extra + 1 <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1)
                cap *= 2;
        b->s = xrealloc(b->s, cap);
        b->cap = cap;
}

void sb_append_uint(StrBuf *b, uint64_t v) {
        char buf[24], *p = buf + sizeof(buf);
        do
                *--p = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        sb_appendn(b, p, (size_t) (buf + sizeof(buf) - p));
}

void sb_vprintf(StrBuf *b, const char *fmt, va_list ap) {
        /* format straight into the free space; only when it does not fit, grow and format again */
        if (b->cap - b->len < 64)
                sb_reserve(b, 64);
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, aq);
        va_end(aq);
        if (n < 0) {
                b->s[b->len] = 0;
                return;
        }
        if ((size_t) n >= b->cap - b->len) {
                sb_reserve(b, (size_t) n);
                vsnprintf(b->s + b->len, (size_t) n + 1, fmt, ap);
        }
        b->len += (size_t) n;
}

void sb_printf(StrBuf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(b, fmt, ap);
        va_end(ap);
}

char *sb_take(StrBuf *b, size_t *ret_len) {
        sb_reserve(b, 0);
        b->s[b->len] = 0;
        char *s = b->s;
        if (ret_len)
                *ret_len = b->len;
        *b = (StrBuf) {};
        return s;
}

void sb_free(StrBuf *b) {
        free(b->s);
        *b = (StrBuf) {};
}
