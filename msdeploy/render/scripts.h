/* SPDX-License-Identifier: MIT */
/* The generated shell scripts: one renderer per script, each filling the data blocks of its template. */
#pragma once
#include "render/render.h"
#include "render/template.h"

/* templates/TEMPLATE_NAME with its "header" block filled with the generated-by header and the other blocks with
 * fills, added as LIBEXEC_DIR/file, mode 0755. */
int script_render(const Model *m, const char *template_name, const TemplateFill *fills, size_t n_fills,
                  const char *file, ArtifactSet *out, Diags *d);

int render_script_cgroups(const Model *m, ArtifactSet *out, Diags *d);    /* setup-<name>-cgroups.sh */
int render_script_production(const Model *m, ArtifactSet *out, Diags *d); /* setup-<name>-production.sh */
int render_script_health(const Model *m, ArtifactSet *out, Diags *d);     /* system-health-check.sh */
