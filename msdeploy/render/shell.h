/* SPDX-License-Identifier: MIT */
/* Shell quoting for values the renderers interpolate into generated bash scripts. */
#pragma once
#include "util/strbuf.h"

/* Appends s as one shell word: bare when it only holds characters no shell treats specially,
 * else in single quotes with each ' written as '\''. The empty string becomes ''. */
void shell_quote(StrBuf *b, const char *s);

/* One line of a generated script: indent, then each word of the NULL-terminated list quoted. */
void shell_line(StrBuf *b, const char *indent, const char *word, ...) __attribute__((sentinel));
/* "NAME=value" and a newline, value quoted; name is a constant identifier. */
void shell_assign(StrBuf *b, const char *name, const char *value);
