/* SPDX-License-Identifier: MIT */
/* Growable byte buffer for rendering text. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StrBuf {
        char *s;   /* always NUL-terminated once anything was appended */
        size_t len;
        size_t cap;
} StrBuf;

void sb_append(StrBuf *b, const char *s);
void sb_appendn(StrBuf *b, const char *s, size_t n);
void sb_putc(StrBuf *b, char c);
void sb_append_uint(StrBuf *b, uint64_t v);
void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the buffer over (never NULL), leaving b empty. */
char *sb_take(StrBuf *b, size_t *ret_len);
void sb_free(StrBuf *b);
