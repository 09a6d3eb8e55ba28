/* SPDX-License-Identifier: MIT */
/* Fuzz target: every quoting writer, each read back by its consumer's own parser (consumers.c) to the value given.
 *
 * Input: one byte choosing the writer, then the value; '\x1e' separates the parts of writers that take several
 * (a variable's name and value, list items, command line arguments, a YAML key and value). A writer may refuse a
 * value (a unit writer error); what it writes must read back exactly. The values are those a spec can hold: valid
 * UTF-8 (the loader's rule) that syntax_check_text() accepts; variable names, unit names and paths (list items,
 * command arguments) that their own syntax_check_*() accepts. The YAML writer takes any valid UTF-8 (controls,
 * noncharacters and line breaks included), the JSON writer any bytes. */
#include <stdint.h>
#include <string.h>

#include "consumers.h"
#include "render/sdfield.h"
#include "render/shell.h"
#include "render/unit_writer.h"
#include "render/yaml_writer.h"
#include "spec/syntax.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define SEP "\x1e"

/* What the first byte of the input chooses, modulo _WRITER_MAX. */
typedef enum Writer {
        WRITER_SET,        /* uw_set() */
        WRITER_SET_SPEC,   /* uw_set_spec() */
        WRITER_ENV,        /* uw_set_env(): NAME SEP value */
        WRITER_LIST_UNITS, /* uw_set_list() of unit names */
        WRITER_LIST_PATHS, /* uw_set_list() of paths */
        WRITER_EXEC,       /* uw_exec_append_arg(): the arguments */
        WRITER_SHELL,      /* shell_quote() */
        WRITER_YAML,       /* yaml_str(): key SEP value */
        WRITER_SDFIELD,    /* sdfield_quote() */
        WRITER_JSON,       /* json_quoten() */
        _WRITER_MAX,
} Writer;

/* The parts of s split at SEP (at least one), NULL-terminated. */
static char **split(const char *s) {
        char **v = NULL;
        for (const char *p = s;;) {
                size_t n = strcspn(p, SEP);
                strv_push(&v, xstrndup(p, n));
                if (!p[n])
                        return v;
                p += n + 1;
        }
}

/* Writes one directive with set() into a [Service] section; the value systemd reads, or NULL when the writer
 * refused it. */
static char *unit_value(void (*set)(UnitWriter *w, void *userdata), void *userdata, const char *what) {
        StrBuf b = {};
        UnitWriter w;
        uw_init(&w, &b, /* systemd_version= */ 252, /* d= */ NULL, (Loc) {}, "fuzz.service");
        uw_section(&w, "Service");
        set(&w, userdata);
        if (uw_finish(&w) < 0) {
                sb_free(&b);
                return NULL;
        }
        UnitLine *lines;
        const char *why;
        int n = unit_parse(b.s, &lines, &why);
        if (n < 0)
                fuzz_violation("%s: systemd refuses the unit: %s:\n%s", what, why, b.s);
        if (n != 1)
                fuzz_violation("%s: %d directives instead of one:\n%s", what, n, b.s);
        char *value = TAKE_PTR(lines[0].value);
        unit_lines_free(lines, (size_t) n);
        sb_free(&b);
        return value;
}

static void set_plain(UnitWriter *w, void *userdata) {
        uw_set(w, "User", userdata);
}

static void set_spec(UnitWriter *w, void *userdata) {
        uw_set_spec(w, "Description", userdata);
}

/* uw_set(): every '%' literal. */
static void check_set(const char *v) {
        _cleanup_free_ char *value = unit_value(set_plain, (void *) v, "uw_set");
        if (!value)
                return;
        _cleanup_free_ char *got = sd_specifiers_resolve(value, /* keep_specifiers= */ false);
        if (!got || strcmp(got, v) != 0)
                fuzz_violation("uw_set: '%s' reads back as '%s'", v, got ? got : "(specifier error)");
}

