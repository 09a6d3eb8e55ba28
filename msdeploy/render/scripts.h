/* SPDX-License-Identifier: MIT */
/* The generated shell scripts: shared framing, and one renderer per script. */
#pragma once
#include "render/render.h"

/* "#!/bin/bash", the generated-by header, "set -euo pipefail" and PROJECT=. */
void script_begin(StrBuf *b, const Model *m);
/* Adds b as <libexec_dir>/<name>-style script, mode 0755. */
void script_add(const Model *m, ArtifactSet *out, const char *file, StrBuf *b);

int render_script_cgroups(const Model *m, ArtifactSet *out, Diags *d);    /* setup-<name>-cgroups.sh */
int render_script_production(const Model *m, ArtifactSet *out, Diags *d); /* setup-<name>-production.sh */
int render_script_health(const Model *m, ArtifactSet *out, Diags *d);     /* system-health-check.sh */
