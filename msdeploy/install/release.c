/* SPDX-License-Identifier: MIT */
/* Building a release from a rendered tier: kinds, consuming units, payload, units, links, credentials. */
#include "install/release.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sd/enable.h"
#include "spec/syntax.h"
#include "util/enum-table.h"
#include "util/xalloc.h"

#define UNIT_DIR "etc/systemd/system"
#define PAYLOAD_MAX_BYTES (1024ULL * 1024 * 1024)

static const char *const file_kind_table[_FILE_KIND_MAX] = {
        [FILE_UNIT] = "unit", [FILE_DROPIN] = "drop-in", [FILE_ENV] = "env-file", [FILE_CONFIG] = "config",
        [FILE_PROGRAM] = "program", [FILE_SYSUSERS] = "sysusers", [FILE_TMPFILES] = "tmpfiles", [FILE_DATA] = "data",
        [FILE_PAYLOAD] = "payload",
};
ENUM_STRING_TABLE(file_kind, FileKind, _FILE_KIND_MAX)

static const char *const unit_kind_table[_UNIT_KIND_MAX] = {
        [UNIT_SERVICE] = "service", [UNIT_TEMPLATE] = "template", [UNIT_SLICE] = "slice", [UNIT_TARGET] = "target",
};
ENUM_STRING_TABLE(unit_kind, UnitKind, _UNIT_KIND_MAX)

static void strv_add_unique(char ***v, const char *s) {
        if (!strv_contains(*v, s))
                strv_push_copy(v, s);
}
static char **strv_new(void) {
        return xcalloc(1, sizeof(char *));
}

static bool under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1];
}

bool release_root_valid(const char *dir) {
        if (!dir || syntax_check_path(dir) || under(dir, "/var/lib/msdeploy") || strcmp(dir, "/var/lib/msdeploy") == 0)
                return false;
        static const char *const tops[] = { "/etc", "/opt", "/srv", "/usr/local", "/var/lib" };
        for (size_t i = 0; i < ELEMENTSOF(tops); i++)
                if (under(dir, tops[i]))
                        return strcmp(dir, "/usr/local/bin") != 0 && strcmp(dir, "/etc/systemd") != 0;
        return false;
}

bool release_path_allowed(const Release *r, const char *path) {
        char abs[4097];
        if (path[0] == '/' || snprintf(abs, sizeof(abs), "/%s", path) >= (int) sizeof(abs) || syntax_check_path(abs))
                return false;
        if (under(abs, "/" UNIT_DIR) || under(abs, "/etc/sysusers.d") || under(abs, "/etc/tmpfiles.d"))
                return true;
        return under(abs, r->config_dir) || model_payload_path_allowed(r->prefix, r->libexec_dir, abs);
}

static void unit_add(Release *r, const char *name, UnitKind kind) {
        r->units = xreallocarray(r->units, r->n_units + 1, sizeof(ReleaseUnit));
        r->units[r->n_units++] = (ReleaseUnit) { xstrdup(name), kind, strv_new(), strv_new(), strv_new() };
}

/* The program (first word) of a command line, or NULL. */
static char *program_of(const char *command) {
        _cleanup_(strv_freep) char **words = NULL;
        if (!command || command_split(command, &words) <= 0)
                return NULL;
        return xstrdup(words[0][0] == '-' || words[0][0] == '@' ? words[0] + 1 : words[0]);
}

static void add_program(char ***v, const char *command) {
        _cleanup_free_ char *p = program_of(command);
        if (p && !strchr(p, '%')) /* a path with a specifier is only known to systemd */
                strv_add_unique(v, p);
}

/* Every program the processes of service s run. */
static void unit_programs(const Model *m, const Service *s, char ***v) {
        add_program(v, s->exec);
        for (size_t k = 0; k < s->exec_start_pre.n; k++)
                add_program(v, s->exec_start_pre.items[k]);
        if (s->supervisor || s->health_aggregator)
                add_program(v, m->supervisor_path);
        for (size_t k = 0; s->supervisor && k < m->supervision.n_workers; k++)
                add_program(v, m->supervision.workers[k].exec);
        strv_sort(*v);
}

/* Who runs what, for the consumers of a program file: (program, unit) for every program of every unit of
 * the release, sorted by program, then by unit (r->units is sorted by name). */
typedef struct Runner {
        const char *program;
        size_t unit;              /* in r->units */
} Runner;

typedef struct Builder {
        const Model *m;
        Release *r;
        Runner *runners;
        size_t n_runners;
} Builder;

static int runner_cmp(const void *a, const void *b) {
        const Runner *x = a, *y = b;
        int c = strcmp(x->program, y->program);
        return c ? c : (x->unit > y->unit) - (x->unit < y->unit);
}