/* uw_set_spec(): a specifier stays one, any other '%' is literal. */
static void check_set_spec(const char *v) {
        _cleanup_free_ char *value = unit_value(set_spec, (void *) v, "uw_set_spec");
        if (!value)
                return;
        StrBuf want = {};
        sb_append(&want, "");
        for (const char *p = v; *p; p++) {
                sb_putc(&want, *p);
                if (*p == '%' && p[1] == '%')
                        p++;
                else if (*p == '%' && p[1] && strchr("aAbBCdEfgGhHiIjJlLmMnNopPsStTuUvVwWyY", p[1]))
                        sb_putc(&want, *++p);
        }
        _cleanup_free_ char *got = sd_specifiers_resolve(value, /* keep_specifiers= */ true);
        if (!got || strcmp(got, want.s) != 0)
                fuzz_violation("uw_set_spec: '%s' reads back as '%s'", v, got ? got : "(specifier error)");
        sb_free(&want);
}

static void set_env(UnitWriter *w, void *userdata) {
        char **kv = userdata;
        uw_set_env(w, kv[0], kv[1] ? kv[1] : "");
}

/* Environment=: config_parse_environ() splits with EXTRACT_CUNESCAPE|EXTRACT_UNQUOTE, resolves specifiers in each
 * word, and ignores an assignment that env_assignment_is_valid() refuses. */
static void check_env(char **kv) {
        const char *name = kv[0], *val = kv[1] ? kv[1] : "";
        _cleanup_free_ char *value = unit_value(set_env, kv, "uw_set_env");
        if (!value)
                return;
        _cleanup_(strv_freep) char **words = NULL;
        if (sd_extract_words(value, SD_EXTRACT_CUNESCAPE | SD_EXTRACT_UNQUOTE, &words) != 1)
                fuzz_violation("uw_set_env: '%s=%s' is not one word: %s", name, val, value);
        _cleanup_free_ char *got = sd_specifiers_resolve(words[0], /* keep_specifiers= */ false);
        _cleanup_free_ char *want = xasprintf("%s=%s", name, val);
        if (!got || strcmp(got, want) != 0)
                fuzz_violation("uw_set_env: '%s' reads back as '%s'", want, got ? got : "(specifier error)");
        if (!sd_env_name_valid(name) || !sd_env_value_valid(val))
                fuzz_violation("uw_set_env: systemd ignores the assignment '%s' (invalid name or value)", want);
}

typedef struct ListCase {
        StrList l;
        const char *key;
} ListCase;

static void set_list(UnitWriter *w, void *userdata) {
        ListCase *c = userdata;
        uw_set_list(w, c->key, &c->l);
}

/* Space-separated lists: unit dependencies are split with EXTRACT_RETAIN_ESCAPE (config_parse_unit_deps()),
 * paths with EXTRACT_UNQUOTE (config_parse_namespace_path_strv()); specifiers are resolved in each word. */
static void check_list(char **items, bool paths) {
        ListCase c = { .l = { .items = (const char **) items, .n = strv_length(items) }, .key = paths ? "ReadWritePaths" : "After" };
        _cleanup_free_ char *value = unit_value(set_list, &c, "uw_set_list");
        if (!value)
                return;
        _cleanup_(strv_freep) char **words = NULL;
        int n = sd_extract_words(value, paths ? SD_EXTRACT_UNQUOTE : SD_EXTRACT_RETAIN_ESCAPE, &words);
        if (n != (int) c.l.n)
                fuzz_violation("uw_set_list (%s): %zu items read back as %d: %s", c.key, c.l.n, n, value);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *got = sd_specifiers_resolve(words[i], /* keep_specifiers= */ false);
                if (!got || strcmp(got, items[i]) != 0)
                        fuzz_violation("uw_set_list (%s): '%s' reads back as '%s'", c.key, items[i], got ? got : "(specifier error)");
                if (paths && (got[0] == '-' || got[0] == '+'))
                        fuzz_violation("uw_set_list (%s): '%s' reads as a prefixed path", c.key, items[i]);
        }
}

static void set_exec(UnitWriter *w, void *userdata) {
        uw_set_raw(w, "ExecStart", userdata);
}

