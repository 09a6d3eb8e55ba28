/* SPDX-License-Identifier: MIT */
/* Quoting user values safely in messages: control bytes escaped, long values shortened. */
#pragma once
#include <stddef.h>

/* Writes s into buf with control characters as \n, \t, \xNN and at most size-1 bytes ("..." when cut). */
const char *escape_value(char *buf, size_t size, const char *s);
