/* SPDX-License-Identifier: MIT */
/* Test helpers for rendered artifacts: running tools on them, reading YAML back. */
#pragma once
#include <stdbool.h>

#include "render/render.h"

/* Runs argv with data on stdin; returns its exit status (or -errno) and its stdout+stderr. */
int check_run(const char *const *argv, const char *data, char **ret_output);
/* shellcheck's complaints about script ("" when there are none); bash -n's too. */
char *check_shellcheck(const char *script);
/* A temporary directory (mkdtemp) and its recursive removal. */
char *check_tmpdir(void);
void check_rm_rf(char *dir);
/* Writes data to dir/rel (parents created), mode applied. */
void check_write(const char *dir, const char *rel, const char *data, mode_t mode);

/* Whether text is one well-formed YAML document (libyaml). */
bool check_yaml_valid(const char *text);
/* The scalar at a dotted path of mappings keys and sequence indexes ("groups.0.rules.1.alert"),
 * malloc'ed, or NULL. ret_quoted: whether the scalar was written quoted. */
char *check_yaml_get(const char *text, const char *path, bool *ret_quoted);
/* Number of entries of the mapping or sequence at path, -1 if there is none. */
int check_yaml_len(const char *text, const char *path);
/* Fails the current cmocka test unless the scalar at path equals expected. */
void check_assert_yaml(const char *text, const char *path, const char *expected);
