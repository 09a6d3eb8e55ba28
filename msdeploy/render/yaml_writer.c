/* SPDX-License-Identifier: MIT */
/* A tiny deterministic block-style YAML emitter for the generated configuration files. */
#include "render/yaml_writer.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words YAML 1.1 resolves to booleans or null (any case). */
static bool yaml_special_word(const char *s) {
        static const char *const words[] = { "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~" };
        if (strlen(s) > 5)
                return false;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        return false;
}

/* Starts with a digit or sign and holds only the characters of YAML 1.1's and 1.2's implicit numbers and times:
 * ints (decimal, 0b binary, 0o and 0 octal, 0x hex, '_' separators, 190:20:30 sexagesimal), floats (1.5e+3, 1_000.5,
 * 20:30.15) and timestamps (2001-12-14, 2001-12-14T21:59:43.10Z, 2001-12-14t21:59:43.10-05:00,
 * 2001-12-14 21:59:43.10 -5). Quoting a few harmless strings too ("1abc") is fine. */
static bool yaml_numberish(const char *s) {
        if (!strchr("0123456789+-.", s[0]))
                return false;
        return strspn(s, "0123456789abcdefABCDEFxXoO._:+- tTzZ") == strlen(s);
}

static bool yaml_plain_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9') ||
              s[0] == '/' || s[0] == '_'))
                return false;
        for (const char *p = s; *p; p++) {
                bool word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
                if (!word && !strchr(" _./@%+=:-()", *p))
                        return false;
                if (*p == ':' && p[1] == ' ')
                        return false;
                if (*p == ' ' && p[1] == ' ')
                        return false;
        }
        return !yaml_special_word(s) && !yaml_numberish(s);
}

/* Appends YAML's escape for the code point c of a double-quoted scalar, or false when c may stand as it is. YAML
 * 1.1's printable set leaves out the C0 controls but tab and line breaks, DEL, the C1 controls (U+0080-U+009F),
 * U+FFFE and U+FFFF, and libyaml refuses them in a document; U+0085 (NEL), U+2028 and U+2029 are in it, but are
 * line breaks, folded inside a scalar; U+FEFF is a byte order mark to many readers. Escaped, each reads back as
 * itself. */
static bool yaml_escape(StrBuf *b, uint32_t c) {
        switch (c) {
        case '"': sb_append(b, "\\\""); return true;
        case '\\': sb_append(b, "\\\\"); return true;
        case '\n': sb_append(b, "\\n"); return true;
        case '\t': sb_append(b, "\\t"); return true;
        case '\r': sb_append(b, "\\r"); return true;
        default: break;
        }
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                sb_printf(b, "\\x%02X", (unsigned) c);
                return true;
        }
        if (c == 0x2028 || c == 0x2029 || c == 0xfeff || c == 0xfffe || c == 0xffff) {
                sb_printf(b, "\\u%04X", (unsigned) c);
                return true;
        }
        return false;
}

void yaml_quote(StrBuf *b, const char *s) {
        if (yaml_plain_ok(s)) {
                sb_append(b, s);
                return;
        }
        sb_putc(b, '"');
        const unsigned char *p = (const unsigned char *) s, *end = p + strlen(s);
        while (p < end) {
                size_t len = utf8_sequence_length(p, (size_t) (end - p));
                if (len == 0) { /* not UTF-8 (spec values always are): U+FFFD, as the JSON writer does */
                        sb_append(b, "\\uFFFD");
                        p++;
                } else if (!yaml_escape(b, utf8_code_point(p, len)))
                        sb_appendn(b, (const char *) p, len);
                p += len;
        }
        sb_putc(b, '"');
}

/* Indentation for the next line, turning the last step into "- " when an item was just begun. */
static void yaml_indent(YamlWriter *y) {
        for (unsigned i = 0; i < y->level; i++)
                sb_append(y->b, i + 1 == y->level && y->item_pending ? "- " : "  ");
        y->item_pending = false;
}

/* libyaml takes an implicit ("KEY: value") key of at most 1024 characters; a longer one is written in the explicit
 * form ("? KEY" then ": value" on the next line), which has no limit. */
#define YAML_IMPLICIT_KEY_MAX 1000

static void yaml_key(YamlWriter *y, const char *key) {
        StrBuf q = {};
        yaml_quote(&q, key);
        unsigned level = y->level;
        yaml_indent(y);
        if (q.len <= YAML_IMPLICIT_KEY_MAX)
                sb_append(y->b, q.s);
        else {
                sb_append(y->b, "? ");
                sb_append(y->b, q.s);
                sb_putc(y->b, '\n');
                for (unsigned i = 0; i < level; i++)
                        sb_append(y->b, "  ");
        }
        sb_putc(y->b, ':');
        sb_free(&q);
}

void yaml_open(YamlWriter *y, const char *key) {
        yaml_key(y, key);
        sb_putc(y->b, '\n');
        y->level++;
}

void yaml_item(YamlWriter *y) {
        y->level++;
        y->item_pending = true;
}

void yaml_end(YamlWriter *y) {
        if (y->level > 0)
                y->level--;
        y->item_pending = false;
}

void yaml_str(YamlWriter *y, const char *key, const char *value) {
        yaml_key(y, key);
        sb_putc(y->b, ' ');
        if (value)
                yaml_quote(y->b, value);
        else
                sb_append(y->b, "null");
        sb_putc(y->b, '\n');
}

void yaml_uint(YamlWriter *y, const char *key, uint64_t value) {
        yaml_key(y, key);
        sb_putc(y->b, ' ');
        sb_append_uint(y->b, value);
        sb_putc(y->b, '\n');
}

void yaml_double(YamlWriter *y, const char *key, double value) {
        yaml_key(y, key);
        if (isnan(value)) {
                sb_append(y->b, " .nan\n");
                return;
        }
        if (isinf(value)) {
                sb_append(y->b, value > 0 ? " .inf\n" : " -.inf\n");
                return;
        }
        /* The shortest spelling that reads back as the same double: 0.2, not 0.20000000000000001. */
        char buf[32];
        for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof(buf), "%.*g", prec, value);
                if (strtod(buf, NULL) == value)
                        break;
        }
        sb_printf(y->b, " %s\n", buf);
}

void yaml_bool(YamlWriter *y, const char *key, bool value) {
        yaml_key(y, key);
        sb_append(y->b, value ? " true\n" : " false\n");
}

void yaml_duration(YamlWriter *y, const char *key, usec_t value) {
        char buf[64];
        yaml_str(y, key, format_duration(buf, sizeof(buf), value));
}

void yaml_empty_list(YamlWriter *y, const char *key) {
        yaml_key(y, key);
        sb_append(y->b, " []\n");
}

void yaml_list_str(YamlWriter *y, const char *value) {
        yaml_indent(y);
        sb_append(y->b, "- ");
        yaml_quote(y->b, value);
        sb_putc(y->b, '\n');
}
