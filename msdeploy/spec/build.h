/* SPDX-License-Identifier: MIT */
/* Model building: the effective tree of a composed spec becomes the typed model, with the semantic
 * checks that need the whole picture (references, cycles, slice budgets, capability names). */
#pragma once
#include "spec/compose.h"
#include "spec/model.h"

typedef struct BuildOptions {
        unsigned systemd_version; /* 0: 252 */
} BuildOptions;

/* Every problem goes to d; returns -EINVAL if any error was found (the model is not returned then). */
int spec_build_model(const Spec *spec, const BuildOptions *o, Model **ret, Diags *d);
