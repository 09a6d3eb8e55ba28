/* SPDX-License-Identifier: MIT */
/* UTF-8 validation, shared by the spec loader (which refuses invalid input) and the JSON writer (which replaces it). */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* The length of the valid UTF-8 sequence at p, with n bytes left (n >= 1): 1 for ASCII, 2 to 4 for a well-formed
 * multi-byte sequence, 0 for anything else (a stray continuation byte, an overlong form, a surrogate, a code point
 * above U+10FFFF, a sequence cut short), as RFC 3629's table of well-formed byte sequences says. */
size_t utf8_sequence_length(const unsigned char *p, size_t n);
/* The code point of the well-formed sequence of len bytes at p (len as utf8_sequence_length() gave it). */
uint32_t utf8_code_point(const unsigned char *p, size_t len);
