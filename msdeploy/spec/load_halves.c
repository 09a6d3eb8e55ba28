/* SPDX-License-Identifier: MIT */
/* A large spec read in two halves side by side. Nearly all of a large spec is one top-level block mapping
 * (services:), so the text is cut before one of that block's keys near its middle: the head (up to the cut) is
 * parsed on this thread; the rest of the block, and the tail after it (the next top-level keys), on another, each
 * as a document of its own whose lines are numbered as in the whole text. The trees are then joined: the block's
 * keys of both halves in order, the tail's keys after the head's.
 *
 * Only a text the cut cannot change is read this way: no directive, no second document marker, no line break but
 * '\n' (libyaml numbers lines at the others too), no anchor or alias, a block of plain keys at one indentation, and every part parsed without a single diagnostic
 * (a quoted string or a flow collection running across the cut leaves the head unfinished, which is an error) and
 * no key given twice across it. Anything else is parsed whole, and that parse says what there is to say. */
#include "spec/load_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "util/twin.h"

/* Where a text is cut: before a key of the block mapping of a top-level key. */
typedef struct Cut {
        unsigned key_line;        /* the number of the top-level "KEY:" line */
        size_t mid;               /* the first byte of the second half: a line with a key of KEY's block */
        unsigned mid_lines;       /* lines before it */
        size_t tail;              /* the first top-level line after it, or the text's length */
        unsigned tail_lines;      /* lines before it */
} Cut;

static bool key_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '@' ||
               c == '/';
}

/* Whether the line at p (after its indentation, end is its end) starts with a plain key: "key:" then a space or the
 * end of the line; for a top-level key whose block follows, nothing but a comment after the colon. */
static bool key_line(const char *p, const char *end, bool block_follows) {
        if (p == end || !key_char(*p) || *p == '-' || *p == '.')
                return false;
        while (p < end && key_char(*p))
                p++;
        if (p == end || *p != ':')
                return false;
        p++;
        if (!block_follows)
                return p == end || *p == ' ';
        while (p < end && *p == ' ')
                p++;
        return p == end || *p == '#';
}

/* Whether text holds the bytes seq (n of them, the first one rare in a spec), by memchr() from one to the next. */
static bool holds(const char *t, size_t len, const char *seq, size_t n) {
        for (const char *p = t, *end = t + len; (p = memchr(p, seq[0], (size_t) (end - p))); p++)
                if ((size_t) (end - p) >= n && memcmp(p, seq, n) == 0)
                        return true;
        return false;
}

/* Whether the lines of t are what '\n' ends alone: libyaml also breaks lines at a carriage return, NEL, U+2028 and
 * U+2029, and numbers them so. */
static bool newlines_alone(const char *t, size_t len) {
        return !memchr(t, '\r', len) && !holds(t, len, "\xc2\x85", 2) && !holds(t, len, "\xe2\x80\xa8", 3) && !holds(t, len, "\xe2\x80\xa9", 3);
}

/* The first clean cut at or after near, in one pass over the lines. */
static bool find_cut(const char *t, size_t len, size_t near, Cut *ret) {
        if (len == 0 || t[0] == '%' || !newlines_alone(t, len))
                return false;
        bool found = false, key_ok = false, bad = false;
        size_t block_indent = 0;
        unsigned lines = 0;
        Cut c = {};
        for (size_t at = 0; at < len; lines++) {
                const char *nl = memchr(t + at, '\n', len - at), *end = nl ? nl : t + len;
                size_t next = nl ? (size_t) (nl - t) + 1 : len, k = 0;
                while (t + at + k < end && t[at + k] == ' ')
                        k++;
                const char *p = t + at + k;
                if (at > 0 && k == 0 && end - p >= 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0))
                        return false; /* a document marker after the first line */
                if (p == end || *p == '#') { /* blank or a comment */
                        at = next;
                        continue;
                }
                if (k == 0) { /* a top-level line: the end of the block cut, or the start of another */
                        if (found) {
                                c.tail = at, c.tail_lines = lines;
                                *ret = c;
                                return true;
                        }
                        key_ok = key_line(p, end, /* block_follows= */ true);
                        c.key_line = lines + 1;
                        block_indent = 0;
                        bad = false;
                } else if (block_indent == 0) { /* the block's first line: a key, whose indentation is the block's */
                        block_indent = k;
                        bad = !key_line(p, end, false);
                } else if (k < block_indent)
                        bad = true;
                else if (!found && at >= near && key_ok && !bad && k == block_indent && key_line(p, end, false)) {
                        found = true;
                        c.mid = at, c.mid_lines = lines;
                }
                at = next;
        }
        c.tail = len, c.tail_lines = lines;
        *ret = c;
        return found;
}

