/* SPDX-License-Identifier: MIT */
/* The systemd directives a spec may set in 'hardening.overrides': sandboxing and credentials only. */
#pragma once
#include <stdbool.h>

bool directive_overridable(const char *key);
/* NULL-terminated list, for "did you mean". */
extern const char *const overridable_directives[];