/* ExecStart= (config_parse_exec()): an unquoted ';' word separates commands, "\;" is a literal ';', every other
 * word is split with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE and its specifiers resolved; at exec time replace_env_argv()
 * expands "$NAME" words and "${NAME}" inside words, and turns "$$" into "$". */
static void check_exec(char **args) {
        StrBuf line = {};
        uw_exec_append_arg(&line, "/usr/bin/prog");
        for (char **a = args; *a; a++)
                uw_exec_append_arg(&line, *a);
        _cleanup_free_ char *value = unit_value(set_exec, line.s, "uw_exec_append_arg");
        sb_free(&line);
        if (!value)
                return;
        size_t i = 0;
        for (const char *p = value; p && *p; i++) {
                p += strspn(p, SD_WHITESPACE);
                if (!*p)
                        break;
                if (p[0] == ';' && (!p[1] || strchr(SD_WHITESPACE, p[1])))
                        fuzz_violation("uw_exec_append_arg: a command separator in: %s", value);
                char *word;
                if (p[0] == '\\' && p[1] == ';' && (!p[2] || strchr(SD_WHITESPACE, p[2]))) {
                        word = xstrdup(";");
                        p += 2;
                } else if (sd_extract_first_word(&p, &word, NULL, SD_EXTRACT_UNQUOTE | SD_EXTRACT_CUNESCAPE) <= 0)
                        fuzz_violation("uw_exec_append_arg: systemd cannot split: %s", value);
                _cleanup_free_ char *resolved = sd_specifiers_resolve(word, /* keep_specifiers= */ false);
                free(word);
                if (!resolved)
                        fuzz_violation("uw_exec_append_arg: a specifier in: %s", value);
                if (resolved[0] == '$' && resolved[1] != '{' && resolved[1] != '$')
                        fuzz_violation("uw_exec_append_arg: '%s' is a variable word in: %s", resolved, value);
                StrBuf got = {};
                sb_append(&got, "");
                for (const char *q = resolved; *q; q++) {
                        if (q[0] == '$' && q[1] == '{')
                                fuzz_violation("uw_exec_append_arg: a variable in: %s", value);
                        if (q[0] == '$' && q[1] == '$')
                                q++;
                        sb_putc(&got, *q);
                }
                const char *want = i == 0 ? "/usr/bin/prog" : args[i - 1];
                if (!want || strcmp(got.s, want) != 0)
                        fuzz_violation("uw_exec_append_arg: argument %zu '%s' reads back as '%s' in: %s", i, want ? want : "(none)",
                                       got.s, value);
                sb_free(&got);
        }
        if (i != strv_length(args) + 1)
                fuzz_violation("uw_exec_append_arg: %zu arguments read back as %zu: %s", strv_length(args) + 1, i, value);
}

static void check_shell(const char *v) {
        StrBuf b = {};
        shell_quote(&b, v);
        _cleanup_free_ char *got = sh_read_word(b.s);
        if (!got || strcmp(got, v) != 0)
                fuzz_violation("shell_quote: '%s' written as %s reads back as '%s'", v, b.s, got ? got : "(not one literal word)");
        sb_free(&b);
}

/* yaml_str(): key and value read back by libyaml; a plain scalar must not resolve to another type. */
static void check_yaml(char **kv) {
        const char *key = kv[0], *val = kv[1] ? kv[1] : "";
        StrBuf b = {};
        YamlWriter y = { .b = &b };
        yaml_str(&y, key, val);
        bool plain;
        _cleanup_free_ char *got = yaml_read_value(b.s, &plain);
        if (!got || strcmp(got, val) != 0)
                fuzz_violation("yaml_str: value '%s' written as %s reads back as '%s'", val, b.s, got ? got : "(refused)");
        if (plain && yaml_plain_is_typed(got))
                fuzz_violation("yaml_str: plain '%s' resolves to a non-string", got);
        /* the key, as the value of a one-pair mapping */
        StrBuf k = {};
        sb_append(&k, "k: ");
        yaml_quote(&k, key);
        sb_putc(&k, '\n');
        _cleanup_free_ char *gkey = yaml_read_value(k.s, &plain);
        if (!gkey || strcmp(gkey, key) != 0)
                fuzz_violation("yaml_quote: '%s' written as %s reads back as '%s'", key, k.s, gkey ? gkey : "(refused)");
        if (plain && yaml_plain_is_typed(gkey))
                fuzz_violation("yaml_quote: plain '%s' resolves to a non-string", gkey);
        sb_free(&k);
        sb_free(&b);
}

