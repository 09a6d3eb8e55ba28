/* SPDX-License-Identifier: MIT */
/* Shell quoting for values the renderers interpolate into generated bash scripts. */
#pragma once
#include "util/strbuf.h"

/* Appends s as one shell word: bare when it only holds characters no shell treats specially,
 * else in single quotes with each ' written as '\''. The empty string becomes ''. */
void shell_quote(StrBuf *b, const char *s);
