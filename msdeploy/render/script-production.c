/* SPDX-License-Identifier: MIT */
/* Renders setup-<name>-production.sh, the stand-alone installer, from templates/setup-production.sh. */
#include <stdio.h>
#include <string.h>

#include "render/envfile.h"
#include "render/scripts.h"
#include "render/shell.h"
#include "render/unitnames.h"
#include "util/xalloc.h"

int render_script_production(const Model *m, ArtifactSet *out, Diags *d) {
        StrBuf settings = {}, owned = {}, s = {}, file = {};
        shell_assign(&settings, "PROJECT", m->name);
        sb_printf(&s, "%s.target", m->name);
        shell_assign(&settings, "TARGET", s.s);
        shell_assign(&settings, "UNIT_DIR", "etc/systemd/system");
        shell_assign(&settings, "LIBEXEC_DIR", m->libexec_dir + strspn(m->libexec_dir, "/"));
        s.len = 0;
        if (m->n_users > 0 || m->n_groups > 0)
                sb_printf(&s, "etc/sysusers.d/%s.conf", m->name);
        shell_assign(&settings, "SYSUSERS", s.s ? s.s : "");
        s.len = 0;
        sb_printf(&s, "etc/tmpfiles.d/%s.conf", m->name);
        shell_assign(&settings, "TMPFILES", s.s);
        sb_free(&s);

        sb_append(&settings, "INSTANCES=(");
        bool first = true;
        for (size_t i = 0; i < m->n_services; i++)
                for (size_t j = 0; m->services[i].templated && j < m->services[i].instances.n; j++, first = false) {
                        _cleanup_free_ char *unit = service_unit_name(&m->services[i], j);
                        sb_append(&settings, first ? "" : " ");
                        shell_quote(&settings, unit);
                }
        sb_append(&settings, ")\n");

        for (size_t i = 0; i < m->n_env_files; i++) {
                const EnvFile *e = &m->env_files[i];
                StrBuf path = {};
                char mode[8];
                env_file_path(&path, m, e);
                snprintf(mode, sizeof(mode), "%04o", (unsigned) env_file_mode(e));
                shell_line(&owned, "        ", path.s, e->owner ? e->owner : "root", e->group ? e->group : "root", mode, NULL);
                sb_free(&path);
        }

        sb_printf(&file, "setup-%s-production.sh", m->name);
        const TemplateFill fills[] = { { "settings", settings.s }, { "owned-files", owned.s } };
        int r = script_render(m, "setup-production.sh", fills, ELEMENTSOF(fills), file.s, out, d);
        sb_free(&settings);
        sb_free(&owned);
        sb_free(&file);
        return r;
}
