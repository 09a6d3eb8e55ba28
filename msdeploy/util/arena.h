/* SPDX-License-Identifier: MIT */
/* Region allocator: everything built from one spec (nodes, model, strings) lives and dies together. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
Arena *arena_free(Arena *a);
/* Moves everything other holds into a (to be freed with it) and frees other. */
void arena_adopt(Arena *a, Arena *other);
/* Zeroed memory; aborts on out-of-memory (an arena cannot report partial failure sanely). */
void *arena_alloc(Arena *a, size_t size);
void *arena_alloc_array(Arena *a, size_t n, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
