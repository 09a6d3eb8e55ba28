/* SPDX-License-Identifier: MIT */
/* The one JSON writer: nesting-aware separators and RFC 8259 string quoting that always yields valid UTF-8. */
#include "json.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "utf8.h"

void json_quoten(StrBuf *b, const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *end = p + n;
        sb_putc(b, '"');
        while (p < end) {
                const unsigned char *run = p; /* copy runs that need no escaping at once */
                while (p < end && *p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\')
                        p++;
                if (p > run)
                        sb_appendn(b, (const char *) run, (size_t) (p - run));
                if (p == end)
                        break;
                unsigned char c = *p;
                if (c >= 0x80) {
                        size_t len = utf8_sequence_length(p, (size_t) (end - p));
                        if (len == 0) {
                                sb_append(b, "\\ufffd");
                                p++;
                        } else if (len == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                                sb_printf(b, "\\u%04x", p[2] == 0xA8 ? 0x2028 : 0x2029);
                                p += 3;
                        } else {
                                sb_appendn(b, (const char *) p, len);
                                p += len;
                        }
                        continue;
                }
                switch (c) {
                case '"': sb_append(b, "\\\""); break;
                case '\\': sb_append(b, "\\\\"); break;
                case '\n': sb_append(b, "\\n"); break;
                case '\t': sb_append(b, "\\t"); break;
                case '\r': sb_append(b, "\\r"); break;
                case '\b': sb_append(b, "\\b"); break;
                case '\f': sb_append(b, "\\f"); break;
                default: sb_printf(b, "\\u%04x", c); break; /* other controls and DEL */
                }
                p++;
        }
        sb_putc(b, '"');
}

void json_quote(StrBuf *b, const char *s) {
        json_quoten(b, s, strlen(s));
}

JsonWriter json_writer(StrBuf *out, JsonFlags flags) {
        return (JsonWriter) { .out = out, .flags = flags };
}

JsonWriter json_writer_inside(StrBuf *out, JsonFlags flags, unsigned depth, bool innermost_has_items) {
        assert(!(flags & JSON_RECORDS) && depth <= JSON_MAX_DEPTH);
        JsonWriter w = { .out = out, .flags = flags, .depth = depth };
        for (unsigned i = 0; i < depth; i++)
                w.has_items[i] = i + 1 < depth || innermost_has_items;
        return w;
}

static void newline(JsonWriter *w) {
        static const char indent[] = "\n" "                                                                "; /* 2 * JSON_MAX_DEPTH */
        static_assert(sizeof(indent) == 2 * JSON_MAX_DEPTH + 2, "a newline and the deepest indentation");
        sb_appendn(w->out, indent, 1 + (size_t) w->depth * (w->flags & JSON_PRETTY ? 2 : 1));
}

/* Whether the items of the container open at depth go on lines of their own. */
static bool lines_at(const JsonWriter *w, unsigned depth) {
        if (w->flags & JSON_PRETTY)
                return true;
        return (w->flags & JSON_RECORDS) && (w->compact_from == 0 || depth < w->compact_from);
}

/* Before any value or key: the separator from the previous member, if any. */
static void before_item(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->depth == 0)
                return;
        bool pretty = lines_at(w, w->depth);
        if (w->has_items[w->depth - 1])
                sb_append(w->out, pretty ? "," : ", ");
        w->has_items[w->depth - 1] = true;
        if (pretty)
                newline(w);
}

static void container_open(JsonWriter *w, char c) {
        bool element = w->depth > 0 && !w->after_key; /* an element of an array: a record */
        before_item(w);
        assert(w->depth < JSON_MAX_DEPTH);
        sb_putc(w->out, c);
        w->has_items[w->depth++] = false;
        if ((w->flags & JSON_RECORDS) && element && w->compact_from == 0)
                w->compact_from = w->depth;
}

static void container_close(JsonWriter *w, char c) {
        assert(w->depth > 0 && !w->after_key);
        bool lines = lines_at(w, w->depth);
        if (w->compact_from == w->depth)
                w->compact_from = 0;
        bool had = w->has_items[--w->depth];
        if (had && lines)
                newline(w);
        sb_putc(w->out, c);
}

void json_object_begin(JsonWriter *w) {
        container_open(w, '{');
}

void json_object_end(JsonWriter *w) {
        container_close(w, '}');
}

void json_array_begin(JsonWriter *w) {
        container_open(w, '[');
}

void json_array_end(JsonWriter *w) {
        container_close(w, ']');
}

void json_key(JsonWriter *w, const char *key) {
        before_item(w);
        json_quote(w->out, key);
        sb_append(w->out, ": ");
        w->after_key = true;
}

void json_stringn(JsonWriter *w, const char *s, size_t n) {
        before_item(w);
        json_quoten(w->out, s, n);
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        json_stringn(w, s, strlen(s));
}

void json_int(JsonWriter *w, int64_t v) {
        before_item(w);
        sb_printf(w->out, "%lld", (long long) v);
}

void json_uint(JsonWriter *w, uint64_t v) {
        before_item(w);
        sb_append_uint(w->out, v);
}

void json_double(JsonWriter *w, double v) {
        if (!isfinite(v)) {
                json_null(w);
                return;
        }
        before_item(w);
        sb_printf(w->out, "%.17g", v);
}

void json_double_fixed(JsonWriter *w, double v, unsigned decimals) {
        assert(decimals <= 17);
        if (!isfinite(v)) {
                json_null(w);
                return;
        }
        before_item(w);
        sb_printf(w->out, "%.*f", (int) decimals, v);
}

void json_bool(JsonWriter *w, bool v) {
        json_raw(w, v ? "true" : "false");
}

void json_null(JsonWriter *w) {
        json_raw(w, "null");
}

void json_raw(JsonWriter *w, const char *json) {
        before_item(w);
        sb_append(w->out, json);
}

void json_kv_string(JsonWriter *w, const char *key, const char *s) {
        json_key(w, key);
        json_string(w, s);
}

void json_kv_int(JsonWriter *w, const char *key, int64_t v) {
        json_key(w, key);
        json_int(w, v);
}

void json_kv_uint(JsonWriter *w, const char *key, uint64_t v) {
        json_key(w, key);
        json_uint(w, v);
}

void json_kv_double(JsonWriter *w, const char *key, double v) {
        json_key(w, key);
        json_double(w, v);
}

void json_kv_bool(JsonWriter *w, const char *key, bool v) {
        json_key(w, key);
        json_bool(w, v);
}
