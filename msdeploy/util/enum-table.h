/* SPDX-License-Identifier: MIT */
/* Enum string tables: one table of names per enum gives both foo_to_string() and foo_from_string().
 *
 *     static const char *const color_table[_COLOR_MAX] = {
 *             [COLOR_RED] = "red",
 *             [COLOR_DARK_GREEN] = "dark-green",
 *     };
 *     ENUM_STRING_TABLE(color, Color, _COLOR_MAX)
 *
 * defines const char *color_to_string(Color c), NULL for a value outside the table, and
 * Color color_from_string(const char *s), _COLOR_INVALID (which must be -1) for NULL or a string not in
 * the table. ENUM_TO_STRING() defines color_to_string() alone, for an enum no text is read back into.
 * A table declared one entry longer than _COLOR_MAX ends in NULL, so it doubles as a NULL-terminated
 * list of the names (the schema's S_ENUM values). Entries left NULL (a value without a name) match nothing. */
#pragma once
#include <stddef.h>
#include <string.h>

/* The index of s among the first n entries of table, or -1. */
static inline int enum_table_find(const char *const *table, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return (int) i;
        return -1;
}

#define ENUM_TO_STRING(name, type, max)                                                     \
        const char *name##_to_string(type v) {                                               \
                return (size_t) v < (size_t) (max) ? name##_table[v] : NULL;                  \
        }

#define ENUM_STRING_TABLE(name, type, max)                                                  \
        ENUM_TO_STRING(name, type, max)                                                      \
        type name##_from_string(const char *s) {                                             \
                return (type) enum_table_find(name##_table, (size_t) (max), s);               \
        }
