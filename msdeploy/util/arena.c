/* SPDX-License-Identifier: MIT */
/* Region allocator: bump allocation in growing blocks, freed all at once. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

typedef struct Block {
        struct Block *next;
        size_t used, size;
        max_align_t data[];
} Block;

struct Arena {
        Block *head;
};

Arena *arena_new(void) {
        return xcalloc(1, sizeof(Arena));
}

Arena *arena_free(Arena *a) {
        if (!a)
                return NULL;
        for (Block *b = a->head, *next; b; b = next) {
                next = b->next;
                free(b);
        }
        free(a);
        return NULL;
}

void arena_adopt(Arena *a, Arena *other) {
        Block *last = other->head;
        while (last && last->next)
                last = last->next;
        if (last) { /* behind a's current block, which allocation goes on filling */
                Block **at = a->head ? &a->head->next : &a->head;
                last->next = *at;
                *at = other->head;
        }
        other->head = NULL;
        arena_free(other);
}

void *arena_alloc(Arena *a, size_t size) {
        size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
        if (size == 0)
                size = sizeof(max_align_t);
        Block *b = a->head;
        if (!b || b->size - b->used < size) {
                size_t bsize = 1024 * 1024; /* above malloc's mmap threshold: fresh pages come zeroed */
                while (bsize < size)
                        bsize *= 2;
                b = xcalloc(1, sizeof(Block) + bsize); /* zeroed once here: bump allocation never reuses memory */
                b->used = 0;
                b->size = bsize;
                b->next = a->head;
                a->head = b;
        }
        void *p = (char *) b->data + b->used;
        b->used += size;
        return p;
}

void *arena_alloc_array(Arena *a, size_t n, size_t size) {
        if (size && n > SIZE_MAX / size)
                xoom();
        return arena_alloc(a, n * size);
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
        char *p = arena_alloc(a, n + 1);
        memcpy(p, s, n);
        return p; /* p[n] is already 0 */
}

char *arena_strdup(Arena *a, const char *s) {
        return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(Arena *a, const char *fmt, va_list ap) {
        char small[256]; /* most results fit: format once, then copy */
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(small, sizeof(small), fmt, aq);
        va_end(aq);
        if (n < 0)
                xoom();
        if ((size_t) n < sizeof(small))
                return arena_strndup(a, small, (size_t) n);
        char *p = arena_alloc(a, (size_t) n + 1);
        vsnprintf(p, (size_t) n + 1, fmt, ap);
        return p;
}

char *arena_printf(Arena *a, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *p = arena_vprintf(a, fmt, ap);
        va_end(ap);
        return p;
}

