/* SPDX-License-Identifier: MIT */
/* Minimal JSON string quoting for machine-readable output. */
#pragma once
#include "strbuf.h"

void json_quote(StrBuf *b, const char *s);
