/* SPDX-License-Identifier: MIT */
/* Reading an environment file the way systemd's EnvironmentFile= reads it, for what msd-supervisor gives its workers. */
#pragma once
#include <stddef.h>

/* Parses text as systemd parses an EnvironmentFile= (load_env_file()): lines KEY=VALUE, blank lines and lines starting
 * with '#' or ';' skipped, whitespace around KEY and VALUE dropped; a VALUE in double quotes unescapes \" \\ \` \$ and
 * joins a backslash-newline, one in single quotes is literal, a bare one takes a backslash as "the next character as
 * is". Returns the number of variables and *ret a NULL-terminated list of "KEY=VALUE" (a later KEY replaces an
 * earlier one, as in systemd), or -EINVAL with *ret_line the line that is not KEY=VALUE or has an unterminated
 * quote. */
int env_file_parse(const char *text, char ***ret, unsigned *ret_line);
