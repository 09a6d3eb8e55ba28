/* SPDX-License-Identifier: MIT */
/* Renders the generated shell scripts from templates/: cgroup setup, stand-alone installer, health check. */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "render/scripts.h"

int script_render(const Model *m, const char *template_name, const TemplateFill *fills, size_t n_fills,
                  const char *file, ArtifactSet *out, Diags *d) {
        const Template *t = template_find(template_name);
        if (!t) {
                diag_error(d, (Loc) {}, "no template '%s' is built in", template_name);
                return -ENOENT;
        }
        StrBuf header = {}, b = {};
        render_header(&header, m, "#");
        TemplateFill all[TEMPLATE_FILLS_MAX] = { { "header", header.s } };
        assert(n_fills < TEMPLATE_FILLS_MAX);
        memcpy(all + 1, fills, n_fills * sizeof(*fills));
        int r = template_fill(t, all, n_fills + 1, d, &b);
        sb_free(&header);
        if (r < 0)
                return r;
        artifact_set_takef(out, &b, 0755, "%s/%s", m->libexec_dir, file);
        return 0;
}

int render_scripts(const Model *m, ArtifactSet *out, Diags *d) {
        static int (*const renderers[])(const Model *, ArtifactSet *, Diags *) = {
                render_script_cgroups,
                render_script_production,
                render_script_health,
        };
        for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
                int r = renderers[i](m, out, d);
                if (r < 0)
                        return r;
        }
        return 0;
}