static void index_runners(Builder *b) {
        size_t n = 0;
        for (size_t i = 0; i < b->r->n_units; i++)
                n += strv_length(b->r->units[i].programs);
        b->runners = xcalloc(n + 1, sizeof(Runner));
        for (size_t i = 0; i < b->r->n_units; i++)
                for (char **p = b->r->units[i].programs; *p; p++)
                        b->runners[b->n_runners++] = (Runner) { *p, i };
        if (b->n_runners > 1)
                qsort(b->runners, b->n_runners, sizeof(Runner), runner_cmp);
}

/* Appends the units whose processes run the program at abs: ExecStart=, ExecStartPre=, the workers of a
 * supervision tree (run by the supervisor services), and msd-supervisor itself; sorted by name. */
static void program_consumers(const Builder *b, const char *abs, char ***units) {
        size_t lo = 0, hi = b->n_runners;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(b->runners[mid].program, abs) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < b->n_runners && strcmp(b->runners[lo].program, abs) == 0; lo++)
                strv_push_copy(units, b->r->units[b->runners[lo].unit].name);
}

/* The units of the services for which pick() holds; sorted, each once. */
static char **service_units(const Model *m, bool (*pick)(const Model *m, const Service *s, const void *userdata), const void *userdata) {
        char **v = xcalloc(m->n_services + 1, sizeof(char *));
        size_t n = 0;
        for (size_t k = 0; k < m->n_services; k++)
                if (pick(m, &m->services[k], userdata))
                        v[n++] = xasprintf("%s.service", m->services[k].name);
        strv_uniq(v);
        return v;
}

static bool reads_env_file(const Model *m, const Service *s, const void *key) {
        (void) m;
        for (size_t j = 0; j < s->env_files.n; j++)
                if (strcmp(s->env_files.items[j], key) == 0)
                        return true;
        return false;
}
static bool is_supervisor(const Model *m, const Service *s, const void *userdata) {
        (void) m, (void) userdata;
        return s->supervisor;
}
static bool is_health_aggregator(const Model *m, const Service *s, const void *userdata) {
        (void) m, (void) userdata;
        return s->health_aggregator;
}

/* Kind and consumers of a rendered file (units is empty). */
static FileKind classify(const Builder *b, const char *path, char ***units) {
        const Model *m = b->m;
        char abs[4097];
        snprintf(abs, sizeof(abs), "/%s", path);
        if (under(abs, "/" UNIT_DIR)) {
                const char *name = path + strlen(UNIT_DIR) + 1, *slash = strchr(name, '/');
                _cleanup_free_ char *unit = slash ? strndup(name, (size_t) (slash - name - 2)) : xstrdup(name);
                if (!unit)
                        xoom();
                strv_push_copy(units, unit);
                return slash ? FILE_DROPIN : FILE_UNIT;
        }
        if (under(abs, "/etc/sysusers.d"))
                return FILE_SYSUSERS;
        if (under(abs, "/etc/tmpfiles.d"))
                return FILE_TMPFILES;
        for (size_t i = 0; i < m->n_env_files; i++)
                if (strcmp(m->env_files[i].path, abs) == 0) {
                        strv_free(*units);
                        *units = service_units(m, reads_env_file, m->env_files[i].key);
                        return FILE_ENV;
                }
        const char *base = strrchr(abs, '/') + 1;
        bool in_config = under(abs, m->config_dir) && base - abs == (ptrdiff_t) strlen(m->config_dir) + 1;
        if (in_config && (strcmp(base, "supervisor.yaml") == 0 || strcmp(base, "health-checks.yaml") == 0)) {
                strv_free(*units);
                *units = service_units(m, base[0] == 's' ? is_supervisor : is_health_aggregator, NULL);
                return FILE_CONFIG;
        }
        program_consumers(b, abs, units);
        return **units ? FILE_PROGRAM : FILE_DATA;
}

static int read_payload(const char *spec_dir, const Payload *p, char **ret, size_t *ret_size, Diags *d) {
        _cleanup_free_ char *src = NULL;
        if (asprintf(&src, "%s/%s", spec_dir, p->source) < 0)
                xoom();
        _cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                diag_error(d, p->loc, "payload '%s': cannot read '%s': %s", p->key, src, strerror(errno));
                return -errno;
        }
        if (!S_ISREG(st.st_mode) || (unsigned long long) st.st_size > PAYLOAD_MAX_BYTES) {
                diag_error(d, p->loc, "payload '%s': '%s' is not a regular file of at most 1 GiB", p->key, src);
                return -EINVAL;
        }
        size_t size = (size_t) st.st_size, got = 0;
        char *data = xmalloc(size + 1);
        while (got < size) {
                ssize_t n = read(fd, data + got, size - got);
                if (n <= 0) {
                        diag_error(d, p->loc, "payload '%s': cannot read '%s': %s", p->key, src, n < 0 ? strerror(errno) : "file shrank");
                        free(data);
                        return n < 0 ? -errno : -EIO;
                }
                got += (size_t) n;
        }
        data[size] = 0;
        *ret = data;
        *ret_size = size;
        return 0;
}

