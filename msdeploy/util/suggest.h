/* SPDX-License-Identifier: MIT */
/* "Did you mean": the closest candidate to a misspelt word. */
#pragma once
#include <stddef.h>

size_t edit_distance(const char *a, const char *b);
/* Candidates are read from a NULL-terminated array of structs whose first field (at stride bytes
 * apart) is a const char *; for a plain string array stride is sizeof(char *). NULL if none is close. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t stride);
