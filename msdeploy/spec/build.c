/* SPDX-License-Identifier: MIT */
/* Model building: project, users, groups, directories, env files, target and deploy settings; typed getters; entry point. */
#include "spec/build_internal.h"

#include <errno.h>
#include <string.h>

#include "spec/syntax.h"
#include "util/suggest.h"
#include "util/xalloc.h"

const char *b_str(Builder *b, const Node *n, const char *key, const char *def) {
        const char *v = node_get_scalar(n, key);
        return v ? v : def ? arena_strdup(b->a, def) : NULL;
}

const char *b_project_title(const Model *m) {
        return *m->description ? m->description : m->name;
}

KeyValue *b_kv(Builder *b, const Node *n, const char *key, size_t *ret_n) {
        return node_key_values(b->a, n, key, ret_n);
}

Loc b_loc(const Node *n, const char *key) {
        const Node *v = node_get(n, key);
        return v ? v->loc : n ? n->loc : (Loc) {};
}

Limits b_limits(const Node *n) {
        return (Limits) {
                .memory_max = node_size(n, "memory_max", UNSET_U64),
                .memory_high = node_size(n, "memory_high", UNSET_U64),
                .cpu_quota = node_percent(n, "cpu_quota", UNSET_U64),
                .cpu_weight = node_uint(n, "cpu_weight", UNSET_U64),
                .io_weight = node_uint(n, "io_weight", UNSET_U64),
                .tasks_max = node_uint(n, "tasks_max", UNSET_U64),
        };
}

const char *b_closest(Builder *b, const char *word, const char *const *names, size_t n) {
        const char **cands = arena_alloc_array(b->a, n + 1, sizeof(char *));
        memcpy(cands, names, n * sizeof(char *));
        return suggest_closest(word, cands, sizeof(char *));
}

bool b_user_known(Builder *b, const char *name) {
        return strcmp(name, "root") == 0 || model_find_user(b->m, name);
}

bool b_group_known(Builder *b, const char *name) {
        if (strcmp(name, "root") == 0)
                return true;
        for (size_t i = 0; i < b->m->n_groups; i++)
                if (strcmp(b->m->groups[i].name, name) == 0)
                        return true;
        for (size_t i = 0; i < b->m->n_users; i++) /* a user without explicit group gets its own */
                if (strcmp(b->m->users[i].name, name) == 0 && strcmp(b->m->users[i].group, name) == 0)
                        return true;
        return false;
}

void b_warn_inline_secrets(Builder *b, const Node *n, const KeyValue *vars, size_t n_vars, const char *owner, const char *lands_in,
                           const char *instead) {
        for (size_t i = 0; i < n_vars; i++) {
                const char *why = syntax_secret_hint(vars[i].key, vars[i].value);
                if (why)
                        diag_warning(b->d, b_loc(n, vars[i].key), "%s environment '%s' %s, and lands in the world-readable %s; %s", owner,
                                     vars[i].key, why, lands_in, instead);
        }
}

