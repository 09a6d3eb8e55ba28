/* SPDX-License-Identifier: MIT */
/* Loading YAML into the node tree with libyaml's event API, bounded against hostile input.
 * The event API (not yaml_parser_load) keeps deep nesting linear; aliases share the anchored node
 * and are charged by its size, so a "billion laughs" document is refused, not expanded. */
#include "spec/load.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "spec/load_internal.h"
#include "util/fileio.h"
#include "util/utf8.h"
#include "util/xalloc.h"

int source_read_file(const char *path, Source **ret, Diags *d) {
        char *text;
        size_t len;
        int r = read_full_file(path, LOAD_MAX_BYTES, &text, &len);
        if (r < 0) {
                /* the diagnostic needs a live source: hand it to the caller to keep */
                *ret = source_new(path, NULL, 0);
                if (r == -EFBIG)
                        diag_error(d, (Loc) { .src = *ret }, "'%s' is larger than %u bytes", path, LOAD_MAX_BYTES);
                else if (r == -EISDIR || r == -EBADFD)
                        diag_error(d, (Loc) { .src = *ret }, "'%s' is not a regular file", path);
                else
                        diag_error(d, (Loc) { .src = *ret }, "cannot read '%s': %s", path, strerror(-r));
                return r;
        }
        *ret = source_new(path, text, len);
        return 0;
}

/* Byte-level checks libyaml reports poorly: NUL, invalid UTF-8, tabs in indentation. */
static int scan_bytes(const Source *src, Diags *d) {
        const unsigned char *p = (const unsigned char *) src->text, *end = p + src->len;
        unsigned line = 1, col = 1;
        bool at_indent = true;
        int r = 0;
        while (p < end) {
                if (*p > ' ' && *p < 0x80) { /* the common case: printable ASCII */
                        at_indent = false;
                        col++, p++;
                        continue;
                }
                Loc at = { .src = src, .line = line, .col = col };
                if (*p == 0) {
                        diag_error(d, at, "NUL byte in input; a spec is UTF-8 text");
                        return -EINVAL;
                }
                size_t n = utf8_sequence_length(p, (size_t) (end - p));
                if (n == 0) {
                        diag_error(d, at, "invalid UTF-8 byte 0x%02x; a spec is UTF-8 text", *p);
                        return -EINVAL;
                }
                if (*p == '\t' && at_indent) {
                        diag_error(d, at, "tab used for indentation; YAML indents with spaces only");
                        r = -EINVAL;
                }
                if (*p == '\n') {
                        line++, col = 1, at_indent = true;
                } else {
                        if (*p != ' ' && *p != '\t')
                                at_indent = false;
                        col++;
                }
                p += n;
        }
        return r;
}

typedef struct Anchor {
        char *name;
        Node *node;
        size_t size; /* nodes in its subtree, aliases included */
} Anchor;

typedef struct Loader {
        Arena *arena;
        const Source *src;
        Diags *d;
        yaml_parser_t parser;
        Anchor *anchors;
        size_t n_anchors, cap_anchors;
        size_t alias_nodes;
        unsigned depth;
        unsigned first_line;      /* of the part of src->text parsed, less one */
        bool anchors_or_aliases;  /* met: the part does not stand alone */
} Loader;

static Loc mark_loc(const Loader *l, yaml_mark_t m) {
        return (Loc) { .src = l->src, .line = l->first_line + (unsigned) m.line + 1, .col = (unsigned) m.column + 1 };
}

static int next_event(Loader *l, yaml_event_t *ev) {
        if (yaml_parser_parse(&l->parser, ev))
                return 0;
        Loc at = mark_loc(l, l->parser.problem_mark);
        const char *problem = l->parser.problem ? l->parser.problem : "malformed YAML";
        if (l->parser.context)
                diag_error(l->d, at, "YAML syntax: %s %s", problem, l->parser.context);
        else
                diag_error(l->d, at, "YAML syntax: %s", problem);
        return -EINVAL;
}

static void anchor_add(Loader *l, const char *name, Node *n, size_t size) {
        l->anchors_or_aliases = true;
        if (l->n_anchors == l->cap_anchors) {
                l->cap_anchors = l->cap_anchors ? l->cap_anchors * 2 : 8;
                l->anchors = xreallocarray(l->anchors, l->cap_anchors, sizeof(Anchor));
        }
        l->anchors[l->n_anchors++] = (Anchor) { .name = xstrdup(name), .node = n, .size = size };
}

static const Anchor *anchor_find(const Loader *l, const char *name) {
        for (size_t i = l->n_anchors; i > 0; i--) /* the latest definition wins */
                if (strcmp(l->anchors[i - 1].name, name) == 0)
                        return &l->anchors[i - 1];
        return NULL;
}

