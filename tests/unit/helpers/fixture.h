/* SPDX-License-Identifier: MIT */
/* Test fixtures: models taken from YAML through the real pipeline (compose with the repository's tiers/, build),
 * as `msdeploy -f SPEC --tiers-dir tiers --tier TIER` makes them. */
#pragma once
#include "spec/build.h"
#include "spec/compose.h"

/* A loaded spec: the model points into the spec (its sources, its text), so they live and die together. */
typedef struct Fixture {
        Spec *spec;
        Model *model;
        Diags diags;    /* what the loader said: warnings only, or the fixture would have failed the test */
} Fixture;

/* The spec at path for tier, with --set overrides (NULL-terminated, or NULL). Fails the current test, printing the
 * diagnostics, unless it loads without errors. Free with fixture_free(). */
Fixture *fixture_file(const char *path, const char *tier, const char *const *sets);
/* The same for a spec written inline. */
Fixture *fixture_yaml(const char *yaml, const char *tier, const char *const *sets);
/* examples/mister-smith.yaml, the bundled example. */
Fixture *fixture_example(const char *tier, const char *const *sets);
/* tests/fixtures/awkward.yaml for tier_3: a small spec shaped like the example, with values that need quoting or
 * escaping (quotes, '$', '%', '&', backquotes, empty values) wherever the spec accepts them. */
Fixture *fixture_awkward(const char *const *sets);
/* The least a spec needs: a project and one service, and nothing else (no checks, supervision or alerts). */
#define FIXTURE_MINIMAL_YAML "project: {name: demo}\nusers: {demo: {}}\nservices:\n  api: {exec: /usr/bin/true, user: demo}\n"
Fixture *fixture_free(Fixture *f);
