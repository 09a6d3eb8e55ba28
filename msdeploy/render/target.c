/* SPDX-License-Identifier: MIT */
/* The project target: <name>.target pulls in every service and every enabled template instance. */
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render/render.h"
#include "render/unit_writer.h"
#include "util/xalloc.h"

/*
 * Ordering: the target Wants= its services and needs no After=, because a target with default dependencies is
 * ordered after everything it wants (systemd.target(5)); so it becomes active once they have started. Services
 * carry PartOf=<name>.target, so stopping or restarting the target does the same to them, and Wants= (not
 * Requires=) keeps one failing service from taking the others down.
 */
int render_target(const Model *m, ArtifactSet *out, Diags *d) {
        _cleanup_free_ char *unit = NULL, *path = NULL;
        if (asprintf(&unit, "%s.target", m->name) < 0 || asprintf(&path, "etc/systemd/system/%s", unit) < 0)
                return -ENOMEM;

        StrBuf wants = {};
        for (size_t i = 0; i < m->n_services; i++) {
                const Service *s = &m->services[i];
                if (!s->templated) {
                        sb_append(&wants, wants.len ? " " : ""), sb_append(&wants, s->name), sb_append(&wants, ".service");
                        continue;
                }
                for (size_t j = 0; j < s->instances.n; j++)
                        sb_append(&wants, wants.len ? " " : ""), sb_append(&wants, s->name), sb_append(&wants, s->instances.items[j]),
                                sb_append(&wants, ".service");
        }

        StrBuf b = {};
        UnitWriter w;
        uw_init(&w, &b, m->systemd_version, d, (Loc) {}, unit);
        render_header(&b, m, "#");
        uw_section(&w, "Unit");
        uw_set_spec(&w, "Description", m->target_description ? m->target_description : m->description ? m->description : m->name);
        char source[PATH_MAX];
        if (render_spec_copy_path(m, source, sizeof(source)))
                uw_set(&w, "SourcePath", source);
        if (wants.len > 0)
                uw_set(&w, "Wants", wants.s);
        sb_free(&wants);
        if (m->target_wanted_by.n > 0) {
                uw_section(&w, "Install");
                uw_set_list(&w, "WantedBy", &m->target_wanted_by);
        }

        return uw_finish_artifact(&w, out, path);
}