static void file_add(const Builder *b, const char *path, mode_t mode, const char *owner, const char *group, char *data_take, size_t size,
                     bool payload) {
        Release *r = b->r; /* r->files has room for every artifact and payload */
        ReleaseFile *f = &r->files[r->n_files++];
        *f = (ReleaseFile) { .path = xstrdup(path), .mode = mode, .owner = xstrdup(owner), .group = xstrdup(group),
                             .size = size, .units = strv_new(), .data = data_take };
        sha256_hex(data_take, size, f->sha256);
        if (payload) {
                char abs[4097];
                snprintf(abs, sizeof(abs), "/%s", path);
                program_consumers(b, abs, &f->units);
                f->kind = FILE_PAYLOAD;
        } else
                f->kind = classify(b, path, &f->units);
}

static int file_cmp(const void *a, const void *b) {
        return strcmp(((const ReleaseFile *) a)->path, ((const ReleaseFile *) b)->path);
}
static int unit_cmp(const void *a, const void *b) {
        return strcmp(((const ReleaseUnit *) a)->name, ((const ReleaseUnit *) b)->name);
}
static int link_cmp(const void *a, const void *b) {
        return strcmp(((const ReleaseLink *) a)->path, ((const ReleaseLink *) b)->path);
}
static int credential_cmp(const void *a, const void *b) {
        return strcmp(((const ReleaseCredential *) a)->path, ((const ReleaseCredential *) b)->path);
}

static void build_units(Release *r, const Model *m) {
        char name[1024];
        for (size_t i = 0; i < m->n_slices; i++) {
                snprintf(name, sizeof(name), "%s.slice", m->slices[i].name);
                unit_add(r, name, UNIT_SLICE);
        }
        snprintf(name, sizeof(name), "%s.target", m->name);
        unit_add(r, name, UNIT_TARGET);
        for (size_t i = 0; i < m->n_services; i++) {
                const Service *s = &m->services[i];
                snprintf(name, sizeof(name), "%s.service", s->name);
                unit_add(r, name, s->templated ? UNIT_TEMPLATE : UNIT_SERVICE);
                ReleaseUnit *u = &r->units[r->n_units - 1];
                for (size_t k = 0; k < s->instances.n; k++) {
                        snprintf(name, sizeof(name), "%s%s.service", s->name, s->instances.items[k]);
                        strv_push_copy(&u->instances, name);
                }
                for (size_t k = 0; k < s->part_of.n; k++)
                        strv_push_copy(&u->part_of, s->part_of.items[k]);
                unit_programs(m, s, &u->programs);
                for (size_t k = 0; k < s->n_secrets; k++) {
                        ReleaseCredential *c = NULL;
                        for (size_t j = 0; j < r->n_credentials && !c; j++)
                                if (strcmp(r->credentials[j].path, s->secrets[k].source) == 0)
                                        c = &r->credentials[j];
                        if (!c) {
                                r->credentials = xreallocarray(r->credentials, r->n_credentials + 1, sizeof(ReleaseCredential));
                                c = &r->credentials[r->n_credentials++];
                                *c = (ReleaseCredential) { xstrdup(s->secrets[k].source), strv_new() };
                        }
                        strv_add_unique(&c->units, u->name);
                }
        }
        r->health = strv_new();
        if (m->supervision.root && m->supervision.listen)
                strv_push_copy(&r->health, m->supervision.listen);
        if (m->health_listen)
                strv_add_unique(&r->health, m->health_listen);
        if (r->n_units > 1)
                qsort(r->units, r->n_units, sizeof(ReleaseUnit), unit_cmp);
        if (r->n_credentials > 1)
                qsort(r->credentials, r->n_credentials, sizeof(ReleaseCredential), credential_cmp);
}

