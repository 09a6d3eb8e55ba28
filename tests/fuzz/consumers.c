/* SPDX-License-Identifier: MIT */
/* The consumers of what msdeploy writes, re-implemented for the fuzz targets' read-back checks, and the targets'
 * shared helpers (see consumers.h). */
#include "consumers.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <yaml.h>

#include "util/strbuf.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xalloc.h"

_Noreturn void fuzz_violation(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("fuzz: invariant violated: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        fflush(stderr);
        va_end(ap);
        abort();
}

bool fuzz_skip_known(void) {
        static int skip = -1;
        if (skip < 0)
                skip = getenv("MSD_FUZZ_SKIP_KNOWN") != NULL;
        return skip;
}

const char *fuzz_memfd_path(const char *text, size_t n) {
        static int fd = -1;
        static char path[64];
        if (fd < 0) {
                fd = memfd_create("fuzz", MFD_CLOEXEC);
                if (fd < 0)
                        fuzz_violation("memfd_create: %m");
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        }
        if (ftruncate(fd, 0) < 0 || pwrite(fd, text, n, 0) != (ssize_t) n)
                fuzz_violation("writing the memfd: %m");
        return path;
}

bool utf8_valid(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *end = p + n;
        while (p < end) {
                size_t len = utf8_sequence_length(p, (size_t) (end - p));
                if (len == 0)
                        return false;
                p += len;
        }
        return true;
}

/* ---- systemd 252 -------------------------------------------------------------------------------------- */

static int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

static int unoctchar(char c) {
        return c >= '0' && c <= '7' ? c - '0' : -EINVAL;
}

static bool unichar_is_valid(uint32_t c) {
        return c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff);
}

/* cunescape_one() of src/basic/escape.c, length SIZE_MAX, accept_nul false */
static int cunescape_one(const char *p, uint32_t *ret, bool *eight_bit) {
        int r = 1;
        switch (p[0]) {
        case 'a': *ret = '\a'; break;
        case 'b': *ret = '\b'; break;
        case 'f': *ret = '\f'; break;
        case 'n': *ret = '\n'; break;
        case 'r': *ret = '\r'; break;
        case 't': *ret = '\t'; break;
        case 'v': *ret = '\v'; break;
        case '\\': *ret = '\\'; break;
        case '"': *ret = '"'; break;
        case '\'': *ret = '\''; break;
        case 's': *ret = ' '; break;
        case 'x': {
                int a = unhexchar(p[1]);
                if (a < 0)
                        return -EINVAL;
                int b = unhexchar(p[2]);
                if (b < 0)
                        return -EINVAL;
                if (a == 0 && b == 0)
                        return -EINVAL;
                *ret = (uint32_t) (a << 4) | (uint32_t) b;
                *eight_bit = true;
                r = 3;
                break;
        }
        case 'u':
        case 'U': {
                int digits = p[0] == 'u' ? 4 : 8;
                uint32_t c = 0;
                for (int i = 0; i < digits; i++) {
                        int a = unhexchar(p[1 + i]);
                        if (a < 0)
                                return -EINVAL;
                        c = (c << 4) | (uint32_t) a;
                }
                if (c == 0)
                        return -EINVAL;
                if (p[0] == 'U' && !unichar_is_valid(c))
                        return -EINVAL;
                *ret = c;
                r = 1 + digits;
                break;
        }
        case '0' ... '7': {
                int a = unoctchar(p[0]), b = unoctchar(p[1]), c = unoctchar(p[2]);
                if (a < 0 || b < 0 || c < 0)
                        return -EINVAL;
                if (a == 0 && b == 0 && c == 0)
                        return -EINVAL;
                uint32_t m = (uint32_t) (a << 6) | (uint32_t) (b << 3) | (uint32_t) c;
                if (m > 255)
                        return -EINVAL;
                *ret = m;
                *eight_bit = true;
                r = 3;
                break;
        }
        default:
                return -EINVAL;
        }
        return r;
}

/* utf8_encode_unichar() of src/basic/utf8.c */
static void utf8_encode(StrBuf *b, uint32_t c) {
        if (c < 0x80)
                sb_putc(b, (char) c);
        else if (c < 0x800) {
                sb_putc(b, (char) (0xc0 | (c >> 6)));
                sb_putc(b, (char) (0x80 | (c & 0x3f)));
        } else if (c < 0x10000) {
                sb_putc(b, (char) (0xe0 | (c >> 12)));
                sb_putc(b, (char) (0x80 | ((c >> 6) & 0x3f)));
                sb_putc(b, (char) (0x80 | (c & 0x3f)));
        } else {
                sb_putc(b, (char) (0xf0 | (c >> 18)));
                sb_putc(b, (char) (0x80 | ((c >> 12) & 0x3f)));
                sb_putc(b, (char) (0x80 | ((c >> 6) & 0x3f)));
                sb_putc(b, (char) (0x80 | (c & 0x3f)));
        }
}

