/* SPDX-License-Identifier: MIT */
/* Renders the generated shell scripts: cgroup setup, stand-alone installer, health check. */
#include <string.h>

#include "render/scripts.h"
#include "render/shell.h"

void script_begin(StrBuf *b, const Model *m) {
        sb_append(b, "#!/bin/bash\n");
        render_header(b, m, "#");
        sb_append(b, "set -euo pipefail\n\n");
        shell_assign(b, "PROJECT", m->name);
}

void script_add(const Model *m, ArtifactSet *out, const char *file, StrBuf *b) {
        artifact_set_takef(out, b, 0755, "%s/%s", m->libexec_dir, file);
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
