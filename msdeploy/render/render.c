/* SPDX-License-Identifier: MIT */
/* Rendering entry point: runs every artifact renderer over the model and sorts the result. */
#include "render/render.h"

typedef int (*Renderer)(const Model *, ArtifactSet *, Diags *);

/* Two parts of about equal cost, so that two threads can render one tier together. */
static const Renderer part_units[] = { render_services };
static const Renderer part_rest[] = {
        render_target, render_slices,        render_env_files,  render_sysusers,   render_tmpfiles,
        render_scripts, render_health_config, render_monitoring, render_supervisor, render_spec_copy,
};

int render_model_part(const Model *m, unsigned part, ArtifactSet *out, Diags *d) {
        const Renderer *list = part == 0 ? part_units : part_rest;
        size_t n = part == 0 ? sizeof(part_units) / sizeof(part_units[0]) : sizeof(part_rest) / sizeof(part_rest[0]);
        for (size_t i = 0; i < n; i++) {
                int r = list[i](m, out, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

int render_model(const Model *m, ArtifactSet *out, Diags *d) {
        for (unsigned part = 0; part < RENDER_PARTS; part++) {
                int r = render_model_part(m, part, out, d);
                if (r < 0)
                        return r;
        }
        artifact_set_sort(out);
        return 0;
}