static bool is_null_scalar(const yaml_event_t *ev) {
        if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        const char *v = (const char *) ev->data.scalar.value;
        return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static void check_tag(Loader *l, const yaml_char_t *tag, Loc at) {
        if (tag && strncmp((const char *) tag, "tag:yaml.org,2002:", 18) != 0)
                diag_error(l->d, at, "unsupported YAML tag '%s'; specs use plain YAML values", (const char *) tag);
}

static int parse_node(Loader *l, yaml_event_t *ev, Node **ret, size_t *ret_size);

/* Collects items (or key/value pairs) until the end event. Errors that leave the stream readable are
 * only reported; a negative return means parsing cannot go on. */
static void report_duplicate(void *userdata, const NodePair *first, const NodePair *again) {
        Loader *l = userdata;
        diag_error(l->d, again->key_loc, "duplicate key '%s' (first defined at line %u)", again->key, first->key_loc.line);
}

static int parse_collection(Loader *l, bool is_map, Loc at, Node **ret, size_t *size) {
        NodeBuilder nb = {};
        int r = 0;
        for (;;) {
                yaml_event_t ev;
                if (next_event(l, &ev) < 0) {
                        r = -EINVAL;
                        break;
                }
                if (ev.type == (is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT)) {
                        yaml_event_delete(&ev);
                        break;
                }
                if (!is_map) {
                        Node *item;
                        size_t s;
                        r = parse_node(l, &ev, &item, &s);
                        if (r < 0)
                                break;
                        nb_item(&nb, item);
                        *size += s;
                        continue;
                }
                /* map: key event first */
                Loc key_loc = mark_loc(l, ev.start_mark);
                char *key = NULL;
                if (ev.type == YAML_SCALAR_EVENT) {
                        key = arena_strndup(l->arena, (const char *) ev.data.scalar.value, ev.data.scalar.length);
                        if (strlen(key) != ev.data.scalar.length)
                                diag_error(l->d, key_loc, "NUL character in a key");
                        yaml_event_delete(&ev);
                } else {
                        diag_error(l->d, key_loc, "mapping keys must be plain scalars, not a %s",
                                   ev.type == YAML_MAPPING_START_EVENT    ? "mapping"
                                   : ev.type == YAML_SEQUENCE_START_EVENT ? "sequence"
                                                                          : "alias");
                        Node *ignored;
                        size_t s;
                        r = parse_node(l, &ev, &ignored, &s);
                        if (r < 0)
                                break;
                }
                yaml_event_t vev;
                if (next_event(l, &vev) < 0) {
                        r = -EINVAL;
                        break;
                }
                Node *value;
                size_t s;
                r = parse_node(l, &vev, &value, &s);
                if (r < 0)
                        break;
                *size += s;
                if (!key)
                        continue;
                if (strcmp(key, "<<") == 0) {
                        diag_error(l->d, key_loc, "YAML merge keys ('<<') are not supported; use tier overlays or repeat the keys");
                        continue;
                }
                nb_pair(&nb, (NodePair) { .key = key, .key_loc = key_loc, .value = value });
        }
        if (r < 0) {
                nb_free(&nb);
                return r;
        }
        *ret = is_map ? nb_map(l->arena, &nb, at, report_duplicate, l) : nb_seq(l->arena, &nb, at);
        return 0;
}

/* Builds the node for the event ev (whose ownership passes here). */
static int parse_node(Loader *l, yaml_event_t *ev, Node **ret, size_t *ret_size) {
        Loc at = mark_loc(l, ev->start_mark);
        switch (ev->type) {
        case YAML_ALIAS_EVENT: {
                l->anchors_or_aliases = true;
                const Anchor *a = anchor_find(l, (const char *) ev->data.alias.anchor);
                if (!a) {
                        diag_error(l->d, at, "alias '*%s' names no anchor defined before it", (const char *) ev->data.alias.anchor);
                        yaml_event_delete(ev);
                        return -EINVAL;
                }
                l->alias_nodes += a->size;
                if (l->alias_nodes > LOAD_MAX_ALIAS_NODES) {
                        diag_error(l->d, at, "aliases expand to more than %u nodes; refusing (possible alias bomb)",
                                   LOAD_MAX_ALIAS_NODES);
                        yaml_event_delete(ev);
                        return -E2BIG;
                }
                yaml_event_delete(ev);
                *ret = a->node;
                *ret_size = a->size;
                return 0;
        }
        case YAML_SCALAR_EVENT: {
                check_tag(l, ev->data.scalar.tag, at);
                Node *n;
                if (is_null_scalar(ev))
                        n = node_new(l->arena, NODE_NULL, at);
                else {
                        n = node_new(l->arena, NODE_SCALAR, at);
                        n->scalar = arena_strndup(l->arena, (const char *) ev->data.scalar.value, ev->data.scalar.length);
                        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
                        if (strlen(n->scalar) != ev->data.scalar.length)
                                diag_error(l->d, at, "NUL character in a value");
                }
                if (ev->data.scalar.anchor)
                        anchor_add(l, (const char *) ev->data.scalar.anchor, n, 1);
                yaml_event_delete(ev);
                *ret = n;
                *ret_size = 1;
                return 0;
        }
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
                bool is_map = ev->type == YAML_MAPPING_START_EVENT;
                check_tag(l, is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag, at);
                char *anchor = NULL;
                const yaml_char_t *an = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
                if (an)
                        anchor = xstrdup((const char *) an);
                yaml_event_delete(ev);
                if (++l->depth > LOAD_MAX_DEPTH) {
                        diag_error(l->d, at, "nesting deeper than %d levels", LOAD_MAX_DEPTH);
                        free(anchor);
                        return -E2BIG;
                }
                Node *n = NULL;
                size_t size = 1;
                int k = parse_collection(l, is_map, at, &n, &size);
                l->depth--;
                if (k >= 0 && anchor)
                        anchor_add(l, anchor, n, size);
                free(anchor);
                if (k < 0)
                        return k;
                *ret = n;
                *ret_size = size;
                return 0;
        }
        default:
                diag_error(l->d, at, "unexpected YAML event");
                yaml_event_delete(ev);
                return -EINVAL;
        }
}

