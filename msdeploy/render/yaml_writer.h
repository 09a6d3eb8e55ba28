/* SPDX-License-Identifier: MIT */
/* A tiny deterministic block-style YAML emitter for the generated configuration files. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "util/strbuf.h"
#include "util/units.h"

/* Writes into b; level counts two-space indentation steps. An item begun with yaml_item() puts
 * "- " in front of its first key. */
typedef struct YamlWriter {
        StrBuf *b;
        unsigned level;
        bool item_pending;
} YamlWriter;

/* Appends s as a scalar: plain when no YAML 1.1 or 1.2 parser can read it as anything but that
 * string (no indicator, number, boolean, null or timestamp look-alike), else double-quoted, with '"', '\\',
 * C0 and C1 controls, DEL, U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF written as escapes (\x85, \u2028):
 * libyaml refuses some of them raw and folds the line breaks among them. Bytes that are not UTF-8 become
 * U+FFFD. */
void yaml_quote(StrBuf *b, const char *s);

/* "key:" opening a nested mapping or sequence; yaml_end() closes it. */
void yaml_open(YamlWriter *y, const char *key);
/* "- " opening a mapping inside a sequence; yaml_end() closes it. */
void yaml_item(YamlWriter *y);
void yaml_end(YamlWriter *y);

void yaml_str(YamlWriter *y, const char *key, const char *value);   /* value NULL: "null" */
void yaml_uint(YamlWriter *y, const char *key, uint64_t value);
void yaml_double(YamlWriter *y, const char *key, double value);
void yaml_bool(YamlWriter *y, const char *key, bool value);
void yaml_duration(YamlWriter *y, const char *key, usec_t value); /* "30s", "1min 30s", "infinity" */
void yaml_empty_list(YamlWriter *y, const char *key);                /* "key: []" */
void yaml_list_str(YamlWriter *y, const char *value);                /* "- value" */