/* The word so far: StrBuf holds no bytes until the first append, so "started" says whether a word exists. */
typedef struct Word {
        StrBuf b;
        bool started;
} Word;

static void word_putc(Word *w, char c) {
        w->started = true;
        sb_putc(&w->b, c);
}

static int word_finish(Word *w, char **ret) {
        if (!w->started) {
                *ret = NULL;
                return 0;
        }
        size_t len;
        *ret = sb_take(&w->b, &len);
        return 1;
}

int sd_extract_first_word(const char **p, char **ret, const char *separators, unsigned flags) {
        Word w = {};
        char quote = 0;
        bool backslash = false;
        if (!separators)
                separators = SD_WHITESPACE;
        if (!*p)
                return word_finish(&w, ret);
        char c = **p;
        /* skip leading separators */
        for (;; (*p)++, c = **p) {
                if (c == 0) {
                        *p = NULL;
                        return word_finish(&w, ret);
                }
                if (!strchr(separators, c)) {
                        w.started = true;
                        break;
                }
        }
        for (;; (*p)++, c = **p) {
                if (backslash) {
                        if (c == 0) {
                                if ((flags & SD_EXTRACT_UNESCAPE_RELAX) && quote == 0) {
                                        word_putc(&w, '\\');
                                        *p = NULL;
                                        return word_finish(&w, ret);
                                }
                                sb_free(&w.b);
                                return -EINVAL;
                        }
                        if (flags & SD_EXTRACT_CUNESCAPE) {
                                bool eight_bit = false;
                                uint32_t u;
                                int r = cunescape_one(*p, &u, &eight_bit);
                                if (r >= 0) {
                                        *p += r - 1;
                                        if (eight_bit)
                                                word_putc(&w, (char) u);
                                        else {
                                                w.started = true;
                                                utf8_encode(&w.b, u);
                                        }
                                } else if (flags & SD_EXTRACT_UNESCAPE_RELAX) {
                                        word_putc(&w, '\\');
                                        word_putc(&w, c);
                                } else {
                                        sb_free(&w.b);
                                        return -EINVAL;
                                }
                        } else
                                word_putc(&w, c);
                        backslash = false;
                } else if (quote) {
                        for (;; (*p)++, c = **p) {
                                if (c == 0) {
                                        sb_free(&w.b);
                                        return -EINVAL;
                                } else if (c == quote) {
                                        quote = 0;
                                        if (flags & SD_EXTRACT_UNQUOTE)
                                                break;
                                } else if (c == '\\' && !(flags & SD_EXTRACT_RETAIN_ESCAPE)) {
                                        backslash = true;
                                        break;
                                }
                                word_putc(&w, c);
                                if (quote == 0)
                                        break;
                        }
                } else {
                        for (;; (*p)++, c = **p) {
                                if (c == 0) {
                                        *p = NULL;
                                        return word_finish(&w, ret);
                                } else if ((c == '\'' || c == '"') && (flags & SD_EXTRACT_UNQUOTE)) {
                                        quote = c;
                                        break;
                                } else if (c == '\\' && !(flags & SD_EXTRACT_RETAIN_ESCAPE)) {
                                        backslash = true;
                                        break;
                                } else if (strchr(separators, c)) {
                                        for (;; (*p)++, c = **p) { /* coalesce separators */
                                                if (c == 0) {
                                                        *p = NULL;
                                                        return word_finish(&w, ret);
                                                }
                                                if (!strchr(separators, c))
                                                        break;
                                        }
                                        return word_finish(&w, ret);
                                }
                                word_putc(&w, c);
                        }
                }
        }
}

int sd_extract_words(const char *s, unsigned flags, char ***ret) {
        char **v = xcalloc(1, sizeof(char *));
        for (const char *p = s;;) {
                char *word;
                int r = sd_extract_first_word(&p, &word, NULL, flags);
                if (r < 0) {
                        strv_free(v);
                        return r;
                }
                if (r == 0)
                        break;
                strv_push(&v, word);
        }
        *ret = v;
        return (int) strv_length(v);
}

