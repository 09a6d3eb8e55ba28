/* SPDX-License-Identifier: MIT */
/* NULL-terminated vectors of malloc'ed strings ("strv", as systemd calls them). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

void strv_free(char **v);
static inline void strv_freep(char ***v) {
        strv_free(*v);
}
size_t strv_length(char *const *v);
/* Whether s is one of the strings of v (NULL is the empty vector). */
bool strv_contains(char *const *v, const char *s);
/* Appends s, which v then owns; *v may be NULL (the empty vector). */
void strv_push(char ***v, char *s_take);
/* Appends a copy of s. */
void strv_push_copy(char ***v, const char *s);
/* Sorts v by strcmp(). */
void strv_sort(char **v);
