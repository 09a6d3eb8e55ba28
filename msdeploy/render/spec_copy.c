/* SPDX-License-Identifier: MIT */
/* The spec itself, installed as CONFIG_DIR/msdeploy.yaml: what every unit's SourcePath= names. */
#include <string.h>

#include "render/render.h"
#include "util/xalloc.h"

char *render_spec_copy_path(const Model *m) {
        return m->spec_text ? xasprintf("%s/msdeploy.yaml", m->config_dir) : NULL;
}

int render_spec_copy(const Model *m, ArtifactSet *out, Diags *d) {
        (void) d;
        _cleanup_free_ char *path = render_spec_copy_path(m);
        if (!path)
                return 0;
        char *data = xmalloc(m->spec_len + 1);
        memcpy(data, m->spec_text, m->spec_len);
        data[m->spec_len] = 0;
        /* 0640: the spec may hold values that only the services' env files (0640) should show */
        artifact_set_add(out, path + strspn(path, "/"), 0640, "root", "root", data, m->spec_len);
        return 0;
}