/* Frees ev and reads the event after it into ev. */
static int next_event_after(Loader *l, yaml_event_t *ev) {
        yaml_event_delete(ev);
        return next_event(l, ev);
}

static int expect_event(Loader *l, yaml_event_type_t type, yaml_event_t *ev) {
        if (next_event(l, ev) < 0)
                return -EINVAL;
        if (ev->type != type) {
                diag_error(l->d, mark_loc(l, ev->start_mark), "unexpected YAML structure");
                yaml_event_delete(ev);
                return -EINVAL;
        }
        return 0;
}

int spec_load_part(Arena *a, const Source *src, size_t from, size_t to, unsigned first_line, unsigned depth, Node **ret,
                   bool *ret_alone, Diags *d) {
        size_t errors_before = d->n_errors;
        Loader l = { .arena = a, .src = src, .d = d, .depth = depth, .first_line = first_line };
        if (!yaml_parser_initialize(&l.parser))
                xoom();
        yaml_parser_set_input_string(&l.parser, (const unsigned char *) src->text + from, to - from);
        yaml_parser_set_encoding(&l.parser, YAML_UTF8_ENCODING);
        Node *root = NULL;
        yaml_event_t ev;
        int r = expect_event(&l, YAML_STREAM_START_EVENT, &ev);
        if (r < 0)
                goto finish;
        r = next_event_after(&l, &ev);
        if (r < 0)
                goto finish;
        if (ev.type == YAML_STREAM_END_EVENT) { /* empty input */
                yaml_event_delete(&ev);
                root = node_new(a, NODE_NULL, (Loc) { .src = src, .line = first_line + 1, .col = 1 });
                goto finish;
        }
        if (ev.type != YAML_DOCUMENT_START_EVENT) {
                diag_error(d, mark_loc(&l, ev.start_mark), "unexpected YAML structure");
                yaml_event_delete(&ev);
                r = -EINVAL;
                goto finish;
        }
        r = next_event_after(&l, &ev);
        if (r < 0)
                goto finish;
        size_t size;
        r = parse_node(&l, &ev, &root, &size);
        if (r < 0)
                goto finish;
        r = expect_event(&l, YAML_DOCUMENT_END_EVENT, &ev);
        if (r < 0)
                goto finish;
        r = next_event_after(&l, &ev);
        if (r < 0)
                goto finish;
        if (ev.type == YAML_DOCUMENT_START_EVENT) {
                diag_error(d, mark_loc(&l, ev.start_mark), "more than one YAML document; a spec is one document");
                r = -EINVAL;
        }
        yaml_event_delete(&ev);
finish:
        for (size_t i = 0; i < l.n_anchors; i++)
                free(l.anchors[i].name);
        free(l.anchors);
        yaml_parser_delete(&l.parser);
        if (r < 0)
                return r;
        *ret = root;
        if (ret_alone)
                *ret_alone = !l.anchors_or_aliases;
        return d->n_errors > errors_before ? -EINVAL : 0;
}

int spec_load(Arena *a, const Source *src, Node **ret, Diags *d) {
        int r = scan_bytes(src, d);
        if (r < 0)
                return r;
        if (spec_load_halves(a, src, ret) >= 0) /* a large spec, read in two halves side by side */
                return 0;
        return spec_load_part(a, src, 0, src->len, 0, 0, ret, NULL, d);
}
