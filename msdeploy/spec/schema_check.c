/* SPDX-License-Identifier: MIT */
/* Structural validation: walks a node tree against the schema table and reports every problem at its line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "spec/directives.h"
#include "spec/schema.h"
#include "spec/signals.h"
#include "spec/syntax.h"
#include "util/escape.h"
#include "util/suggest.h"
#include "util/twin.h"
#include "util/units.h"

typedef struct Checker {
        Diags *d;
        CheckFlags flags;
        size_t errors_before;
} Checker;

static void append_values(char *buf, size_t size, const char *const *values) {
        size_t off = 0;
        buf[0] = 0;
        for (const char *const *v = values; *v && off < size; v++)
                off += (size_t) snprintf(buf + off, size - off, "%s'%s'", v == values ? "" : v[1] ? ", " : " or ", *v);
}

/* A signal name, or the error for one that is not: with the signal it most likely means. */
static bool signal_valid(const char *v, const char *what, Loc loc, Diags *d) {
        if (signal_name_valid(v))
                return true;
        const char *near = signal_name_suggest(v);
        if (near)
                diag_error(d, loc, "is not %s; did you mean '%s'?", what, near);
        else
                diag_error(d, loc, "is not %s; use e.g. 'SIGTERM', 'SIGINT' or 'SIGHUP'", what);
        return false;
}

bool schema_scalar_valid(const Schema *s, const char *v, Loc loc, Diags *d) {
        uint64_t u;
        double f;
        bool b;
        usec_t usec;
        mode_t mode;
        const char *why = NULL;
        switch (s->type) {
        case S_STRING:
                why = syntax_check_text(v);
                break;
        case S_UNIT_TEXT:
                why = syntax_check_text(v);
                if (!why && *v && v[strlen(v) - 1] == '\\')
                        why = "ends in a backslash, which would continue the line in a unit file; remove it or add a character after it";
                if (!why)
                        why = syntax_check_edge_space(v);
                break;
        case S_NAME:
                why = syntax_check_name(v);
                break;
        case S_USER:
                why = syntax_check_user(v);
                break;
        case S_PATH:
                why = syntax_check_path(v);
                break;
        case S_COMMAND:
                why = syntax_check_command(v);
                break;
        case S_UNIT_REF:
                why = strchr(v, '.') ? syntax_check_unit_name(v) : syntax_check_name(v);
                break;
        case S_ENV_NAME:
                why = syntax_check_env_name(v);
                break;
        case S_DIRECTIVE:
                for (const char *const *e = s->values; e && *e; e++) /* words allowed beside directive names */
                        if (strcmp(*e, v) == 0)
                                return true;
                why = syntax_check_directive(v);
                if (!why && !directive_overridable(v)) {
                        const char *near = directive_suggest(v);
                        diag_error(d, loc, "is not a sandboxing directive msdeploy lets a spec override%s%s%s", near ? "; did you mean '" : "",
                                   near ? near : "", near ? "'?" : "");
                        return false;
                }
                break;
        case S_ADDRESS:
                why = syntax_check_address(v);
                break;
        case S_SIGNAL:
                return signal_valid(v, "a signal name", loc, d);
        case S_EXIT_STATUS:
                if (v[0] >= '0' && v[0] <= '9') {
                        if (parse_uint(v, 0, 255, &u) == 0)
                                return true;
                        diag_error(d, loc, "is not an exit status; allowed: 0 to 255, or a signal name such as 'SIGPIPE'");
                        return false;
                }
                return signal_valid(v, "an exit status (0 to 255) or a signal name", loc, d);
        case S_CAPABILITY: {
                cap_value_t cap;
                if (cap_from_name(v, &cap) < 0)
                        why = "is not a capability name known to libcap (e.g. 'CAP_NET_BIND_SERVICE')";
                break;
        }
        case S_INT:
        case S_INSTANCES: {
                int64_t max = s->type == S_INSTANCES ? 1000 : s->max;
                int r = parse_uint(v, (uint64_t) (s->min > 0 ? s->min : 0), (uint64_t) max, &u);
                if (r == -ERANGE) {
                        diag_error(d, loc, "is out of range; allowed: %lld to %lld", (long long) s->min, (long long) max);
                        return false;
                }
                if (r < 0)
                        why = s->type == S_INSTANCES ? "must be a number of instances or a list of instance names"
                                                     : "must be a non-negative integer";
                break;
        }
        case S_FLOAT:
                if (parse_double(v, &f) < 0)
                        why = "must be a number";
                else if (s->max > s->min && (f < (double) s->min || f > (double) s->max)) {
                        diag_error(d, loc, "is out of range; allowed: %lld to %lld", (long long) s->min, (long long) s->max);
                        return false;
                }
                break;
        case S_BOOL:
                if (parse_bool(v, &b) < 0)
                        why = "must be true or false";
                break;
        case S_DURATION:
                if (parse_duration(v, &usec) < 0)
                        why = "is not a duration; use e.g. '500ms', '30s', '5min', '2h' or 'infinity'";
                break;
        case S_SIZE:
                if (parse_size(v, &u) < 0)
                        why = "is not a size; use e.g. '512M', '8G' or 'infinity'";
                break;
        case S_PERCENT:
                if (parse_percent(v, &u) < 0)
                        why = "is not a percentage; use e.g. '150%' (100% = one CPU)";
                else if (u == 0)
                        why = "must be more than 0%";
                break;
        case S_MODE:
                if (parse_mode(v, &mode) < 0)
                        why = "is not an octal file mode; use e.g. '0750'";
                break;
        case S_ENUM:
                for (const char *const *e = s->values; *e; e++)
                        if (strcmp(*e, v) == 0)
                                return true;
                char list[512];
                append_values(list, sizeof(list), s->values);
                const char *near = suggest_closest(v, s->values, sizeof(char *));
                if (near)
                        diag_error(d, loc, "is not valid; did you mean '%s'? (allowed: %s)", near, list);
                else
                        diag_error(d, loc, "is not valid; allowed: %s", list);
                return false;
        default:
                return true;
        }
        if (why) {
                diag_error(d, loc, "%s", why);
                return false;
        }
        return true;
}

