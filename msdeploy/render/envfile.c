/* SPDX-License-Identifier: MIT */
/* Renders the EnvironmentFile= files: KEY=value lines quoted the way systemd's parser reads them. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "render/envfile.h"
#include "render/render.h"

static bool env_key_valid(const char *k) {
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_'))
                return false;
        for (const char *p = k + 1; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        return true;
}

static bool env_value_valid(const char *v) {
        for (const unsigned char *p = (const unsigned char *) v; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* Bare when no character means anything to systemd's EnvironmentFile= parser (or to a shell that
 * sources the file); else double quotes, inside which both unescape \\ \" \$ and \`. */
static void env_quote(StrBuf *b, const char *v) {
        bool bare = true;
        for (const char *p = v; *p && bare; p++)
                bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                       strchr("_./:@%+,=-", *p);
        if (bare) {
                sb_append(b, v);
                return;
        }
        sb_putc(b, '"');
        for (const char *p = v; *p; p++) {
                if (strchr("\\\"$`", *p))
                        sb_putc(b, '\\');
                sb_putc(b, *p);
        }
        sb_putc(b, '"');
}

void env_file_path(StrBuf *b, const Model *m, const EnvFile *e) {
        if (e->path)
                sb_append(b, e->path + strspn(e->path, "/"));
        else
                sb_printf(b, "%s/%s.env", m->config_dir + strspn(m->config_dir, "/"), e->key);
}

mode_t env_file_mode(const EnvFile *e) {
        return e->mode ? e->mode & ENV_FILE_MODE_MAX : ENV_FILE_MODE_MAX;
}

static int render_env_file(const Model *m, const EnvFile *e, ArtifactSet *out, Diags *d) {
        mode_t mode = env_file_mode(e);
        if (e->mode & ~(mode_t) ENV_FILE_MODE_MAX)
                diag_warning(d, e->loc, "env file '%s' mode %04o is wider than %04o, rendering %04o", e->key,
                             (unsigned) e->mode, ENV_FILE_MODE_MAX, (unsigned) mode);

        StrBuf b = {};
        render_header(&b, m, "#");
        for (size_t i = 0; i < e->n_vars; i++) {
                const KeyValue *kv = &e->vars[i];
                if (!env_key_valid(kv->key) || !env_value_valid(kv->value)) {
                        diag_error(d, e->loc, "env file '%s': variable '%s' cannot be written to an environment file",
                                   e->key, kv->key);
                        sb_free(&b);
                        return -EINVAL;
                }
                sb_printf(&b, "%s=", kv->key);
                env_quote(&b, kv->value);
                sb_putc(&b, '\n');
        }

        StrBuf p = {};
        env_file_path(&p, m, e);
        artifact_set_take(out, p.s, mode, e->owner, e->group, &b);
        sb_free(&p);
        return 0;
}

int render_env_files(const Model *m, ArtifactSet *out, Diags *d) {
        for (size_t i = 0; i < m->n_env_files; i++) {
                int r = render_env_file(m, &m->env_files[i], out, d);
                if (r < 0)
                        return r;
        }
        return 0;
}
