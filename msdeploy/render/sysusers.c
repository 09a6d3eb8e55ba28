/* SPDX-License-Identifier: MIT */
/* Renders the sysusers.d(5) file creating the project's dedicated system users and groups. */
#include <stdbool.h>
#include <string.h>

#include "render/render.h"
#include "render/sdfield.h"
#include "util/xalloc.h"

static const char *user_group(const User *u) {
        return u->group ? u->group : u->name;
}

/* Appends name to the list unless it is there already. */
static void add_unique(const char **list, size_t *n, const char *name) {
        for (size_t i = 0; i < *n; i++)
                if (strcmp(list[i], name) == 0)
                        return;
        list[(*n)++] = name;
}

/* "u NAME -:GROUP" needs GROUP to exist when the line is processed (systemd 252 skips the user
 * with "Group ... not found" otherwise), so every group a user names gets a "g" line: declared
 * ones first, then the others in user order. "g" leaves an existing group alone. */
static void render_groups(const Model *m, StrBuf *b) {
        size_t cap = m->n_groups;
        for (size_t i = 0; i < m->n_users; i++)
                cap += 1 + m->users[i].groups.n;
        _cleanup_free_ const char **names = xcalloc(cap ? cap : 1, sizeof(char *));
        size_t n = 0;
        for (size_t i = 0; i < m->n_groups; i++)
                add_unique(names, &n, m->groups[i].name);
        for (size_t i = 0; i < m->n_users; i++) {
                add_unique(names, &n, user_group(&m->users[i]));
                for (size_t j = 0; j < m->users[i].groups.n; j++)
                        add_unique(names, &n, m->users[i].groups.items[j]);
        }
        for (size_t i = 0; i < n; i++) {
                sb_append(b, "g ");
                sdfield_quote(b, names[i]);
                sb_append(b, " -\n");
        }
}

/* The fields were vetted by the model builder with systemd-sysusers' own rules: no ':' in any. */
static void render_user(const User *u, StrBuf *b) {
        const char *desc = u->description ? u->description : u->name;
        StrBuf id = {};
        sb_printf(&id, "-:%s", user_group(u)); /* allocate a UID, primary group by name */
        sb_append(b, "u ");
        sdfield_quote(b, u->name);
        sb_putc(b, ' ');
        sdfield_quote(b, id.s);
        sb_putc(b, ' ');
        sdfield_quote(b, desc);
        sb_putc(b, ' ');
        sdfield_quote(b, u->home ? u->home : "-");   /* "-": sysusers' default, "/" */
        sb_putc(b, ' ');
        sdfield_quote(b, u->shell ? u->shell : "-"); /* "-": nologin for system users */
        sb_putc(b, '\n');
        sb_free(&id);
}

int render_sysusers(const Model *m, ArtifactSet *out, Diags *d) {
        (void) d;
        if (m->n_groups == 0 && m->n_users == 0)
                return 0;

        StrBuf b = {};
        render_header(&b, m, "#");
        render_groups(m, &b);
        for (size_t i = 0; i < m->n_users; i++)
                render_user(&m->users[i], &b);
        for (size_t i = 0; i < m->n_users; i++)
                for (size_t j = 0; j < m->users[i].groups.n; j++) {
                        sb_append(&b, "m ");
                        sdfield_quote(&b, m->users[i].name);
                        sb_putc(&b, ' ');
                        sdfield_quote(&b, m->users[i].groups.items[j]);
                        sb_putc(&b, '\n');
                }

        artifact_set_takef(out, &b, 0644, "etc/sysusers.d/%s.conf", m->name);
        return 0;
}
