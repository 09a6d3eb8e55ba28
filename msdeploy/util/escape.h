/* SPDX-License-Identifier: MIT */
/* Quoting user values safely in messages: control bytes escaped, long values shortened. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Writes s into buf with control characters as \n, \t, \xNN (C1 controls, U+2028, U+2029, U+FEFF and the
 * noncharacters U+FDD0-U+FDEF, U+FFFE, U+FFFF, U+1FFFE, ... as \uNNNN or \UNNNNNNNN: invisible or unprintable) and at most size-1 bytes ("..."
 * when cut). */
const char *escape_value(char *buf, size_t size, const char *s);
/* Whether s is non-empty and made only of ASCII letters, digits and characters of punct: a word a writer may
 * leave unquoted when punct lists the characters its format gives no meaning. */
bool escape_word_plain(const char *s, const char *punct);