static const char *kind_word(const Node *n) {
        return n->kind == NODE_MAP ? "a mapping" : n->kind == NODE_SEQ ? "a list" : n->kind == NODE_NULL ? "empty" : "a scalar";
}

/* What a message names: "'key'", "service 'api'" or "the spec"; formatted only when there is a message. */
typedef struct What {
        const char *label; /* "service", or NULL */
        const char *key;   /* NULL: label alone */
} What;

#define WHAT(w) what_format((w), (char[160]) {})

static const char *what_format(What w, char *buf) {
        if (!w.key)
                return w.label;
        snprintf(buf, 160, w.label ? "%s '%s'" : "%s'%s'", w.label ? w.label : "", w.key);
        return buf;
}

static void check_node(Checker *c, const Schema *s, const Node *n, What what);

static void check_object(Checker *c, const Schema *s, const Node *n, What what) {
        for (size_t i = 0; i < n->n; i++) {
                const NodePair *p = &n->pairs[i];
                const SchemaField *f = schema_field(s, p->key);
                if (!f) {
                        const char *near = suggest_closest(p->key, &s->fields[0].key, sizeof(SchemaField));
                        char shown[128];
                        escape_value(shown, sizeof(shown), p->key);
                        if (near)
                                diag_error(c->d, p->key_loc, "unknown key '%s' in %s; did you mean '%s'?", shown, WHAT(what), near);
                        else
                                diag_error(c->d, p->key_loc, "unknown key '%s' in %s", shown, WHAT(what));
                        continue;
                }
                if (p->value->kind == NODE_NULL) {
                        if (!(c->flags & CHECK_PARTIAL))
                                diag_error(c->d, p->value->loc, "'%s' has no value; give it one or remove the key", p->key);
                        continue;
                }
                check_node(c, f->schema, p->value, (What) { .key = p->key });
        }
        if (c->flags & CHECK_PARTIAL)
                return;
        for (const SchemaField *f = s->fields; f->key; f++)
                if (f->required && !node_get_pair(n, f->key))
                        diag_error(c->d, n->loc, "%s is missing the required key '%s' (%s)", WHAT(what), f->key, f->doc);
}

