/* SPDX-License-Identifier: MIT */
/* Lexical rules for values that reach unit files, env files and scripts. Each returns NULL when the
 * value is acceptable, else a message fragment saying what is wrong ("contains a newline"). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/strv.h"

const char *syntax_check_text(const char *s);
const char *syntax_check_name(const char *s);
const char *syntax_check_user(const char *s);
const char *syntax_check_path(const char *s);
const char *syntax_check_command(const char *s);
const char *syntax_check_unit_name(const char *s);
const char *syntax_check_env_name(const char *s);
const char *syntax_check_directive(const char *s);
const char *syntax_check_address(const char *s);

/* Splits a command line the way systemd does (quotes, backslash escapes) into at most max words.
 * Returns the word count, or -EINVAL when quoting is unbalanced. Words are malloc'ed. */
int command_split(const char *s, char ***ret_words);
