/* SPDX-License-Identifier: MIT */
/* Lexical rules for values that reach unit files, env files and scripts. Each returns NULL when the
 * value is acceptable, else a message fragment saying what is wrong ("contains a newline"). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "spec/model.h"
#include "util/strv.h"

const char *syntax_check_text(const char *s);
/* Text that lands as a unit file value as it is: no space at either end (systemd strips it; tabs are controls). */
const char *syntax_check_edge_space(const char *s);
const char *syntax_check_name(const char *s);
const char *syntax_check_user(const char *s);
const char *syntax_check_path(const char *s);
const char *syntax_check_command(const char *s);
const char *syntax_check_unit_name(const char *s);
const char *syntax_check_env_name(const char *s);
const char *syntax_check_directive(const char *s);
const char *syntax_check_address(const char *s);
/* An http:// or https:// URL with a host, without characters a shell or YAML would read. */
const char *syntax_check_url(const char *s);
/* A health check's target as its kind needs it: a URL, host:port, a process name or a script path. */
const char *syntax_check_check_target(HealthKind kind, const char *target);
/* Why the variable name=value (name may be NULL: a URL alone) looks like a secret, or NULL: a name with a word such as
 * PASSWORD, SECRET, TOKEN or KEY and a value that is not a path, a URL with a password, a PEM block. */
const char *syntax_secret_hint(const char *name, const char *value);
/* A worker's readiness check, as msd-supervisor runs it: an http(s) URL, else host:port (a TCP connect). */
const char *syntax_check_readiness_check(const char *s);

/* Splits a command line the way systemd 252 splits ExecStart= (extract_first_word() with EXTRACT_UNQUOTE and
 * EXTRACT_CUNESCAPE, whitespace separating words): quotes removed, C escapes (\n, \x2f, \101, \u00e9, \s, ...)
 * resolved inside and outside quotes. Returns the word count (words malloc'ed, NULL-terminated), or -EINVAL with
 * ret_why (may be NULL) saying why: unbalanced quotes, a trailing backslash, an escape systemd does not know (it
 * would warn and keep it), or a lone ';' (a second command). */
int command_split_full(const char *s, char ***ret_words, const char **ret_why);
int command_split(const char *s, char ***ret_words);
