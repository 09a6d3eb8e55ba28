/* SPDX-License-Identifier: MIT */
/* Test fixture: the model examples/mister-smith.yaml merged with tiers/<tier>.yaml would produce, built by hand. */
#pragma once
#include "spec/model.h"

/* tier: "tier_1", "tier_2" or "tier_3"; NULL or anything else aborts. Free with fixture_free(). */
Model *fixture_model(const char *tier);
Model *fixture_free(Model *m);
