/* SPDX-License-Identifier: MIT */
/* The consumers of what msdeploy writes, re-implemented for the fuzz targets' read-back checks: systemd 252's
 * word splitting and unescaping, its unit file reader and specifier rules, a POSIX shell word reader, JSON and
 * YAML (libyaml) readers. Each follows the real parser, not msdeploy's writers. Also what the fuzz targets share:
 * reporting a broken invariant, skipping the classes of open bugs, handing text to code that reads files. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* systemd 252 src/basic/extract-word.h: the flags the consumers of msdeploy's output pass (EXTRACT_RELAX, for
 * unbalanced quotes, none of them) */
enum {
        SD_EXTRACT_CUNESCAPE = 1 << 1,
        SD_EXTRACT_UNESCAPE_RELAX = 1 << 2,
        SD_EXTRACT_UNQUOTE = 1 << 4,
        SD_EXTRACT_RETAIN_ESCAPE = 1 << 7,
};
#define SD_WHITESPACE " \t\n\r"

/* extract_first_word() of systemd 252 (src/basic/extract-word.c), separators NULL: whitespace. Returns 1 and a
 * malloc'ed word, 0 at the end (*p NULL), -EINVAL where systemd refuses the text. */
int sd_extract_first_word(const char **p, char **ret, const char *separators, unsigned flags);
/* Splits all of s as sd_extract_first_word() does; the NULL-terminated words in *ret. Returns their number or
 * -EINVAL. */
int sd_extract_words(const char *s, unsigned flags, char ***ret);
/* Resolves unit file specifiers the way systemd 252 does for a value with no specifier allowed but "%%": a lone
 * '%' or any other specifier fails (-EBADSLT). keep_specifiers: a known specifier stays as written ("%i"), as a
 * placeholder for what systemd would put there. Returns a malloc'ed string or NULL on failure. */
char *sd_specifiers_resolve(const char *s, bool keep_specifiers);
/* systemd's env_name_is_valid() and env_value_is_valid() (src/basic/env-util.c, 252). */
bool sd_env_name_valid(const char *s);
bool sd_env_value_valid(const char *s);

/* One directive of a unit file as systemd 252's config_parse() reads it: the value stripped of whitespace. */
typedef struct UnitLine {
        char *section, *key, *value;
} UnitLine;
/* Reads a unit file as config_parse() does: lines end at "\n", "\r" or "\r\n"; comments and blank lines skipped,
 * "[Section]" headers, "Key=value" inside a section. Returns the number of directives (array in *ret, free with
 * unit_lines_free()) or -EINVAL with the reason in *ret_why (static text) for what systemd would refuse or warn
 * about: invalid UTF-8, a line outside a section, without '=' or with a key that is no directive name, a
 * continuation. */
int unit_parse(const char *text, UnitLine **ret, const char **ret_why);
void unit_lines_free(UnitLine *l, size_t n);

/* Reads s as one POSIX shell word: unquoted literal characters, '...' and "..." (with \$ \` \" \\ and
 * \newline); anything that would expand, glob, split or redirect makes it fail. Returns a malloc'ed string or
 * NULL. */
char *sh_read_word(const char *s);

/* Whether text is one JSON value (RFC 8259) followed by whitespace only, all of it valid UTF-8. */
bool json_valid(const char *text, size_t n);
/* Reads the JSON string literal that is all of text; its value (malloc'ed, *ret_len bytes) or NULL. */
char *json_read_string(const char *text, size_t n, size_t *ret_len);

/* Reads text as YAML (libyaml) holding one mapping of one key; its value's scalar (malloc'ed) or NULL.
 * ret_plain: whether it was written plain, so that YAML 1.1 and 1.2 resolvers type it. */
char *yaml_read_value(const char *text, bool *ret_plain);
/* Whether a plain scalar resolves to something other than a string in YAML 1.1 (bool, null, int, float,
 * timestamp, merge, value) or in YAML 1.2's core schema. */
bool yaml_plain_is_typed(const char *s);
/* Whether text is one well-formed YAML stream (libyaml). */
bool yaml_valid(const char *text, size_t n);

/* Whether s[0..n) is valid UTF-8. */
bool utf8_valid(const char *s, size_t n);
/* A path (of a memfd, rewritten at each call) from which code that reads files reads text. */
const char *fuzz_memfd_path(const char *text, size_t n);
/* Whether the classes of the open bugs of tests/fuzz/crashes/KNOWN are to be skipped: when fuzzing (tests/fuzz/run
 * sets MSD_FUZZ_SKIP_KNOWN), so that it finds other ones; not when an input is replayed. */
bool fuzz_skip_known(void);
/* Stops the fuzzer with the invariant that broke (a message on stderr, then abort()). */
_Noreturn void fuzz_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
