/* SPDX-License-Identifier: MIT */
/* Quoting of one field of a sysusers.d(5) or tmpfiles.d(5) line. */
#pragma once
#include "util/strbuf.h"

/* Both parsers split words with C-style unquoting and expand %-specifiers in every field:
 * bare when s only holds harmless characters, else double-quoted with \\ and \" escaped;
 * '%' is always doubled. The empty string becomes "". */
void sdfield_quote(StrBuf *b, const char *s);