/* The specifiers systemd 252 knows in unit files (systemd.unit(5), "SPECIFIERS"), "%%" aside. */
static bool sd_specifier(char c) {
        return c && strchr("aAbBCdEfgGhHiIjJlLmMnNopPsStTuUvVwWyY", c);
}

char *sd_specifiers_resolve(const char *s, bool keep_specifiers) {
        StrBuf b = {};
        sb_append(&b, "");
        for (const char *p = s; *p; p++) {
                if (*p != '%') {
                        sb_putc(&b, *p);
                        continue;
                }
                p++;
                if (*p == '%')
                        sb_putc(&b, '%');
                else if (keep_specifiers && sd_specifier(*p)) {
                        sb_putc(&b, '%');
                        sb_putc(&b, *p);
                } else {
                        sb_free(&b);
                        return NULL;
                }
        }
        size_t len;
        return sb_take(&b, &len);
}

bool sd_env_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 4096 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        return true;
}

bool sd_env_value_valid(const char *s) {
        if (!utf8_valid(s, strlen(s)))
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) /* string_has_cc(s, "\t\n") */
                if ((*p < ' ' && *p != '\t' && *p != '\n') || *p == 0x7f)
                        return false;
        return true;
}

static char *strip(char *s) {
        s += strspn(s, SD_WHITESPACE);
        size_t n = strlen(s);
        while (n > 0 && strchr(SD_WHITESPACE, s[n - 1]))
                s[--n] = 0;
        return s;
}

void unit_lines_free(UnitLine *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].section);
                free(l[i].key);
                free(l[i].value);
        }
        free(l);
}

int unit_parse(const char *text, UnitLine **ret, const char **ret_why) {
        UnitLine *v = NULL;
        size_t n = 0;
        char *section = NULL;
        const char *why = NULL;
        if (!utf8_valid(text, strlen(text)))
                why = "invalid UTF-8";
        for (const char *p = text; !why && *p;) {
                size_t len = strcspn(p, "\n\r"); /* read_line(): "\n", "\r" and "\r\n" end a line */
                char *line = xstrndup(p, len);
                p += len + (p[len] == '\r' && p[len + 1] == '\n') + (p[len] != 0);
                char *l = strip(line);
                size_t ln = strlen(l);
                if (*l == 0 || *l == '#' || *l == ';') {
                        free(line);
                        continue;
                }
                size_t bs = 0; /* an odd run of backslashes at the end continues the line */
                while (bs < ln && l[ln - 1 - bs] == '\\')
                        bs++;
                char *eq = strchr(l, '=');
                if (bs % 2)
                        why = "a line continuation";
                else if (*l == '[') {
                        if (l[ln - 1] != ']' || ln < 3)
                                why = "a bad section header";
                        else {
                                free(section);
                                section = xstrndup(l + 1, ln - 2);
                        }
                } else if (!section)
                        why = "an assignment outside of a section";
                else if (!eq || eq == l)
                        why = "a line without 'KEY='";
                else {
                        *eq = 0;
                        char *key = strip(l);
                        if (strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(key))
                                why = "a key that is not a directive name";
                        else {
                                v = xreallocarray(v, n + 1, sizeof(UnitLine));
                                v[n++] = (UnitLine) { xstrdup(section), xstrdup(key), xstrdup(strip(eq + 1)) };
                        }
                }
                free(line);
        }
        free(section);
        if (why) {
                unit_lines_free(v, n);
                *ret_why = why;
                return -EINVAL;
        }
        *ret = v;
        return (int) n;
}

/* ---- POSIX shell ------------------------------------------------------------------------------------------ */

char *sh_read_word(const char *s) {
        StrBuf b = {};
        sb_append(&b, "");
        bool any = false;
        for (const char *p = s; *p;) {
                any = true;
                if (*p == '\'') {
                        const char *end = strchr(p + 1, '\'');
                        if (!end)
                                goto fail;
                        sb_appendn(&b, p + 1, (size_t) (end - p - 1));
                        p = end + 1;
                } else if (*p == '"') {
                        for (p++; *p != '"'; p++) {
                                if (*p == 0 || *p == '$' || *p == '`')
                                        goto fail;
                                if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
                                        p++;
                                        if (*p == '\n')
                                                continue;
                                }
                                sb_putc(&b, *p);
                        }
                        p++;
                } else if (*p == '\\') {
                        if (!p[1])
                                goto fail;
                        if (p[1] != '\n')
                                sb_putc(&b, p[1]);
                        p += 2;
                } else if (((unsigned char) *p >= 0x80) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                           (*p >= '0' && *p <= '9') || strchr("_./:@%+,=-", *p)) {
                        sb_putc(&b, *p);
                        p++;
                } else
                        goto fail; /* blanks, operators, expansions, globs, comments, tildes, braces */
        }
        if (!any)
                goto fail;
        size_t len;
        return sb_take(&b, &len);
