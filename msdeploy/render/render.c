/* SPDX-License-Identifier: MIT */
/* Rendering entry point: runs every artifact renderer over the model and sorts the result. */
#include "render/render.h"

int render_model(const Model *m, ArtifactSet *out, Diags *d) {
        static int (*const renderers[])(const Model *, ArtifactSet *, Diags *) = {
                render_services,  render_target,  render_slices,        render_env_files,  render_sysusers,
                render_tmpfiles,  render_scripts, render_health_config, render_monitoring, render_supervisor, render_spec_copy,
        };
        for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
                int r = renderers[i](m, out, d);
                if (r < 0)
                        return r;
        }
        artifact_set_sort(out);
        return 0;
}