static void check_json(const char *v, size_t n) {
        StrBuf b = {};
        json_quoten(&b, v, n);
        size_t len;
        _cleanup_free_ char *got = json_read_string(b.s, b.len, &len);
        if (!got)
                fuzz_violation("json_quoten: not a JSON string: %s", b.s);
        if (utf8_valid(v, n) && (len != n || memcmp(got, v, n) != 0))
                fuzz_violation("json_quoten: '%.*s' reads back as '%s'", (int) n, v, got);
        sb_free(&b);
}

/* sysusers.d and tmpfiles.d split a line with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, resolve specifiers in every
 * field, and read "-" (and "") as "unset": the writer refuses "-", which no spelling carries. */
static void check_sdfield(const char *v) {
        StrBuf b = {};
        if (sdfield_quote(&b, v) < 0) {
                if (strcmp(v, "-") != 0 || b.s)
                        fuzz_violation("sdfield_quote: refuses '%s'%s", v, b.s ? ", yet writes something" : "");
                return;
        }
        _cleanup_(strv_freep) char **words = NULL;
        if (sd_extract_words(b.s, SD_EXTRACT_UNQUOTE | SD_EXTRACT_CUNESCAPE, &words) != 1)
                fuzz_violation("sdfield_quote: '%s' written as %s is not one field", v, b.s);
        _cleanup_free_ char *got = sd_specifiers_resolve(words[0], /* keep_specifiers= */ false);
        if (!got || strcmp(got, v) != 0)
                fuzz_violation("sdfield_quote: '%s' written as %s reads back as '%s'", v, b.s, got ? got : "(specifier error)");
        if (strcmp(got, "-") == 0)
                fuzz_violation("sdfield_quote: '-' written as %s reads back as an unset field", b.s);
        sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        Writer writer = (Writer) (data[0] % _WRITER_MAX);
        const char *raw = (const char *) data + 1;
        size_t n = size - 1;
        if (writer == WRITER_JSON) { /* it takes any bytes, NUL included */
                check_json(raw, n);
                return 0;
        }
        if (memchr(raw, 0, n) || !utf8_valid(raw, n))
                return 0;
        _cleanup_free_ char *v = xstrndup(raw, n);
        _cleanup_(strv_freep) char **parts = split(v);
        for (char **p = parts; *p; p++)
                if ((writer != WRITER_YAML && syntax_check_text(*p)) || (writer == WRITER_LIST_UNITS && syntax_check_unit_name(*p)) ||
                    ((writer == WRITER_LIST_PATHS || writer == WRITER_EXEC) && syntax_check_path(*p)))
                        return 0;
        if (writer == WRITER_ENV && syntax_check_env_name(parts[0]))
                return 0;
        switch (writer) {
        case WRITER_SET: check_set(v); break;
        case WRITER_SET_SPEC: check_set_spec(v); break;
        case WRITER_ENV: check_env(parts); break;
        case WRITER_LIST_UNITS: check_list(parts, /* paths= */ false); break;
        case WRITER_LIST_PATHS: check_list(parts, /* paths= */ true); break;
        case WRITER_EXEC: check_exec(parts); break;
        case WRITER_SHELL: check_shell(v); break;
        case WRITER_YAML: check_yaml(parts); break;
        case WRITER_SDFIELD: check_sdfield(v); break;
        case WRITER_JSON:
        case _WRITER_MAX: break;
        }
        return 0;
}
