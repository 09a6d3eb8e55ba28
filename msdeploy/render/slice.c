/* SPDX-License-Identifier: MIT */
/* Slice units: one <name>.slice per model slice, carrying the tier's resource budget. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render/render.h"
#include "util/xalloc.h"

/* systemd nests slices by name: "a-b.slice" lives in "a.slice". A child's name is its parent's, a dash and one
 * more dash-free component. */
static bool slice_name_nests(const Slice *s) {
        size_t n = strlen(s->parent->name);
        return strncmp(s->name, s->parent->name, n) == 0 && s->name[n] == '-' && s->name[n + 1] != 0 &&
               strchr(s->name + n + 1, '-') == NULL;
}

static int render_slice(const Model *m, const Slice *s, ArtifactSet *out, Diags *d) {
        _cleanup_free_ char *unit = xasprintf("%s.slice", s->name);
        _cleanup_free_ char *path = xasprintf("etc/systemd/system/%s", unit);

        StrBuf b = {};
        UnitWriter w;
        uw_init(&w, &b, m->systemd_version, d, s->loc, unit);
        render_header(&b, m, "#");
        render_unit_section(&w, m, s->description ? s->description : s->name);
        uw_section(&w, "Slice");
        uw_set_limits(&w, &s->limits);
        return uw_finish_artifact(&w, out, path);
}

int render_slices(const Model *m, ArtifactSet *out, Diags *d) {
        for (size_t i = 0; i < m->n_slices; i++) {
                const Slice *s = &m->slices[i];
                if (s->parent && !slice_name_nests(s)) {
                        diag_error(d, s->loc, "slice '%s' is not named after its parent '%s' ('%s-<name>')", s->name,
                                   s->parent->name, s->parent->name);
                        return -EINVAL;
                }
                int r = render_slice(m, s, out, d);
                if (r < 0)
                        return r;
        }
        return 0;
}
