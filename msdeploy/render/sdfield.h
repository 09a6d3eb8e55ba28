/* SPDX-License-Identifier: MIT */
/* Quoting of one field of a sysusers.d(5) or tmpfiles.d(5) line. */
#pragma once
#include "util/diag.h"
#include "util/strbuf.h"

/* Both parsers split words with C-style unquoting and expand %-specifiers in every field, then read a field of
 * "-" (or "") as unset:
 *   written bare when s only holds harmless characters, else double-quoted with \\ and \" escaped;
 *   '%' is always doubled; the empty string becomes "";
 *   "-" cannot be written: quoted ('"-"') or escaped ('\x2d') it is still unquoted to '-' before the check, so
 *   sdfield_quote() refuses it (-EINVAL, nothing appended). A field meant unset is written as a bare '-' by the
 *   caller. */
int sdfield_quote(StrBuf *b, const char *s);
/* sdfield_quote(), a refused value reported in d at loc ("WHAT 'VALUE' cannot be written: CONSUMER reads ...") and
 * kept as the first error in *error. */
void sdfield_put(StrBuf *b, const char *s, Diags *d, Loc loc, const char *what, const char *consumer, int *error);
