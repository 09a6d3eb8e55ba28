/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition format (version 0.0.4) written into a StrBuf. */
#pragma once
#include <stdbool.h>

#include "util/strbuf.h"

#define SV_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* [a-zA-Z_:][a-zA-Z0-9_:]* */
bool sv_prom_name_is_valid(const char *name);
/* [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" */
bool sv_prom_label_name_is_valid(const char *name);

/* "# HELP name help" and "# TYPE name type"; call once per family, before its samples. type is "gauge",
 * "counter" (or "untyped"); help may be NULL. */
void sv_prom_family(StrBuf *b, const char *name, const char *type, const char *help);
/* name{key="value",...} value; labels is NULL or a NULL-terminated key, value, key, value... array. */
void sv_prom_sample(StrBuf *b, const char *name, const char *const *labels, double value);
/* A value as Prometheus spells it: integers without exponent, "NaN", "+Inf", "-Inf". */
void sv_prom_value(StrBuf *b, double value);