fail:
        sb_free(&b);
        return NULL;
}

/* ---- JSON ------------------------------------------------------------------------------------------------ */

typedef struct JsonIn {
        const char *p, *end;
        unsigned depth;
} JsonIn;

static void json_ws(JsonIn *j) {
        while (j->p < j->end && strchr(" \t\n\r", *j->p))
                j->p++;
}

static int json_hex4(JsonIn *j, uint32_t *ret) {
        if (j->end - j->p < 4)
                return -EINVAL;
        uint32_t c = 0;
        for (int i = 0; i < 4; i++) {
                int h = unhexchar(j->p[i]);
                if (h < 0)
                        return -EINVAL;
                c = (c << 4) | (uint32_t) h;
        }
        j->p += 4;
        *ret = c;
        return 0;
}

/* A string literal at j->p; its value appended to b when b is not NULL. */
static int json_string_in(JsonIn *j, StrBuf *b) {
        if (j->p >= j->end || *j->p != '"')
                return -EINVAL;
        for (j->p++; j->p < j->end; ) {
                unsigned char c = (unsigned char) *j->p;
                if (c == '"') {
                        j->p++;
                        return 0;
                }
                if (c < 0x20)
                        return -EINVAL;
                if (c != '\\') {
                        size_t len = utf8_sequence_length((const unsigned char *) j->p, (size_t) (j->end - j->p));
                        if (len == 0)
                                return -EINVAL;
                        if (b)
                                sb_appendn(b, j->p, len);
                        j->p += len;
                        continue;
                }
                if (++j->p >= j->end)
                        return -EINVAL;
                const char *simple = strchr("\"\\/bfnrt", *j->p);
                if (simple && *j->p) {
                        if (b)
                                sb_putc(b, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
                        j->p++;
                        continue;
                }
                if (*j->p != 'u')
                        return -EINVAL;
                j->p++;
                uint32_t u;
                if (json_hex4(j, &u) < 0)
                        return -EINVAL;
                if (u >= 0xd800 && u < 0xdc00) { /* a surrogate pair */
                        uint32_t lo;
                        if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
                                return -EINVAL;
                        j->p += 2;
                        if (json_hex4(j, &lo) < 0 || lo < 0xdc00 || lo >= 0xe000)
                                return -EINVAL;
                        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                } else if (u >= 0xdc00 && u < 0xe000)
                        return -EINVAL;
                if (b)
                        utf8_encode(b, u);
        }
        return -EINVAL;
}

static int json_value_in(JsonIn *j);

static int json_number_in(JsonIn *j) {
        const char *s = j->p;
        if (j->p < j->end && *j->p == '-')
                j->p++;
        if (j->p < j->end && *j->p == '0')
                j->p++;
        else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
                while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                        j->p++;
        else
                return -EINVAL;
        if (j->p < j->end && *j->p == '.') {
                const char *d = ++j->p;
                while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                        j->p++;
                if (j->p == d)
                        return -EINVAL;
        }
        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
                j->p++;
                if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
                        j->p++;
                const char *d = j->p;
                while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                        j->p++;
                if (j->p == d)
                        return -EINVAL;
        }
        return j->p > s ? 0 : -EINVAL;
}

static int json_container_in(JsonIn *j, char close, bool object) {
        if (++j->depth > 512)
                return -EINVAL;
        j->p++;
        json_ws(j);
        if (j->p < j->end && *j->p == close) {
                j->p++;
                j->depth--;
                return 0;
        }
        for (;;) {
                json_ws(j);
                if (object) {
                        if (json_string_in(j, NULL) < 0)
                                return -EINVAL;
                        json_ws(j);
                        if (j->p >= j->end || *j->p != ':')
                                return -EINVAL;
                        j->p++;
                }
                if (json_value_in(j) < 0)
                        return -EINVAL;
                json_ws(j);
                if (j->p < j->end && *j->p == ',') {
                        j->p++;
                        continue;
                }
                if (j->p < j->end && *j->p == close) {
                        j->p++;
                        j->depth--;
                        return 0;
                }
                return -EINVAL;
        }
}

