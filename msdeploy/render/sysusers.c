/* SPDX-License-Identifier: MIT */
/* Renders the sysusers.d(5) file creating the project's dedicated system users and groups. */
#include <stdbool.h>
#include <string.h>

#include "render/render.h"
#include "render/sdfield.h"
#include "util/xalloc.h"

#define CONSUMER "systemd-sysusers"

static const char *user_group(const User *u) {
        return u->group ? u->group : u->name;
}

/* Appends name, and where it was set, to the list unless it is there already. */
static void add_unique(const char **list, Loc *locs, size_t *n, const char *name, Loc loc) {
        for (size_t i = 0; i < *n; i++)
                if (strcmp(list[i], name) == 0)
                        return;
        locs[*n] = loc;
        list[(*n)++] = name;
}

/* "u NAME -:GROUP" needs GROUP to exist when the line is processed (systemd 252 skips the user
 * with "Group ... not found" otherwise), so every group a user names gets a "g" line: declared
 * ones first, then the others in user order. "g" leaves an existing group alone. */
static void render_groups(const Model *m, StrBuf *b, Diags *d, int *error) {
        size_t cap = m->n_groups;
        for (size_t i = 0; i < m->n_users; i++)
                cap += 1 + m->users[i].groups.n;
        _cleanup_free_ const char **names = xcalloc(cap ? cap : 1, sizeof(char *));
        _cleanup_free_ Loc *locs = xcalloc(cap ? cap : 1, sizeof(Loc));
        size_t n = 0;
        for (size_t i = 0; i < m->n_groups; i++)
                add_unique(names, locs, &n, m->groups[i].name, m->groups[i].loc);
        for (size_t i = 0; i < m->n_users; i++) {
                add_unique(names, locs, &n, user_group(&m->users[i]), m->users[i].loc);
                for (size_t j = 0; j < m->users[i].groups.n; j++)
                        add_unique(names, locs, &n, m->users[i].groups.items[j], m->users[i].loc);
        }
        for (size_t i = 0; i < n; i++) {
                sb_append(b, "g ");
                sdfield_put(b, names[i], d, locs[i], "group name", CONSUMER, error);
                sb_append(b, " -\n");
        }
}

/* The fields were vetted by the model builder with systemd-sysusers' own rules: no ':' in any, no description of
 * "-". An unset home or shell is written as '-': sysusers' defaults, "/" and nologin. */
static void render_user(const User *u, StrBuf *b, Diags *d, int *error) {
        const char *desc = u->description ? u->description : u->name;
        StrBuf id = {};
        sb_printf(&id, "-:%s", user_group(u)); /* allocate a UID, primary group by name */
        sb_append(b, "u ");
        sdfield_put(b, u->name, d, u->loc, "user name", CONSUMER, error);
        sb_putc(b, ' ');
        sdfield_put(b, id.s, d, u->loc, "user ID", CONSUMER, error);
        sb_putc(b, ' ');
        sdfield_put(b, desc, d, u->loc, "user description", CONSUMER, error);
        sb_putc(b, ' ');
        if (u->home)
                sdfield_put(b, u->home, d, u->loc, "user home", CONSUMER, error);
        else
                sb_putc(b, '-');
        sb_putc(b, ' ');
        if (u->shell)
                sdfield_put(b, u->shell, d, u->loc, "user shell", CONSUMER, error);
        else
                sb_putc(b, '-');
        sb_putc(b, '\n');
        sb_free(&id);
}

int render_sysusers(const Model *m, ArtifactSet *out, Diags *d) {
        if (m->n_groups == 0 && m->n_users == 0)
                return 0;

        int error = 0;
        StrBuf b = {};
        render_header(&b, m, "#");
        render_groups(m, &b, d, &error);
        for (size_t i = 0; i < m->n_users; i++)
                render_user(&m->users[i], &b, d, &error);
        for (size_t i = 0; i < m->n_users; i++)
                for (size_t j = 0; j < m->users[i].groups.n; j++) {
                        sb_append(&b, "m ");
                        sdfield_put(&b, m->users[i].name, d, m->users[i].loc, "user name", CONSUMER, &error);
                        sb_putc(&b, ' ');
                        sdfield_put(&b, m->users[i].groups.items[j], d, m->users[i].loc, "group name", CONSUMER, &error);
                        sb_putc(&b, '\n');
                }
        if (error < 0) {
                sb_free(&b);
                return error;
        }

        artifact_set_takef(out, &b, 0644, "etc/sysusers.d/%s.conf", m->name);
        return 0;
}
