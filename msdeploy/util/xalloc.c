/* SPDX-License-Identifier: MIT */
/* Allocation wrappers that abort on out-of-memory. */
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

_Noreturn void xoom(void) {
        fputs("msdeploy: out of memory\n", stderr);
        abort();
}

void *xmalloc(size_t size) {
        void *p = malloc(size ? size : 1);
        if (!p)
                xoom();
        return p;
}

void *xcalloc(size_t n, size_t size) {
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                xoom();
        return p;
}

void *xrealloc(void *p, size_t size) {
        p = realloc(p, size ? size : 1);
        if (!p)
                xoom();
        return p;
}

void *xreallocarray(void *p, size_t n, size_t size) {
        if (size && n > SIZE_MAX / size)
                xoom();
        return xrealloc(p, n * size);
}

char *xstrdup(const char *s) {
        char *p = strdup(s);
        if (!p)
                xoom();
        return p;
}

char *xstrndup(const char *s, size_t n) {
        char *p = strndup(s, n);
        if (!p)
                xoom();
        return p;
}

char *xasprintf(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *p;
        int r = vasprintf(&p, fmt, ap);
        va_end(ap);
        if (r < 0)
                xoom();
        return p;
}
