/* SPDX-License-Identifier: MIT */
/* Test helpers for the spec pipeline: compose and build a spec written inline, look for diagnostics. */
#pragma once
#include <stdbool.h>

#include "spec/build.h"
#include "spec/compose.h"

/* Writes yaml to a fresh temporary file and composes it for tier with the repository's tiers/. The
 * path is kept until spec_check_cleanup(). sets: NULL-terminated --set list or NULL. */
int spec_check_compose(const char *yaml, const char *tier, const char *const *sets, Spec **ret, Diags *d);
/* The same for the spec file at path (what `msdeploy -f PATH --tiers-dir tiers` composes). */
int spec_check_compose_file(const char *path, const char *tier, const char *const *sets, Spec **ret, Diags *d);
/* Composes and builds; the model (or NULL) in ret_model. */
int spec_check_build(const char *yaml, const char *tier, Spec **ret_spec, Model **ret_model, Diags *d);
/* Whether d holds a diagnostic of level at line:col (0: any) whose message contains text. */
bool diags_has(const Diags *d, DiagLevel level, unsigned line, unsigned col, const char *text);
/* Prints every diagnostic (for failing tests). */
void diags_dump(const Diags *d);
void spec_check_cleanup(void);
/* The bundled example's path. */
const char *example_path(void);
