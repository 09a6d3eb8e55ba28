/* SPDX-License-Identifier: MIT */
/* A tiny deterministic block-style YAML emitter for the generated configuration files. */
#include "render/yaml_writer.h"
#include "util/json.h"

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

/* Starts with a digit or sign and holds only number-ish characters: ints, floats, hex, octal,
 * sexagesimal and timestamps all look like this. Quoting a few harmless strings too is fine. */
static bool yaml_numberish(const char *s) {
        if (!strchr("0123456789+-.", s[0]))
                return false;
        return strspn(s, "0123456789abcdefABCDEFxXoO._:+- ") == strlen(s);
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

void yaml_quote(StrBuf *b, const char *s) {
        if (yaml_plain_ok(s)) {
                sb_append(b, s);
                return;
        }
        json_quote(b, s); /* a JSON string is a valid YAML double-quoted scalar */
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
