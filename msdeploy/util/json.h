/* SPDX-License-Identifier: MIT */
/* The one JSON writer for machine-readable output: a nesting-aware emitter that places commas, colons and
 * (optionally) newlines itself, so callers only say what comes next.
 *
 * Strings follow RFC 8259: '"', '\\' and control characters below 0x20 are escaped ("\n", "\t", "\r",
 * "\b", "\f" or "\u00XX"), DEL and U+2028/U+2029 as "\uXXXX" (JavaScript parsers treat them as line
 * breaks), and every byte sequence that is not valid UTF-8 (overlong forms, surrogates, code points
 * above U+10FFFF, truncated sequences) becomes U+FFFD, so the output is valid UTF-8 whatever the input.
 *
 *     JsonWriter w = json_writer(&buf, JSON_PRETTY);
 *     json_object_begin(&w);
 *     json_kv_string(&w, "status", "healthy");
 *     json_key(&w, "units");
 *     json_array_begin(&w);
 *     json_string(&w, "a.service");
 *     json_array_end(&w);
 *     json_object_end(&w);   // {"status": "healthy", "units": ["a.service"]}
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define JSON_MAX_DEPTH 32

typedef enum JsonFlags {
        JSON_COMPACT = 0,      /* one line: {"a": 1, "b": [1, 2]} */
        JSON_PRETTY = 1 << 0,  /* one member or element per line, indented by two spaces per level (as jq prints) */
        JSON_RECORDS = 1 << 1, /* lists of records, one per line: members and elements on their own lines, indented
                                * by one space per level, except inside a container that is an element of an array,
                                * which stays on its line, compact: [\n {"a": 1, "b": [2]},\n {"a": 3}\n] */
} JsonFlags;

typedef struct JsonWriter {
        StrBuf *out;
        JsonFlags flags;
        unsigned depth;
        bool has_items[JSON_MAX_DEPTH]; /* whether the container at each level has a member yet */
        bool after_key;                 /* a key was written; its value comes next, with no comma */
        unsigned compact_from;          /* JSON_RECORDS: the depth of the record being written (0: none) */
} JsonWriter;

JsonWriter json_writer(StrBuf *out, JsonFlags flags);
/* A writer that goes on with a document another writer began (JSON_PRETTY or JSON_COMPACT): depth containers are
 * open, each outer one with members written already, the innermost one too when innermost_has_items. What it
 * writes follows what the other wrote as one writer would have written it all. */
JsonWriter json_writer_inside(StrBuf *out, JsonFlags flags, unsigned depth, bool innermost_has_items);

void json_object_begin(JsonWriter *w);
void json_object_end(JsonWriter *w);
void json_array_begin(JsonWriter *w);
void json_array_end(JsonWriter *w);
void json_key(JsonWriter *w, const char *key);

void json_string(JsonWriter *w, const char *s); /* NULL writes null */
void json_stringn(JsonWriter *w, const char *s, size_t n);
void json_int(JsonWriter *w, int64_t v);
void json_uint(JsonWriter *w, uint64_t v);
void json_double(JsonWriter *w, double v); /* %.17g; NaN and infinities (not JSON) as null */
/* Exactly `decimals` digits after the point (at most 17), for a figure of known precision: 1.5 ms as 1.500
 * with 3; NaN and infinities as null. */
void json_double_fixed(JsonWriter *w, double v, unsigned decimals);
void json_bool(JsonWriter *w, bool v);
void json_null(JsonWriter *w);
/* A value the caller has already made valid JSON (a nested document rendered elsewhere). */
void json_raw(JsonWriter *w, const char *json);

void json_kv_string(JsonWriter *w, const char *key, const char *s);
void json_kv_int(JsonWriter *w, const char *key, int64_t v);
void json_kv_uint(JsonWriter *w, const char *key, uint64_t v);
void json_kv_double(JsonWriter *w, const char *key, double v);
void json_kv_bool(JsonWriter *w, const char *key, bool v);

/* Appends s as a JSON string literal (quotes included) to b, outside any writer. */
void json_quote(StrBuf *b, const char *s);
void json_quoten(StrBuf *b, const char *s, size_t n);