int release_from_model(const Model *m, ArtifactSet *artifacts, const char *spec_dir, const char *tool_version, Release **ret,
                       Diags *d) {
        Release *r = xcalloc(1, sizeof(Release));
        r->project = xstrdup(m->name);
        r->tier = xstrdup(m->tier);
        r->tool_version = xstrdup(tool_version);
        r->systemd_version = m->systemd_version;
        r->deploy = m->deploy;
        r->prefix = xstrdup(m->prefix);
        r->config_dir = xstrdup(m->config_dir);
        r->libexec_dir = xstrdup(m->libexec_dir);
        r->spec_sha256 = xmalloc(SHA256_HEX_SIZE);
        sha256_hex(m->spec_text ? m->spec_text : "", m->spec_text ? m->spec_len : 0, r->spec_sha256);
        size_t errors = d->n_errors;
        for (const char *const *dir = (const char *const[]) { m->prefix, m->config_dir, m->libexec_dir, NULL }; *dir; dir++)
                if (!release_root_valid(*dir))
                        diag_error(d, (Loc) {}, "project directory '%s' is not one msdeploy installs into: use a directory under /etc, /opt, /srv, /usr/local or /var/lib",
                                   *dir);
        build_units(r, m);
        Builder b = { .m = m, .r = r };
        index_runners(&b);
        r->files = xcalloc(artifacts->n + m->n_payload + 1, sizeof(ReleaseFile));
        for (size_t i = 0; i < artifacts->n; i++) {
                Artifact *a = &artifacts->items[i];
                file_add(&b, a->path, a->mode, a->owner, a->group, TAKE_PTR(a->data), a->size, false);
        }
        artifact_set_free(artifacts);
        for (size_t i = 0; i < m->n_payload; i++) {
                const Payload *p = &m->payload[i];
                char *data = NULL;
                size_t size = 0;
                if (read_payload(spec_dir, p, &data, &size, d) < 0)
                        continue;
                bool clash = false;
                for (size_t k = 0; k < r->n_files && !clash; k++)
                        clash = strcmp(r->files[k].path, p->path + 1) == 0;
                if (clash) {
                        diag_error(d, p->loc, "payload '%s': '%s' is also a file msdeploy renders", p->key, p->path);
                        free(data);
                        continue;
                }
                file_add(&b, p->path + 1, p->mode, p->owner, p->group, data, size, true);
        }
        free(b.runners);
        qsort(r->files, r->n_files, sizeof(ReleaseFile), file_cmp);
        for (size_t i = 0; i < r->n_files; i++) {
                if (!release_path_allowed(r, r->files[i].path) && d->n_errors == errors)
                        diag_error(d, (Loc) {}, "'/%s' is outside the directories a release may install into (the systemd, sysusers.d and tmpfiles.d directories, config_dir, libexec_dir, prefix, /usr/local/bin)",
                                   r->files[i].path);
                if (r->files[i].kind == FILE_UNIT) {
                        SdLink *links = NULL;
                        size_t n = 0;
                        sd_install_links(UNIT_DIR, strrchr(r->files[i].path, '/') + 1, r->files[i].data, &links, &n);
                        r->links = xreallocarray(r->links, r->n_links + n + 1, sizeof(ReleaseLink));
                        for (size_t k = 0; k < n; k++)
                                r->links[r->n_links++] = (ReleaseLink) { links[k].path, links[k].target };
                        free(links);
                }
        }
        if (r->n_links > 1)
                qsort(r->links, r->n_links, sizeof(ReleaseLink), link_cmp);
        if (d->n_errors > errors) {
                release_free(r);
                return -EINVAL;
        }
        *ret = r;
        return 0;
}

static void *find(const void *base, size_t n, size_t size, size_t offset, const char *key) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const char *k = *(char *const *) ((const char *) base + mid * size + offset);
                int c = strcmp(key, k);
                if (c == 0)
                        return (char *) base + mid * size;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

const ReleaseFile *release_find_file(const Release *r, const char *path) {
        return find(r->files, r->n_files, sizeof(ReleaseFile), offsetof(ReleaseFile, path), path);
}

const ReleaseUnit *release_find_unit(const Release *r, const char *name) {
        return find(r->units, r->n_units, sizeof(ReleaseUnit), offsetof(ReleaseUnit, name), name);
}

const ReleaseLink *release_find_link(const Release *r, const char *path) {
        return find(r->links, r->n_links, sizeof(ReleaseLink), offsetof(ReleaseLink, path), path);
}

Release *release_free(Release *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_files; i++) {
                free(r->files[i].path);
                free(r->files[i].owner);
                free(r->files[i].group);
                free(r->files[i].data);
                strv_free(r->files[i].units);
        }
        for (size_t i = 0; i < r->n_units; i++) {
                free(r->units[i].name);
                strv_free(r->units[i].instances);
                strv_free(r->units[i].part_of);
                strv_free(r->units[i].programs);
        }
        for (size_t i = 0; i < r->n_links; i++) {
                free(r->links[i].path);
                free(r->links[i].target);
        }
        for (size_t i = 0; i < r->n_credentials; i++) {
                free(r->credentials[i].path);
                strv_free(r->credentials[i].units);
        }
        free(r->files);
        free(r->units);
        free(r->links);
        free(r->credentials);
        strv_free(r->health);
        free(r->project);
        free(r->tier);
        free(r->tool_version);
        free(r->spec_sha256);
        free(r->prefix);
        free(r->config_dir);
        free(r->libexec_dir);
        free(r->manifest);
        free(r);
        return NULL;
}
