/* SPDX-License-Identifier: MIT */
/* NULL-terminated vectors of malloc'ed strings. */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void strv_free(char **v) {
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

bool strv_contains(char *const *v, const char *s) {
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

void strv_push(char ***v, char *s_take) {
        size_t n = strv_length(*v);
        *v = xreallocarray(*v, n + 2, sizeof(char *));
        (*v)[n] = s_take;
        (*v)[n + 1] = NULL;
}

void strv_push_copy(char ***v, const char *s) {
        strv_push(v, xstrdup(s));
}

static int str_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort(char **v) {
        qsort(v, strv_length(v), sizeof(char *), str_cmp);
}