/* The directories the system itself is made of: a project never gets one of them as its own. */
static bool system_directory(const char *path) {
        static const char *const dirs[] = { "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/proc", "/root",
                                            "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib",
                                            "/usr/local", "/usr/local/bin", "/usr/local/lib", "/usr/sbin", "/var",
                                            "/var/lib", "/var/log", "/etc/systemd", "/etc/systemd/system" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (strcmp(path, dirs[i]) == 0)
                        return true;
        return false;
}

/* config_dir and libexec_dir are created and owned by the project (tmpfiles.d, the installer). */
static void check_own_directory(Builder *b, const Node *p, const char *key, const char *path) {
        if (system_directory(path))
                diag_error(b->d, b_loc(p, key), "project.%s '%s' is a system directory; give the project its own, e.g. '%s/%s'", key, path,
                           strcmp(key, "config_dir") == 0 ? "/etc" : "/usr/local/lib", b->m->name);
}

static void build_project(Builder *b) {
        Model *m = b->m;
        const Node *p = node_get(b->root, "project");
        m->name = b_str(b, p, "name", NULL);
        m->description = b_str(b, p, "description", m->name);
        m->prefix = b_str(b, p, "prefix", arena_printf(b->a, "/opt/%s", m->name));
        m->config_dir = b_str(b, p, "config_dir", arena_printf(b->a, "/etc/%s", m->name));
        m->libexec_dir = b_str(b, p, "libexec_dir", arena_printf(b->a, "/usr/local/lib/%s", m->name));
        m->supervisor_path = b_str(b, p, "supervisor", "/usr/local/bin/msd-supervisor");
        m->log_level = b_str(b, p, "log_level", "info");
        m->name_loc = b_loc(p, "name");
        m->prefix_loc = b_loc(p, "prefix");
        m->config_dir_loc = b_loc(p, "config_dir");
        m->libexec_dir_loc = b_loc(p, "libexec_dir");
        check_own_directory(b, p, "config_dir", m->config_dir);
        check_own_directory(b, p, "libexec_dir", m->libexec_dir);
        /* every unit name is derived from the project name: check the longest suffix fits */
        if (strlen(m->name) > 200)
                diag_error(b->d, b_loc(p, "name"), "project name is too long to prefix unit names (at most 200 characters)");
        const Node *t = node_get(b->root, "target");
        m->target_description = b_str(b, t, "description", b_project_title(m));
        m->target_wanted_by = node_strlist(b->a, t, "wanted_by");
}

static void build_accounts(Builder *b) {
        Model *m = b->m;
        const Node *groups = node_get(b->root, "groups"), *users = node_get(b->root, "users");
        m->groups = arena_alloc_array(b->a, groups ? groups->n : 0, sizeof(Group));
        for (size_t i = 0; groups && i < groups->n; i++)
                m->groups[m->n_groups++] = (Group) { groups->pairs[i].key, groups->pairs[i].key_loc };
        m->users = arena_alloc_array(b->a, users ? users->n : 0, sizeof(User));
        for (size_t i = 0; users && i < users->n; i++) {
                const Node *u = users->pairs[i].value;
                const char *name = users->pairs[i].key;
                m->users[m->n_users++] = (User) {
                        .name = name,
                        .group = b_str(b, u, "group", name),
                        .description = b_str(b, u, "description", NULL),
                        .home = b_str(b, u, "home", NULL),
                        .shell = b_str(b, u, "shell", NULL),
                        .groups = node_strlist(b->a, u, "groups"),
                        .loc = users->pairs[i].key_loc,
                };
        }
        for (size_t i = 0; i < m->n_users; i++) {
                const User *u = &m->users[i];
                const Node *un = users->pairs[i].value;
                /* systemd-sysusers' own field rules (valid_gecos(), valid_home(), valid_shell()): ':' separates the
                 * fields of /etc/passwd, so a line with one is refused and the user never created */
                if (u->description && strchr(u->description, ':'))
                        diag_error(b->d, b_loc(un, "description"), "user '%s' description '%s' contains ':', which systemd-sysusers refuses in a GECOS field",
                                   u->name, u->description);
                if (u->description && strcmp(u->description, "-") == 0)
                        diag_error(b->d, b_loc(un, "description"), "user '%s' description '-' would be no description: systemd-sysusers "
                                   "reads a field of '-' as unset; write another text, or leave it out for the user's name", u->name);
                if (u->home && strchr(u->home, ':'))
                        diag_error(b->d, b_loc(un, "home"), "user '%s' home '%s' contains ':', which systemd-sysusers refuses in a home directory",
                                   u->name, u->home);
                if (u->shell && strchr(u->shell, ':'))
                        diag_error(b->d, b_loc(un, "shell"), "user '%s' shell '%s' contains ':', which systemd-sysusers refuses in a shell",
                                   u->name, u->shell);
                if (strcmp(u->group, u->name) != 0 && !b_group_known(b, u->group))
                        diag_error(b->d, b_loc(un, "group"), "user '%s' has unknown group '%s'; declare it under 'groups:'", u->name, u->group);
                for (size_t k = 0; k < u->groups.n; k++)
                        if (!b_group_known(b, u->groups.items[k]))
                                diag_error(b->d, node_get(un, "groups")->items[k]->loc,
                                           "user '%s' has unknown supplementary group '%s'; declare it under 'groups:'", u->name,
                                           u->groups.items[k]);
        }
}

void b_check_owner(Builder *b, const Node *n, const char *what, const char *owner, const char *group) {
        if (!b_user_known(b, owner))
                diag_error(b->d, b_loc(n, "owner"), "%s has unknown owner '%s'; declare it under 'users:' or use 'root'", what, owner);
        if (!b_group_known(b, group))
                diag_error(b->d, b_loc(n, "group"), "%s has unknown group '%s'; declare it under 'groups:' or use 'root'", what, group);
}

static void build_directories(Builder *b) {
        Model *m = b->m;
        const Node *dirs = node_get(b->root, "directories");
        m->directories = arena_alloc_array(b->a, dirs ? dirs->n : 0, sizeof(Directory));
        for (size_t i = 0; dirs && i < dirs->n; i++) {
                const Node *n = dirs->pairs[i].value;
                Directory dir = {
                        .key = dirs->pairs[i].key,
                        .path = b_str(b, n, "path", NULL),
                        .owner = b_str(b, n, "owner", "root"),
                        .group = b_str(b, n, "group", "root"),
                        .mode = node_mode(n, "mode", 0755),
                        .volatile_ = node_bool(n, "volatile", false),
                        .loc = dirs->pairs[i].key_loc,
                };
                b_check_owner(b, n, arena_printf(b->a, "directory '%s'", dir.key), dir.owner, dir.group);
                for (size_t k = 0; k < m->n_directories; k++)
                        if (strcmp(m->directories[k].path, dir.path) == 0)
                                diag_error(b->d, b_loc(n, "path"), "directory '%s' has the same path as '%s'", dir.key, m->directories[k].key);
                if (system_directory(dir.path))
                        diag_error(b->d, b_loc(n, "path"), "directory '%s' is the system directory '%s'; give the project its own", dir.key,
                                   dir.path);
                m->directories[m->n_directories++] = dir;
        }
}

static void build_env_files(Builder *b) {
        Model *m = b->m;
        const Node *files = node_get(b->root, "env_files");
        m->env_files = arena_alloc_array(b->a, files ? files->n : 0, sizeof(EnvFile));
        for (size_t i = 0; files && i < files->n; i++) {
                const Node *n = files->pairs[i].value;
                const char *key = files->pairs[i].key;
                EnvFile f = {
                        .key = key,
                        .path = b_str(b, n, "path", arena_printf(b->a, "%s/%s.env", m->config_dir, key)),
                        .owner = b_str(b, n, "owner", "root"),
                        .group = b_str(b, n, "group", "root"),
                        .mode = node_mode(n, "mode", 0640),
                        .loc = files->pairs[i].key_loc,
                        .path_loc = node_get(n, "path") ? b_loc(n, "path") : files->pairs[i].key_loc,
                };
                if (strcmp(f.path, "/") == 0)
                        diag_error(b->d, f.path_loc, "env file '%s' has the path '/', which is a directory; name a file, e.g. '/etc/%s/%s.env'", key,
                                   m->name, key);
                f.vars = b_kv(b, n, "vars", &f.n_vars);
                if (f.mode & 0137)
                        diag_error(b->d, b_loc(n, "mode"),
                                   "env file '%s' has mode '%04o', which lets the group write or others read; use 0640 or stricter",
                                   key, (unsigned) f.mode);
                b_check_owner(b, n, arena_printf(b->a, "env file '%s'", key), f.owner, f.group);
                m->env_files[m->n_env_files++] = f;
        }
}

/* deploy: the gate is off unless a tier file or the spec turns it on (tier_3 does). */
static void build_deploy(Builder *b) {
        const Node *n = node_get(b->root, "deploy"), *gate = node_get(n, "health_gate");
        Deploy *dp = &b->m->deploy;
        dp->health_gate = node_bool(gate, "enabled", false);
        dp->health_timeout = node_duration(gate, "timeout", DEPLOY_HEALTH_TIMEOUT_DEFAULT);
        dp->keep_releases = (unsigned) node_uint(n, "keep_releases", DEPLOY_KEEP_RELEASES_DEFAULT);
        if (dp->health_timeout == 0 || dp->health_timeout == USEC_INFINITY)
                diag_error(b->d, b_loc(gate, "timeout"), "deploy.health_gate.timeout '%s' never lets the gate pass or never ends; give a "
                           "duration above zero such as '120s'", node_get_scalar(gate, "timeout"));
}

int spec_build_model(const Spec *spec, const BuildOptions *o, Model **ret, Diags *d) {
        Arena *a = arena_new();
        Model *m = arena_alloc(a, sizeof(Model));
        m->arena = a;
        m->spec_path = arena_strdup(a, spec->spec_path);
        m->tier = arena_strdup(a, spec->tier);
        m->tier_title = arena_strdup(a, spec->tier_title);
        m->systemd_version = o && o->systemd_version ? o->systemd_version : 252;
        if (spec->spec_source) {
                m->spec_text = spec->spec_source->text; /* the spec file outlives every model built from it */
                m->spec_len = spec->spec_source->len;
        }
        Builder b = { .m = m, .a = a, .root = spec->tree, .d = d };
        size_t errors_before = d->n_errors;

        build_project(&b);
        build_accounts(&b);
        build_directories(&b);
        build_env_files(&b);
        build_slices(&b);
        build_services(&b);
        build_checks(&b);
        build_supervision(&b);
        build_alerts(&b);
        build_payload(&b);
        build_deploy(&b);
        build_check_services(&b);

        if (d->n_errors > errors_before) {
                model_free(m);
                return -EINVAL;
        }
        *ret = m;
        return 0;
}
