/* SPDX-License-Identifier: MIT */
/* Renders the tmpfiles.d(5) file creating the project's directories with their modes and owners. */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/sdfield.h"
#include "util/xalloc.h"

#define CONSUMER "systemd-tmpfiles"

typedef struct TmpDir {
        char type;        /* 'd' kept, 'D' emptied at boot */
        const char *path; /* absolute */
        mode_t mode;
        const char *owner, *group;
        Loc loc;          /* the directory's key, or the project's config_dir for the ones msdeploy adds */
} TmpDir;

static int tmpdir_cmp(const void *a, const void *b) {
        return strcmp(((const TmpDir *) a)->path, ((const TmpDir *) b)->path);
}

static bool tmpdir_listed(const TmpDir *dirs, size_t n, const char *path) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(dirs[i].path, path) == 0)
                        return true;
        return false;
}

/* "/etc/x" qualifies, "/etc" does not: "d" resets mode and owner of an existing directory. */
static bool path_below_top_level(const char *p) {
        const char *slash = strchr(p + 1, '/');
        return p[0] == '/' && slash && slash[1];
}

int render_tmpfiles(const Model *m, ArtifactSet *out, Diags *d) {
        size_t n_secrets = 0;
        for (size_t i = 0; i < m->n_services; i++)
                n_secrets += m->services[i].n_secrets;
        _cleanup_free_ TmpDir *dirs = xcalloc(m->n_directories + n_secrets + 1, sizeof(TmpDir));
        size_t n = 0;

        for (size_t i = 0; i < m->n_directories; i++) {
                const Directory *dir = &m->directories[i];
                dirs[n++] = (TmpDir) { dir->volatile_ ? 'D' : 'd', dir->path, dir->mode, dir->owner, dir->group, dir->loc };
        }

        /* The configuration directory and the directories under it holding LoadCredential= sources:
         * PID 1 reads both as root; nobody else needs the credentials. */
        size_t cfg_len = m->config_dir ? strlen(m->config_dir) : 0;
        bool cfg_ok = cfg_len > 0 && path_below_top_level(m->config_dir);
        if (cfg_ok && !tmpdir_listed(dirs, n, m->config_dir))
                dirs[n++] = (TmpDir) { 'd', m->config_dir, 0755, "root", "root", m->config_dir_loc };
        _cleanup_free_ char **cred_dirs = xcalloc(n_secrets + 1, sizeof(char *));
        size_t n_cred = 0;
        for (size_t i = 0; i < m->n_services && cfg_ok; i++)
                for (size_t j = 0; j < m->services[i].n_secrets; j++) {
                        const char *src = m->services[i].secrets[j].source;
                        const char *slash = src ? strrchr(src, '/') : NULL;
                        if (!slash || (size_t) (slash - src) <= cfg_len || strncmp(src, m->config_dir, cfg_len) != 0 ||
                            src[cfg_len] != '/')
                                continue;
                        char *dir = xstrndup(src, (size_t) (slash - src));
                        if (tmpdir_listed(dirs, n, dir)) {
                                free(dir);
                                continue;
                        }
                        dirs[n++] = (TmpDir) { 'd', dir, 0700, "root", "root", m->config_dir_loc };
                        cred_dirs[n_cred++] = dir;
                }

        qsort(dirs, n, sizeof(TmpDir), tmpdir_cmp);

        StrBuf b = {};
        render_header(&b, m, "#");
        sb_append(&b, "# d: created, mode and owner enforced, never cleaned (persistent state).\n"
                      "# D: the same, and emptied at every boot (volatile: spec 'volatile: true').\n");
        int error = 0;
        for (size_t i = 0; i < n; i++) {
                sb_printf(&b, "%c ", dirs[i].type);
                sdfield_put(&b, dirs[i].path, d, dirs[i].loc, "directory path", CONSUMER, &error);
                sb_printf(&b, " %04o ", (unsigned) dirs[i].mode);
                sdfield_put(&b, dirs[i].owner ? dirs[i].owner : "root", d, dirs[i].loc, "directory owner", CONSUMER, &error);
                sb_putc(&b, ' ');
                sdfield_put(&b, dirs[i].group ? dirs[i].group : "root", d, dirs[i].loc, "directory group", CONSUMER, &error);
                sb_append(&b, " -\n");
        }

        for (size_t i = 0; i < n_cred; i++)
                free(cred_dirs[i]);
        if (error < 0) {
                sb_free(&b);
                return error;
        }
        artifact_set_takef(out, &b, 0644, "etc/tmpfiles.d/%s.conf", m->name);
        return 0;
}
