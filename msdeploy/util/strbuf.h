/* SPDX-License-Identifier: MIT */
/* Growable byte buffer for rendering text. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct StrBuf {
        char *s;   /* always NUL-terminated once anything was appended */
        size_t len;
        size_t cap;
} StrBuf;

/* Makes room for extra more bytes (and the NUL). */
void sb_reserve(StrBuf *b, size_t extra);

/* The appends are inline: rendering calls them for every few bytes it writes. */
static inline void sb_appendn(StrBuf *b, const char *s, size_t n) {
        if (b->len + n + 1 > b->cap)
                sb_reserve(b, n);
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = 0;
}
static inline void sb_append(StrBuf *b, const char *s) {
        sb_appendn(b, s, strlen(s));
}
static inline void sb_putc(StrBuf *b, char c) {
        if (b->len + 2 > b->cap)
                sb_reserve(b, 1);
        b->s[b->len++] = c;
        b->s[b->len] = 0;
}
void sb_append_uint(StrBuf *b, uint64_t v);
void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the buffer over (never NULL), leaving b empty. */
char *sb_take(StrBuf *b, size_t *ret_len);
void sb_free(StrBuf *b);
