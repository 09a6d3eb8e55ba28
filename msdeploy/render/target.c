/* SPDX-License-Identifier: MIT */
/* The project target: <name>.target pulls in every service and every enabled template instance. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render/render.h"
#include "util/xalloc.h"

/*
 * Ordering: the target Wants= its services and needs no After=, because a target with default dependencies is
 * ordered after everything it wants (systemd.target(5)); so it becomes active once they have started. Services
 * carry PartOf=<name>.target, so stopping or restarting the target does the same to them, and Wants= (not
 * Requires=) keeps one failing service from taking the others down.
 */
int render_target(const Model *m, ArtifactSet *out, Diags *d) {
        _cleanup_free_ char *unit = xasprintf("%s.target", m->name);
        _cleanup_free_ char *path = xasprintf("etc/systemd/system/%s", unit);

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
        uw_init(&w, &b, m->systemd_version, d, m->name_loc, unit); /* the target is named after the project */
        render_header(&b, m, "#");
        render_unit_section(&w, m, m->target_description ? m->target_description : m->description ? m->description : m->name);
        if (wants.len > 0)
                uw_set(&w, "Wants", wants.s);
        sb_free(&wants);
        if (m->target_wanted_by.n > 0) {
                uw_section(&w, "Install");
                uw_set_list(&w, "WantedBy", &m->target_wanted_by);
        }

        return uw_finish_artifact(&w, out, path);
}
