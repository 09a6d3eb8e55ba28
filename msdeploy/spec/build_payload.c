/* SPDX-License-Identifier: MIT */
/* Model building of the payload: the application's own files a release installs next to the rendered ones. */
#include "spec/build_internal.h"

#include <string.h>

#include "spec/syntax.h"

static bool path_under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1];
}

bool model_payload_path_allowed(const char *prefix, const char *libexec_dir, const char *path) {
        return path_under(path, prefix) || path_under(path, libexec_dir) ||
               (path_under(path, "/usr/local/bin") && !strchr(path + strlen("/usr/local/bin/"), '/'));
}

/* A source is a relative, normalised path inside the spec's directory tree. */
static const char *source_problem(Builder *b, const char *source) {
        if (!source[0])
                return "is empty";
        if (source[0] == '/')
                return "must be relative to the spec's directory, not absolute";
        return syntax_check_path(arena_printf(b->a, "/%s", source));
}

void build_payload(Builder *b) {
        Model *m = b->m;
        const Node *files = node_get(b->root, "payload");
        m->payload = arena_alloc_array(b->a, files ? files->n : 0, sizeof(Payload));
        for (size_t i = 0; files && i < files->n; i++) {
                const Node *n = files->pairs[i].value;
                Payload p = {
                        .key = files->pairs[i].key,
                        .path = b_str(b, n, "path", NULL),
                        .source = b_str(b, n, "source", NULL),
                        .owner = b_str(b, n, "owner", "root"),
                        .group = b_str(b, n, "group", "root"),
                        .mode = node_mode(n, "mode", 0755),
                        .loc = b_loc(n, "source"),
                        .path_loc = b_loc(n, "path"),
                };
                if (!p.path || !p.source)
                        continue; /* reported by the schema */
                const char *why = source_problem(b, p.source);
                if (why)
                        diag_error(b->d, p.loc, "payload '%s': source '%s' %s", p.key, p.source, why);
                if (!model_payload_path_allowed(m->prefix, m->libexec_dir, p.path))
                        diag_error(b->d, b_loc(n, "path"), "payload '%s': path '%s' is outside the install roots; use a path under '%s' or '%s', or /usr/local/bin/NAME",
                                   p.key, p.path, m->prefix, m->libexec_dir);
                if (p.mode & 07000)
                        diag_error(b->d, b_loc(n, "mode"), "payload '%s': mode '%04o' sets setuid, setgid or sticky bits; drop them", p.key,
                                   (unsigned) p.mode);
                b_check_owner(b, n, arena_printf(b->a, "payload '%s'", p.key), p.owner, p.group);
                for (size_t k = 0; k < m->n_payload; k++)
                        if (strcmp(m->payload[k].path, p.path) == 0)
                                diag_error(b->d, b_loc(n, "path"), "payload '%s' has the same path as '%s'", p.key, m->payload[k].key);
                m->payload[m->n_payload++] = p;
        }
}
