/* SPDX-License-Identifier: MIT */
/* Rendering entry point: runs every artifact renderer over the model and sorts the result. */
#include "render/render.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "util/twin.h"

typedef int (*Renderer)(const Model *, ArtifactSet *, Diags *);

/* Two parts of about equal cost, so that two threads can render one tier together: the services are most of the
 * work, the rest (msd-supervisor's configurations, the scripts, the spec's copy) about as much as a fifth of them,
 * so the first part is four fifths of the services and the second the last fifth and the rest. One part after the
 * other gives what one pass does. */
static size_t services_cut(const Model *m) {
        return m->n_services - m->n_services / 5;
}
static int render_services_head(const Model *m, ArtifactSet *out, Diags *d) {
        return render_services_range(m, 0, services_cut(m), out, d);
}
static int render_services_tail(const Model *m, ArtifactSet *out, Diags *d) {
        return render_services_range(m, services_cut(m), m->n_services, out, d);
}

static const Renderer part_units[] = { render_services_head };
static const Renderer part_rest[] = {
        render_services_tail, render_target,        render_slices,     render_env_files,  render_sysusers, render_tmpfiles,
        render_scripts,       render_health_config, render_monitoring, render_supervisor, render_spec_copy,
};

int render_model_part(const Model *m, unsigned part, ArtifactSet *out, Diags *d) {
        const Renderer *list = part == 0 ? part_units : part_rest;
        size_t n = part == 0 ? sizeof(part_units) / sizeof(part_units[0]) : sizeof(part_rest) / sizeof(part_rest[0]);
        for (size_t i = 0; i < n; i++) {
                int r = list[i](m, out, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What put a file at path: an env file of the spec, or one of the files msdeploy names itself in config_dir,
 * libexec_dir or the system's directories. Where the spec chose that path, for the error. */
typedef struct Origin {
        const char *what; /* "env file 'x'", "the generated file '/etc/x'" */
        Loc loc;
        int rank;         /* how directly the spec chose the path: the error goes to the highest */
} Origin;

static bool path_below(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || (n == 1 && dir[0] == '/'));
}

/* skip: how many env files at path to pass over, so that two files at one path get two origins */
static Origin origin_of(const Model *m, const char *path, size_t skip, char *buf, size_t size) {
        for (size_t i = 0; i < m->n_env_files; i++)
                if (strcmp(m->env_files[i].path + strspn(m->env_files[i].path, "/"), path) == 0 && skip-- == 0) {
                        snprintf(buf, size, "env file '%s'", m->env_files[i].key);
                        return (Origin) { buf, m->env_files[i].path_loc, 3 };
                }
        snprintf(buf, size, "the generated file '/%s'", path);
        char abs[4097];
        snprintf(abs, sizeof(abs), "/%s", path);
        if (path_below(abs, m->config_dir))
                return (Origin) { buf, m->config_dir_loc, 2 };
        if (path_below(abs, m->libexec_dir))
                return (Origin) { buf, m->libexec_dir_loc, 1 };
        return (Origin) { buf, m->name_loc, 0 };
}

/* Why a file cannot be created at path (relative to the root), or NULL: too long a path or component. */
static const char *path_too_long(const char *path) {
        if (strlen(path) + 1 >= PATH_MAX)
                return "is longer than 4095 bytes (PATH_MAX)";
        for (const char *p = path; *p; p += strcspn(p, "/"), p += *p == '/')
                if (strcspn(p, "/") > NAME_MAX)
                        return "has a component longer than 255 bytes (NAME_MAX)";
        return NULL;
}

/* Whether a and b (relative to the root) are one path, or one lies below the other. */
static bool paths_clash(const char *a, const char *b) {
        size_t na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;
        return strncmp(a, b, n) == 0 && (na == nb || (na < nb ? b[na] : a[nb]) == '/');
}

/* The payload installs next to the generated files: none may take a generated file's path, or the path of a
 * directory one of them needs, and neither may another payload file. */
static int check_payload_paths(const Model *m, const ArtifactSet *s, Diags *d) {
        int r = 0;
        for (size_t i = 0; i < m->n_payload; i++) {
                const Payload *p = &m->payload[i];
                const char *rel = p->path + strspn(p->path, "/");
                for (size_t k = 0; k < s->n; k++)
                        if (paths_clash(rel, s->items[k].path)) {
                                diag_error(d, p->path_loc, "payload '%s' at '%s' clashes with the generated file '/%s'; give it another path",
                                           p->key, p->path, s->items[k].path);
                                r = -EINVAL;
                                break;
                        }
                for (size_t k = 0; k < i; k++)
                        if (strcmp(m->payload[k].path, p->path) != 0 && paths_clash(rel, m->payload[k].path + strspn(m->payload[k].path, "/"))) {
                                diag_error(d, p->path_loc, "payload '%s' at '%s' and payload '%s' at '%s' would lie one below the other",
                                           p->key, p->path, m->payload[k].key, m->payload[k].path);
                                r = -EINVAL;
                        }
        }
        return r;
}

int render_check_paths(const Model *m, const ArtifactSet *s, Diags *d) {
        int r = check_payload_paths(m, s, d);
        for (size_t i = 0; i < s->n; i++) {
                const char *why = path_too_long(s->items[i].path);
                if (!why)
                        continue;
                char buf[4200];
                Origin o = origin_of(m, s->items[i].path, 0, buf, sizeof(buf));
                diag_error(d, o.loc, "%s %s", o.what, why);
                r = -EINVAL;
        }
        /* sorted by path, the paths that start with a path come right after it: its twin, the files below it, and
         * siblings such as "a.x" between "a" and "a/b" ('.' sorts before '/') */
        for (size_t i = 0; i + 1 < s->n; i++) {
                const char *a = s->items[i].path;
                size_t n = strlen(a);
                for (size_t k = i + 1; k < s->n && strncmp(a, s->items[k].path, n) == 0; k++) {
                        const char *b = s->items[k].path;
                        bool same = b[n] == 0;
                        if (!same && b[n] != '/')
                                continue;
                        char abuf[4200], bbuf[4200];
                        Origin oa = origin_of(m, a, 0, abuf, sizeof(abuf)), ob = origin_of(m, b, same, bbuf, sizeof(bbuf));
                        const Origin *chosen = ob.rank >= oa.rank ? &ob : &oa, *other = chosen == &ob ? &oa : &ob;
                        r = -EINVAL;
                        if (same)
                                diag_error(d, chosen->loc, "%s would be written to '/%s', the path of %s; give them different paths", chosen->what,
                                           a, other->what);
                        else {
                                diag_error(d, chosen->loc, "%s would be written below '/%s', which is the file of %s; give them unrelated paths",
                                           ob.what, a, oa.what);
                                break; /* once for each file with others below it */
                        }
                }
        }
        return r;
}

/* The second part of a tier, rendered on a thread of its own. */
typedef struct PartJob {
        const Model *m;
        ArtifactSet out;
        Diags d;
        int r;
} PartJob;

static void *render_second_part(void *userdata) {
        PartJob *j = userdata;
        j->r = render_model_part(j->m, 1, &j->out, &j->d);
        return NULL;
}

/* Fewer services are rendered by one thread: a second costs more than it saves. */
#define RENDER_SPLIT_MIN 200

int render_model(const Model *m, ArtifactSet *out, Diags *d) {
        static_assert(RENDER_PARTS == 2, "one part on this thread, the other on a second one");
        /* with a second CPU, the parts render side by side; what they say is kept in the order of the parts */
        PartJob second = { .m = m, .d.werror = d->werror };
        Twin t;
        twin_start(&t, render_second_part, &second, twin_worth(m->n_services, RENDER_SPLIT_MIN));
        int r = render_model_part(m, 0, out, d);
        twin_join(&t);
        if (r >= 0) {
                artifact_set_move(out, &second.out);
                diags_move(d, &second.d);
                r = second.r;
        }
        artifact_set_free(&second.out);
        diags_clear(&second.d);
        if (r < 0)
                return r;
        artifact_set_sort(out);
        return render_check_paths(m, out, d);
}
