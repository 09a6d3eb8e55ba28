/* SPDX-License-Identifier: MIT */
/* msdeploy's own JSON documents read into the loader's node tree by a strict JSON reader (RFC 8259): one
 * pass over the text, no copy of it, bounded nesting. The 10,000-service manifest (11 MB) is read in a
 * tenth of the time libyaml took, which the plan of every apply pays. */
#include "install/doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"
#include "util/xalloc.h"

typedef struct Reader {
        Arena *arena;
        const Source *src;
        const char *p, *end;
        const char *line_start;   /* for the column of a message */
        unsigned line;
        StrBuf scratch;           /* a string with escapes, decoded */
        Diags *d;
        bool failed;
} Reader;

static void fail(Reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(Reader *r, const char *fmt, ...) {
        if (r->failed)
                return;
        r->failed = true;
        char why[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        /* the document's own source dies with it: the place is in the message */
        diag_error(r->d, (Loc) {}, "%s: not a JSON object: %u:%u: %s", r->src->name, r->line, (unsigned) (r->p - r->line_start) + 1, why);
}

static Loc here(const Reader *r) {
        return (Loc) { r->src, r->line, (unsigned) (r->p - r->line_start) + 1 };
}

static void skip_space(Reader *r) {
        for (; r->p < r->end; r->p++) {
                if (*r->p == '\n') {
                        r->line++;
                        r->line_start = r->p + 1;
                } else if (*r->p != ' ' && *r->p != '\t' && *r->p != '\r')
                        break;
        }
}

static int hex4(const char *p, unsigned *ret) {
        unsigned v = 0;
        for (int i = 0; i < 4; i++) {
                char c = p[i];
                unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0')
                             : c >= 'a' && c <= 'f' ? (unsigned) (c - 'a' + 10)
                             : c >= 'A' && c <= 'F' ? (unsigned) (c - 'A' + 10)
                                                    : 16u;
                if (d == 16)
                        return -EINVAL;
                v = v * 16 + d;
        }
        *ret = v;
        return 0;
}

static void put_utf8(StrBuf *b, unsigned cp) {
        if (cp < 0x80)
                sb_putc(b, (char) cp);
        else if (cp < 0x800) {
                sb_putc(b, (char) (0xc0 | cp >> 6));
                sb_putc(b, (char) (0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
                sb_putc(b, (char) (0xe0 | cp >> 12));
                sb_putc(b, (char) (0x80 | ((cp >> 6) & 0x3f)));
                sb_putc(b, (char) (0x80 | (cp & 0x3f)));
        } else {
                sb_putc(b, (char) (0xf0 | cp >> 18));
                sb_putc(b, (char) (0x80 | ((cp >> 12) & 0x3f)));
                sb_putc(b, (char) (0x80 | ((cp >> 6) & 0x3f)));
                sb_putc(b, (char) (0x80 | (cp & 0x3f)));
        }
}

/* The escape after a backslash at r->p (pointing at the letter), decoded into scratch. */
static void read_escape(Reader *r) {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *e = r->p < r->end ? strchr(from, *r->p) : NULL;
        if (e && *e) {
                sb_putc(&r->scratch, to[e - from]);
                r->p++;
                return;
        }
        unsigned cp, low;
        if (r->p >= r->end || *r->p != 'u' || r->end - r->p < 5 || hex4(r->p + 1, &cp) < 0)
                return fail(r, "invalid escape in a string");
        r->p += 5;
        if (cp >= 0xd800 && cp < 0xdc00) { /* a surrogate pair: the low half must follow */
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || hex4(r->p + 2, &low) < 0 || low < 0xdc00 || low >= 0xe000)
                        return fail(r, "a lone UTF-16 surrogate in a string");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                r->p += 6;
        } else if (cp >= 0xdc00 && cp < 0xe000)
                return fail(r, "a lone UTF-16 surrogate in a string");
        if (cp == 0)
                return fail(r, "a NUL character in a string");
        put_utf8(&r->scratch, cp);
}

/* A string at r->p (the opening quote), copied into the arena. */
static const char *read_string(Reader *r) {
        const char *start = ++r->p;
        bool escaped = false;
        sb_free(&r->scratch);
        while (r->p < r->end && !r->failed) {
                unsigned char c = (unsigned char) *r->p;
                if (c == '"')
                        break;
                if (c < 0x20) {
                        fail(r, "a control character in a string");
                        break;
                }
                if (c == '\\') {
                        if (!escaped)
                                sb_appendn(&r->scratch, start, (size_t) (r->p - start));
                        escaped = true;
                        r->p++;
                        read_escape(r);
                        continue;
                }
                size_t n = c < 0x80 ? 1 : utf8_sequence_length((const unsigned char *) r->p, (size_t) (r->end - r->p));
                if (n == 0) {
                        fail(r, "invalid UTF-8 in a string");
                        break;
                }
                if (escaped)
                        sb_appendn(&r->scratch, r->p, n);
                r->p += n;
        }
        if (r->failed)
                return NULL;
        if (r->p >= r->end) {
                fail(r, "a string is not closed");
                return NULL;
        }
        const char *s = escaped ? arena_strndup(r->arena, r->scratch.s ? r->scratch.s : "", r->scratch.len)
                                : arena_strndup(r->arena, start, (size_t) (r->p - start));
        r->p++;
        return s;
}

/* A number as JSON writes it (-? int frac? exp?), kept as text. */
static const char *read_number(Reader *r) {
        const char *start = r->p, *q = r->p;
        if (q < r->end && *q == '-')
                q++;
        const char *digits = q;
        while (q < r->end && *q >= '0' && *q <= '9')
                q++;
        bool ok = q > digits && !(*digits == '0' && q - digits > 1);
        if (ok && q < r->end && *q == '.') {
                const char *f = ++q;
                while (q < r->end && *q >= '0' && *q <= '9')
                        q++;
                ok = q > f;
        }
        if (ok && q < r->end && (*q == 'e' || *q == 'E')) {
                q++;
                if (q < r->end && (*q == '+' || *q == '-'))
                        q++;
                const char *e = q;
                while (q < r->end && *q >= '0' && *q <= '9')
                        q++;
                ok = q > e;
        }
        if (!ok) {
                fail(r, "invalid number");
                return NULL;
        }
        r->p = q;
        return arena_strndup(r->arena, start, (size_t) (q - start));
}

static bool literal(Reader *r, const char *word) {
        size_t n = strlen(word);
        if ((size_t) (r->end - r->p) < n || memcmp(r->p, word, n) != 0)
                return false;
        r->p += n;
        return true;
}

static Node *read_value(Reader *r, unsigned depth);

static void on_duplicate(void *userdata, const NodePair *first, const NodePair *again) {
        Reader *r = userdata;
        (void) again;
        fail(r, "key '%.100s' given twice", first->key);
}

static Node *read_object(Reader *r, unsigned depth) {
        Loc loc = here(r);
        NodeBuilder b = {};
        r->p++;
        skip_space(r);
        bool first = true;
        while (!r->failed && (r->p >= r->end || *r->p != '}')) {
                if (!first) {
                        if (r->p >= r->end || *r->p != ',') {
                                fail(r, "expected ',' or '}' in an object");
                                break;
                        }
                        r->p++;
                        skip_space(r);
                }
                first = false;
                if (r->p >= r->end || *r->p != '"') {
                        fail(r, "expected a key (a string)");
                        break;
                }
                Loc key_loc = here(r);
                const char *key = read_string(r);
                skip_space(r);
                if (!r->failed && (r->p >= r->end || *r->p != ':'))
                        fail(r, "expected ':' after a key");
                if (r->failed)
                        break;
                r->p++;
                Node *v = read_value(r, depth + 1);
                if (v)
                        nb_pair(&b, (NodePair) { key, key_loc, v });
                skip_space(r);
        }
        Node *m = nb_map(r->arena, &b, loc, on_duplicate, r);
        if (r->failed)
                return NULL;
        r->p++;
        return m;
}

static Node *read_array(Reader *r, unsigned depth) {
        Loc loc = here(r);
        NodeBuilder b = {};
        r->p++;
        skip_space(r);
        bool first = true;
        while (!r->failed && (r->p >= r->end || *r->p != ']')) {
                if (!first) {
                        if (r->p >= r->end || *r->p != ',') {
                                fail(r, "expected ',' or ']' in an array");
                                break;
                        }
                        r->p++;
                }
                first = false;
                Node *v = read_value(r, depth + 1);
                if (v)
                        nb_item(&b, v);
                skip_space(r);
        }
        Node *s = nb_seq(r->arena, &b, loc);
        if (r->failed)
                return NULL;
        r->p++;
        return s;
}

static Node *read_value(Reader *r, unsigned depth) {
        skip_space(r);
        if (depth > LOAD_MAX_DEPTH) {
                fail(r, "nested deeper than %u levels", LOAD_MAX_DEPTH);
                return NULL;
        }
        if (r->p >= r->end) {
                fail(r, "the text ends where a value must be");
                return NULL;
        }
        Loc loc = here(r);
        const char *s = NULL;
        bool quoted = *r->p == '"';
        switch (*r->p) {
        case '{':
                return read_object(r, depth);
        case '[':
                return read_array(r, depth);
        case '"':
                s = read_string(r);
                break;
        default:
                if (literal(r, "null"))
                        return node_new(r->arena, NODE_NULL, loc);
                if (literal(r, "true"))
                        s = "true";
                else if (literal(r, "false"))
                        s = "false";
                else if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
                        s = read_number(r);
                else
                        fail(r, "unexpected character '%c'", *r->p >= 0x20 && *r->p < 0x7f ? *r->p : '?');
        }
        if (!s)
                return NULL;
        Node *n = node_new(r->arena, NODE_SCALAR, loc);
        n->scalar = s;
        n->quoted = quoted;
        return n;
}

int doc_parse(const char *name, const char *text, size_t len, Doc *ret, Diags *d) {
        *ret = (Doc) { arena_new(), source_new(name, xstrdup(""), 0), NULL };
        Reader r = { .arena = ret->arena, .src = ret->src, .p = text, .end = text + len, .line_start = text, .line = 1,
                     .d = d };
        skip_space(&r);
        if (r.p < r.end && *r.p != '{')
                fail(&r, "the document is not an object");
        Node *root = r.failed ? NULL : read_value(&r, 1);
        skip_space(&r);
        if (!r.failed && r.p < r.end)
                fail(&r, "text after the end of the document");
        sb_free(&r.scratch);
        if (r.failed || !root) {
                doc_done(ret);
                return -EBADMSG;
        }
        ret->root = root;
        return 0;
}

void doc_done(Doc *d) {
        source_free(d->src);
        arena_free(d->arena);
        *d = (Doc) {};
}