static int json_value_in(JsonIn *j) {
        json_ws(j);
        if (j->p >= j->end)
                return -EINVAL;
        static const char *const words[] = { "true", "false", "null" };
        for (size_t i = 0; i < 3; i++) {
                size_t n = strlen(words[i]);
                if ((size_t) (j->end - j->p) >= n && memcmp(j->p, words[i], n) == 0) {
                        j->p += n;
                        return 0;
                }
        }
        switch (*j->p) {
        case '"': return json_string_in(j, NULL);
        case '{': return json_container_in(j, '}', true);
        case '[': return json_container_in(j, ']', false);
        default: return json_number_in(j);
        }
}

bool json_valid(const char *text, size_t n) {
        JsonIn j = { text, text + n, 0 };
        if (json_value_in(&j) < 0)
                return false;
        json_ws(&j);
        return j.p == j.end;
}

char *json_read_string(const char *text, size_t n, size_t *ret_len) {
        JsonIn j = { text, text + n, 0 };
        StrBuf b = {};
        sb_append(&b, "");
        if (json_string_in(&j, &b) < 0 || j.p != j.end) {
                sb_free(&b);
                return NULL;
        }
        return sb_take(&b, ret_len);
}

/* ---- YAML ------------------------------------------------------------------------------------------------ */

char *yaml_read_value(const char *text, bool *ret_plain) {
        yaml_parser_t parser;
        yaml_event_t ev;
        char *value = NULL;
        unsigned scalars = 0;
        bool ok = true;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, strlen(text));
        for (bool done = false; !done && ok;) {
                if (!yaml_parser_parse(&parser, &ev)) {
                        ok = false;
                        break;
                }
                switch (ev.type) {
                case YAML_SCALAR_EVENT:
                        if (++scalars == 2) {
                                value = xstrndup((const char *) ev.data.scalar.value, ev.data.scalar.length);
                                if (strlen(value) != ev.data.scalar.length)
                                        ok = false; /* a NUL read back */
                                *ret_plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                        } else if (scalars > 2)
                                ok = false;
                        break;
                case YAML_SEQUENCE_START_EVENT:
                case YAML_ALIAS_EVENT:
                        ok = false;
                        break;
                case YAML_STREAM_END_EVENT:
                        done = true;
                        break;
                default:
                        break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
        if (!ok || scalars != 2) {
                free(value);
                return NULL;
        }
        return value;
}

bool yaml_valid(const char *text, size_t n) {
        yaml_parser_t parser;
        yaml_event_t ev;
        bool ok = true;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, n);
        for (bool done = false; !done;) {
                if (!yaml_parser_parse(&parser, &ev)) {
                        ok = false;
                        break;
                }
                done = ev.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
        return ok;
}

/* The implicit resolvers of YAML 1.1 (yaml.org/type: bool, null, int, float, timestamp, merge, value) and of YAML
 * 1.2's core schema. */
static const char *const yaml_typed_patterns[] = {
        "^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        "^(~|null|Null|NULL|)$",
        "^[-+]?0b[0-1_]+$",
        "^[-+]?0[0-7_]+$",
        "^[-+]?(0|[1-9][0-9_]*)$",
        "^[-+]?0x[0-9a-fA-F_]+$",
        "^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+$",
        "^[-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?$",
        "^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*$",
        "^[-+]?\\.(inf|Inf|INF)$",
        "^\\.(nan|NaN|NAN)$",
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?$",
        "^(<<|=)$",
        "^[-+]?[0-9]+$",
        "^0o[0-7]+$",
        "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
};

bool yaml_plain_is_typed(const char *s) {
        static regex_t re[sizeof(yaml_typed_patterns) / sizeof(yaml_typed_patterns[0])];
        static bool compiled;
        size_t n = sizeof(re) / sizeof(re[0]);
        if (!compiled) {
                for (size_t i = 0; i < n; i++)
                        if (regcomp(&re[i], yaml_typed_patterns[i], REG_EXTENDED | REG_NOSUB) != 0)
                                fuzz_violation("cannot compile '%s'", yaml_typed_patterns[i]);
                compiled = true;
        }
        for (size_t i = 0; i < n; i++)
                if (regexec(&re[i], s, 0, NULL, 0) == 0)
                        return true;
        return false;
}