/* The second half: the rest of the block, then the tail, on a thread of their own, into an arena of their own. */
typedef struct Half {
        const Source *src;
        const Cut *cut;
        Arena *arena;
        Node *block, *tail;       /* tail: NULL when the block runs to the end */
        Diags d;
        bool alone;
        int r;
} Half;

static void *load_second_half(void *userdata) {
        Half *h = userdata;
        bool block_alone = false, tail_alone = true;
        h->r = spec_load_part(h->arena, h->src, h->cut->mid, h->cut->tail, h->cut->mid_lines, /* depth= */ 1, &h->block, &block_alone,
                              &h->d);
        if (h->r >= 0 && h->cut->tail < h->src->len)
                h->r = spec_load_part(h->arena, h->src, h->cut->tail, h->src->len, h->cut->tail_lines, /* depth= */ 0, &h->tail, &tail_alone,
                                      &h->d);
        h->alone = block_alone && tail_alone;
        return NULL;
}

static void on_twice(void *userdata, const NodePair *first, const NodePair *again) {
        (void) first, (void) again;
        *(bool *) userdata = true;
}

/* The document's root from the head's root, the block's second half and the tail's root; NULL when they do not
 * fit together as the cut says, or a key is given twice across it. */
static Node *join(Arena *a, const Cut *cut, const Node *head, const Node *second, const Node *tail) {
        if (!head || head->kind != NODE_MAP || head->n == 0)
                return NULL;
        const NodePair *last = &head->pairs[head->n - 1];
        const Node *block = last->value;
        if (last->key_loc.line != cut->key_line || block->kind != NODE_MAP || block->n == 0 || !second || second->kind != NODE_MAP ||
            second->n == 0 || second->pairs[0].key_loc.line != cut->mid_lines + 1 ||
            second->pairs[0].key_loc.col != block->pairs[0].key_loc.col)
                return NULL;
        if (tail && (tail->kind != NODE_MAP || tail->n == 0 || tail->pairs[0].key_loc.col != 1))
                return NULL;
        bool twice = false;
        NodeBuilder nb = {};
        for (size_t i = 0; i < block->n; i++)
                nb_pair(&nb, block->pairs[i]);
        for (size_t i = 0; i < second->n; i++)
                nb_pair(&nb, second->pairs[i]);
        Node *joined = nb_map(a, &nb, block->loc, on_twice, &twice);
        for (size_t i = 0; i + 1 < head->n; i++)
                nb_pair(&nb, head->pairs[i]);
        nb_pair(&nb, (NodePair) { .key = last->key, .key_loc = last->key_loc, .value = joined });
        for (size_t i = 0; tail && i < tail->n; i++)
                nb_pair(&nb, tail->pairs[i]);
        Node *root = nb_map(a, &nb, head->loc, on_twice, &twice);
        return twice ? NULL : root;
}

int spec_load_halves_at(Arena *a, const Source *src, size_t near, Node **ret) {
        Cut cut;
        if (!src->text || !find_cut(src->text, src->len, near, &cut))
                return -EAGAIN;
        Half second = { .src = src, .cut = &cut, .arena = arena_new() };
        Twin t;
        twin_start(&t, load_second_half, &second, /* threaded= */ true);
        Diags d = {};
        bool alone = false;
        Node *head = NULL;
        int r = spec_load_part(a, src, 0, cut.mid, 0, /* depth= */ 0, &head, &alone, &d);
        twin_join(&t);
        Node *root = NULL;
        if (r >= 0 && second.r >= 0 && alone && second.alone && d.n == 0 && second.d.n == 0)
                root = join(a, &cut, head, second.block, second.tail);
        diags_clear(&d);
        diags_clear(&second.d);
        if (!root) {
                arena_free(second.arena);
                return -EAGAIN;
        }
        arena_adopt(a, second.arena); /* the joined tree points into it */
        *ret = root;
        return 0;
}

int spec_load_halves(Arena *a, const Source *src, Node **ret) {
        if (!twin_worth(src->len, LOAD_HALVES_MIN_BYTES))
                return -EAGAIN;
        return spec_load_halves_at(a, src, src->len / 2, ret);
}
