/* SPDX-License-Identifier: MIT */
/* Reading an environment file the way systemd's EnvironmentFile= reads it, for what msd-supervisor gives its workers. */
#pragma once
#include <stddef.h>

/* Parses text as systemd parses an EnvironmentFile= (load_env_file()): lines KEY=VALUE, blank lines and lines starting
 * with '#' or ';' skipped, whitespace around KEY and VALUE dropped; a VALUE in double quotes unescapes \" \\ \` \$ and
 * joins a backslash-newline, one in single quotes is literal, a bare one takes a backslash as "the next character as
 * is". *vars is NULL, or the list of an earlier file: the file's variables are set in it, a later KEY replacing an
 * earlier one, as in systemd. Returns the number of variables in *vars (a NULL-terminated list of "KEY=VALUE"), or
 * -EINVAL, with *vars untouched and *ret_line the line that is not KEY=VALUE or has an unterminated quote. */
int env_file_parse(const char *text, char ***vars, unsigned *ret_line);
/* Sets "name=value" in *vars (NULL: a new list), replacing an earlier name. */
void env_assign(char ***vars, const char *name, const char *value);