/* The entries [from, to) of dictionary n. */
static void check_entries(Checker *c, const Schema *s, const Node *n, What what, size_t from, size_t to) {
        for (size_t i = from; i < to; i++) {
                const NodePair *p = &n->pairs[i];
                const Schema *ks = s->key ? s->key : &(const Schema) { S_NAME };
                size_t mark = c->d->n;
                if (!schema_scalar_valid(ks, p->key, p->key_loc, c->d)) {
                        char shown[128];
                        diags_prefix(c->d, mark, "key '%s' in %s ", escape_value(shown, sizeof(shown), p->key), WHAT(what));
                }
                if (p->value->kind == NODE_NULL) { /* an empty entry: "name:" reads as "name: {}" */
                        if (!(c->flags & CHECK_PARTIAL) && s->item->type != S_OBJECT)
                                diag_error(c->d, p->value->loc, "'%s' has no value", p->key);
                        else if (!(c->flags & CHECK_PARTIAL)) {
                                check_object(c, s->item, &(const Node) { .kind = NODE_MAP, .loc = p->value->loc },
                                             (What) { s->item->label ? s->item->label : "entry", p->key });
                        }
                        continue;
                }
                check_node(c, s->item, p->value, (What) { s->item->label, p->key });
        }
}

/* Entries of a dictionary checked by one thread. */
typedef struct EntryRun {
        Checker c;
        const Schema *s;
        const Node *n;
        What what;
        size_t from, to;
} EntryRun;

static void *check_run(void *userdata) {
        EntryRun *r = userdata;
        check_entries(&r->c, r->s, r->n, r->what, r->from, r->to);
        return NULL;
}

/* Fewer entries are checked by one thread: a second costs more than it saves. */
#define ENTRIES_SPLIT_MIN 1000

/* The entries of dictionary n: with a second CPU, a large one's second half on a thread of its own, whose
 * diagnostics follow the first half's. */
static void check_dict(Checker *c, const Schema *s, const Node *n, What what) {
        size_t half = twin_worth(n->n, ENTRIES_SPLIT_MIN) ? n->n / 2 : n->n;
        Diags said = { .werror = c->d->werror };
        EntryRun second = { { &said, c->flags, 0 }, s, n, what, half, n->n };
        Twin t;
        twin_start(&t, check_run, &second, half < n->n);
        check_entries(c, s, n, what, 0, half);
        twin_join(&t);
        diags_move(c->d, &said);
}

static void check_node(Checker *c, const Schema *s, const Node *n, What what) {
        switch (s->type) {
        case S_OBJECT:
                if (n->kind != NODE_MAP) {
                        diag_error(c->d, n->loc, "%s must be a mapping (%s), not %s", WHAT(what), s->doc, kind_word(n));
                        return;
                }
                check_object(c, s, n, what);
                return;
        case S_DICT:
                if (n->kind != NODE_MAP) {
                        diag_error(c->d, n->loc, "%s must be a mapping (%s), not %s", WHAT(what), s->doc, kind_word(n));
                        return;
                }
                check_dict(c, s, n, what);
                return;
        case S_LIST:
                if (n->kind != NODE_SEQ) {
                        diag_error(c->d, n->loc, "%s must be a list (%s), not %s; write [a, b] or one '- item' per line", WHAT(what),
                                   s->doc, kind_word(n));
                        return;
                }
                for (size_t i = 0; i < n->n; i++)
                        check_node(c, s->item, n->items[i], what);
                return;
        case S_INSTANCES:
                if (n->kind == NODE_SEQ) {
                        check_node(c, &(const Schema) { S_LIST, "instance names", .item = &(const Schema) { S_NAME } }, n, what);
                        return;
                }
                break;
        default:
                break;
        }
        if (n->kind != NODE_SCALAR) {
                diag_error(c->d, n->loc, "%s must be a %s (%s), not %s", WHAT(what), schema_type_name(s->type), s->doc, kind_word(n));
                return;
        }
        size_t mark = c->d->n;
        if (!schema_scalar_valid(s, n->scalar, n->loc, c->d)) {
                char shown[128];
                diags_prefix(c->d, mark, "%s value '%s' ", WHAT(what), escape_value(shown, sizeof(shown), n->scalar));
        }
}

int schema_check(const Schema *s, const Node *n, CheckFlags flags, Diags *d) {
        Checker c = { .d = d, .flags = flags, .errors_before = d->n_errors };
        check_node(&c, s, n, (What) { .label = "the spec" });
        return d->n_errors > c.errors_before ? -EINVAL : 0;
}
