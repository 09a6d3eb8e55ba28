/* SPDX-License-Identifier: MIT */
/* Signal names as a spec writes them for KillSignal= and SuccessExitStatus=. */
#pragma once
#include <stdbool.h>

/* The Linux signals by their canonical name ("SIGINT"), NULL-terminated. */
extern const char *const signal_names[];

bool signal_name_valid(const char *s);
/* The signal a misspelt name most likely means: "SIGINT" for "sigint", "INT" or "SIGIT"; NULL when none is
 * close. */
const char *signal_name_suggest(const char *s);
