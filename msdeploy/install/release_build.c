/* SPDX-License-Identifier: MIT */
/* Building a release from a rendered tier: kinds, consuming units, payload, units, links, credentials. Large tiers
 * are built in two halves on two threads (util/twin.h). */
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
#include "util/twin.h"
#include "util/xalloc.h"

#define UNIT_DIR "etc/systemd/system"
#define PAYLOAD_MAX_BYTES (1024ULL * 1024 * 1024)

/* Lists in the release's arena: NULL-terminated, like a strv, but freed with the arena. */
static char **list_new(Arena *a, size_t n) {
        return arena_alloc_array(a, n + 1, sizeof(char *));
}

/* Appends s to the list l of n (room was made for it) unless it is there. */
static void list_add_unique(char **l, size_t *n, char *s) {
        for (size_t i = 0; i < *n; i++)
                if (strcmp(l[i], s) == 0)
                        return;
        l[(*n)++] = s;
}

/* Sorts the list and drops the strings given again. */
static void list_uniq(char **l) {
        strv_sort(l);
        size_t k = 0;
        for (size_t i = 0; l[i]; i++)
                if (k == 0 || strcmp(l[k - 1], l[i]) != 0)
                        l[k++] = l[i];
        l[k] = NULL;
}

static bool under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1];
}

static ReleaseUnit *unit_add(Release *r, const char *name, UnitKind kind) {
        ReleaseUnit *u = &r->units[r->n_units++]; /* r->units has room for every unit */
        *u = (ReleaseUnit) { arena_strdup(r->arena, name), kind, list_new(r->arena, 0), list_new(r->arena, 0), list_new(r->arena, 0) };
        return u;
}

/* The program (first word) of a command line, in a, or NULL. */
static char *program_of(Arena *a, const char *command) {
        _cleanup_(strv_freep) char **words = NULL;
        if (!command || command_split(command, &words) <= 0)
                return NULL;
        return arena_strdup(a, words[0][0] == '-' || words[0][0] == '@' ? words[0] + 1 : words[0]);
}

static void add_program(Arena *a, char **v, size_t *n, const char *command) {
        char *p = program_of(a, command);
        if (p && !strchr(p, '%')) /* a path with a specifier is only known to systemd */
                list_add_unique(v, n, p);
}

/* Every program the processes of service s run, sorted. */
static char **unit_programs(Arena *a, const Model *m, const Service *s) {
        size_t n = 0;
        char **v = list_new(a, 2 + s->exec_start_pre.n + m->supervision.n_workers);
        add_program(a, v, &n, s->exec);
        for (size_t k = 0; k < s->exec_start_pre.n; k++)
                add_program(a, v, &n, s->exec_start_pre.items[k]);
        if (s->supervisor || s->health_aggregator)
                add_program(a, v, &n, m->supervisor_path);
        for (size_t k = 0; s->supervisor && k < m->supervision.n_workers; k++)
                add_program(a, v, &n, m->supervision.workers[k].exec);
        strv_sort(v);
        return v;
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
        Arena *arena;             /* where the files' strings and lists go: the release's, or a thread's own */
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
static char **program_consumers(const Builder *b, const char *abs) {
        size_t lo = 0, hi = b->n_runners;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(b->runners[mid].program, abs) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        size_t end = lo;
        while (end < b->n_runners && strcmp(b->runners[end].program, abs) == 0)
                end++;
        char **v = list_new(b->arena, end - lo);
        for (size_t i = lo; i < end; i++)
                v[i - lo] = b->r->units[b->runners[i].unit].name;
        return v;
}

/* The units of the services for which pick() holds; sorted, each once. */
static char **service_units(const Builder *b, bool (*pick)(const Model *m, const Service *s, const void *userdata), const void *userdata) {
        const Model *m = b->m;
        size_t n = 0;
        for (size_t k = 0; k < m->n_services; k++)
                n += pick(m, &m->services[k], userdata);
        char **v = list_new(b->arena, n);
        n = 0;
        for (size_t k = 0; k < m->n_services; k++)
                if (pick(m, &m->services[k], userdata))
                        v[n++] = arena_printf(b->arena, "%s.service", m->services[k].name);
        list_uniq(v);
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

/* Kind and consumers of a rendered file. */
static FileKind classify(const Builder *b, const char *path, char ***ret_units) {
        const Model *m = b->m;
        char abs[4097];
        snprintf(abs, sizeof(abs), "/%s", path);
        if (under(abs, "/" UNIT_DIR)) {
                const char *name = path + strlen(UNIT_DIR) + 1, *slash = strchr(name, '/');
                *ret_units = list_new(b->arena, 1);
                (*ret_units)[0] = slash ? arena_strndup(b->arena, name, (size_t) (slash - name - 2)) : arena_strdup(b->arena, name);
                return slash ? FILE_DROPIN : FILE_UNIT;
        }
        if (under(abs, "/etc/sysusers.d") || under(abs, "/etc/tmpfiles.d")) {
                *ret_units = list_new(b->arena, 0);
                return under(abs, "/etc/sysusers.d") ? FILE_SYSUSERS : FILE_TMPFILES;
        }
        for (size_t i = 0; i < m->n_env_files; i++)
                if (strcmp(m->env_files[i].path, abs) == 0) {
                        *ret_units = service_units(b, reads_env_file, m->env_files[i].key);
                        return FILE_ENV;
                }
        const char *base = strrchr(abs, '/') + 1;
        bool in_config = under(abs, m->config_dir) && base - abs == (ptrdiff_t) strlen(m->config_dir) + 1;
        if (in_config && (strcmp(base, "supervisor.yaml") == 0 || strcmp(base, "health-checks.yaml") == 0)) {
                *ret_units = service_units(b, base[0] == 's' ? is_supervisor : is_health_aggregator, NULL);
                return FILE_CONFIG;
        }
        *ret_units = program_consumers(b, abs);
        return **ret_units ? FILE_PROGRAM : FILE_DATA;
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

static void file_make(const Builder *b, ReleaseFile *f, const char *path, mode_t mode, const char *owner, const char *group, char *data_take,
                      size_t size, bool payload) {
        *f = (ReleaseFile) { .path = arena_strdup(b->arena, path), .mode = mode, .owner = arena_strdup(b->arena, owner),
                             .group = arena_strdup(b->arena, group), .size = size, .data = data_take };
        sha256_hex(data_take, size, f->sha256);
        if (payload) {
                char abs[4097];
                snprintf(abs, sizeof(abs), "/%s", path);
                f->units = program_consumers(b, abs);
                f->kind = FILE_PAYLOAD;
        } else
                f->kind = classify(b, path, &f->units);
}

/* A run of the rendered files made by one thread, with the enablement links of its unit files. */
typedef struct FileRun {
        Builder b;
        Artifact *artifacts;
        size_t from, to;
        SdLink *links;
        size_t n_links;
} FileRun;

static void *make_files(void *userdata) {
        FileRun *run = userdata;
        for (size_t i = run->from; i < run->to; i++) {
                Artifact *a = &run->artifacts[i];
                ReleaseFile *f = &run->b.r->files[i];
                file_make(&run->b, f, a->path, a->mode, a->owner, a->group, TAKE_PTR(a->data), a->size, false);
                if (f->kind == FILE_UNIT)
                        sd_install_links(run->b.arena, UNIT_DIR, strrchr(f->path, '/') + 1, f->data, &run->links, &run->n_links);
        }
        return NULL;
}

static int link_cmp(const void *a, const void *b);

/* The links of the runs, in their order, sorted by path. */
static void add_links(Release *r, FileRun *runs, size_t n_runs) {
        size_t n = 0;
        for (size_t k = 0; k < n_runs; k++)
                n += runs[k].n_links;
        r->links = arena_alloc_array(r->arena, n + 1, sizeof(ReleaseLink));
        for (size_t k = 0; k < n_runs; k++) {
                for (size_t i = 0; i < runs[k].n_links; i++)
                        r->links[r->n_links++] = (ReleaseLink) { runs[k].links[i].path, runs[k].links[i].target };
                free(runs[k].links);
        }
        if (r->n_links > 1)
                qsort(r->links, r->n_links, sizeof(ReleaseLink), link_cmp);
}

/* Fewer files are made by one thread: a second costs more than it saves. */
#define FILES_SPLIT_MIN 2000

/* The rendered files, hashed and classified, and the enablement links of the units: with a second CPU, a large
 * set's second half on a thread of its own with an arena of its own. */
static void make_rendered_files(Builder *b, ArtifactSet *artifacts) {
        size_t n = artifacts->n, half = twin_worth(n, FILES_SPLIT_MIN) ? n / 2 : n;
        FileRun runs[2] = { { *b, artifacts->items, 0, half }, { *b, artifacts->items, half, n } };
        runs[1].b.arena = arena_new();
        Twin t;
        twin_start(&t, make_files, &runs[1], half < n);
        make_files(&runs[0]);
        twin_join(&t);
        arena_adopt(b->r->arena, runs[1].b.arena);
        b->r->n_files = n;
        add_links(b->r, runs, ELEMENTSOF(runs));
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

/* A credential of the units, collected before it goes to the arena. */
typedef struct Credential {
        const char *path;
        char **units;             /* malloc'ed strv of names in the arena */
} Credential;

/* The unit of service s, its strings in a. */
static void service_unit(Arena *a, const Model *m, const Service *s, ReleaseUnit *u) {
        *u = (ReleaseUnit) { arena_printf(a, "%s.service", s->name), s->templated ? UNIT_TEMPLATE : UNIT_SERVICE };
        u->instances = list_new(a, s->instances.n);
        for (size_t k = 0; k < s->instances.n; k++)
                u->instances[k] = arena_printf(a, "%s%s.service", s->name, s->instances.items[k]);
        u->part_of = list_new(a, s->part_of.n);
        for (size_t k = 0; k < s->part_of.n; k++)
                u->part_of[k] = arena_strdup(a, s->part_of.items[k]);
        u->programs = unit_programs(a, m, s);
}

/* A run of the services' units made by one thread. */
typedef struct UnitRun {
        Arena *arena;
        const Model *m;
        ReleaseUnit *units;       /* of the services, in their order */
        size_t from, to;
} UnitRun;

static void *make_units(void *userdata) {
        UnitRun *run = userdata;
        for (size_t i = run->from; i < run->to; i++)
                service_unit(run->arena, run->m, &run->m->services[i], &run->units[i]);
        return NULL;
}

/* Fewer services' units are made by one thread: a second costs more than it saves. */
#define UNITS_SPLIT_MIN 1000

static void build_units(Release *r, const Model *m) {
        Arena *a = r->arena;
        r->units = arena_alloc_array(a, m->n_slices + 1 + m->n_services + 1, sizeof(ReleaseUnit));
        for (size_t i = 0; i < m->n_slices; i++)
                unit_add(r, arena_printf(a, "%s.slice", m->slices[i].name), UNIT_SLICE);
        unit_add(r, arena_printf(a, "%s.target", m->name), UNIT_TARGET);
        /* the services' units, with a second CPU a large spec's second half on a thread of its own */
        ReleaseUnit *services = &r->units[r->n_units];
        size_t n = m->n_services, half = twin_worth(n, UNITS_SPLIT_MIN) ? n / 2 : n;
        UnitRun first = { a, m, services, 0, half }, second = { arena_new(), m, services, half, n };
        Twin t;
        twin_start(&t, make_units, &second, half < n);
        make_units(&first);
        twin_join(&t);
        arena_adopt(a, second.arena);
        r->n_units += n;
        Credential *creds = NULL;
        size_t n_creds = 0;
        for (size_t i = 0; i < m->n_services; i++) {
                const Service *s = &m->services[i];
                for (size_t k = 0; k < s->n_secrets; k++) {
                        Credential *c = NULL;
                        for (size_t j = 0; j < n_creds && !c; j++)
                                if (strcmp(creds[j].path, s->secrets[k].source) == 0)
                                        c = &creds[j];
                        if (!c) {
                                creds = xreallocarray(creds, n_creds + 1, sizeof(Credential));
                                c = &creds[n_creds++];
                                *c = (Credential) { s->secrets[k].source, xcalloc(1, sizeof(char *)) };
                        }
                        if (!strv_contains(c->units, services[i].name))
                                strv_push(&c->units, services[i].name);
                }
        }
        r->credentials = arena_alloc_array(a, n_creds + 1, sizeof(ReleaseCredential));
        for (size_t i = 0; i < n_creds; i++) {
                size_t k = strv_length(creds[i].units);
                ReleaseCredential *c = &r->credentials[r->n_credentials++];
                *c = (ReleaseCredential) { arena_strdup(a, creds[i].path), list_new(a, k) };
                memcpy(c->units, creds[i].units, k * sizeof(char *));
                free(creds[i].units); /* the names are the arena's */
        }
        free(creds);
        size_t n_health = 0;
        r->health = list_new(a, 2);
        if (m->supervision.root && m->supervision.listen)
                r->health[n_health++] = arena_strdup(a, m->supervision.listen);
        if (m->health_listen)
                list_add_unique(r->health, &n_health, arena_strdup(a, m->health_listen));
        if (r->n_units > 1)
                qsort(r->units, r->n_units, sizeof(ReleaseUnit), unit_cmp);
        if (r->n_credentials > 1)
                qsort(r->credentials, r->n_credentials, sizeof(ReleaseCredential), credential_cmp);
}

/* Whether path is a file of r already: one of the first n_sorted, or a payload added after them. */
static bool has_file(const Release *r, size_t n_sorted, const char *path) {
        Release sorted = { .files = r->files, .n_files = n_sorted };
        if (release_find_file(&sorted, path))
                return true;
        for (size_t i = n_sorted; i < r->n_files; i++)
                if (strcmp(r->files[i].path, path) == 0)
                        return true;
        return false;
}

static bool files_sorted(const Release *r) {
        for (size_t i = 1; i < r->n_files; i++)
                if (strcmp(r->files[i - 1].path, r->files[i].path) > 0)
                        return false;
        return true;
}

/* Where the spec put the file at path (relative to the root): a payload's or an env file's path, the project
 * directory it lies in; ret_what: the payload or env file, for the message. No location when none. */
static Loc file_loc(const Model *m, const char *path, char **ret_what) {
        char abs[4097];
        snprintf(abs, sizeof(abs), "/%s", path);
        *ret_what = NULL;
        for (size_t i = 0; i < m->n_payload; i++)
                if (strcmp(m->payload[i].path, abs) == 0) {
                        *ret_what = xasprintf("payload '%s'", m->payload[i].key);
                        return m->payload[i].path_loc;
                }
        for (size_t i = 0; i < m->n_env_files; i++)
                if (strcmp(m->env_files[i].path, abs) == 0) {
                        *ret_what = xasprintf("env file '%s'", m->env_files[i].key);
                        return m->env_files[i].path_loc;
                }
        const struct {
                const char *dir;
                Loc loc;
        } dirs[] = { { m->config_dir, m->config_dir_loc }, { m->libexec_dir, m->libexec_dir_loc }, { m->prefix, m->prefix_loc } };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (under(abs, dirs[i].dir))
                        return dirs[i].loc;
        return (Loc) {};
}

int release_from_model(const Model *m, ArtifactSet *artifacts, const char *spec_dir, const char *tool_version, Release **ret,
                       Diags *d) {
        Release *r = xcalloc(1, sizeof(Release));
        Arena *a = r->arena = arena_new();
        r->project = arena_strdup(a, m->name);
        r->tier = arena_strdup(a, m->tier);
        r->tool_version = arena_strdup(a, tool_version);
        r->systemd_version = m->systemd_version;
        r->deploy = m->deploy;
        r->prefix = arena_strdup(a, m->prefix);
        r->config_dir = arena_strdup(a, m->config_dir);
        r->libexec_dir = arena_strdup(a, m->libexec_dir);
        r->spec_sha256 = arena_alloc(a, SHA256_HEX_SIZE);
        sha256_hex(m->spec_text ? m->spec_text : "", m->spec_text ? m->spec_len : 0, r->spec_sha256);
        size_t errors = d->n_errors;
        const struct {
                const char *key, *dir;
                Loc loc;
        } roots[] = { { "prefix", m->prefix, m->prefix_loc }, { "config_dir", m->config_dir, m->config_dir_loc },
                      { "libexec_dir", m->libexec_dir, m->libexec_dir_loc } };
        for (size_t i = 0; i < ELEMENTSOF(roots); i++)
                if (!release_root_valid(roots[i].dir))
                        diag_error(d, roots[i].loc, "project.%s '%s' is not a directory msdeploy installs into: use one under /etc, /opt, /srv, "
                                                    "/usr/local or /var/lib", roots[i].key, roots[i].dir);
        bool roots_valid = d->n_errors == errors; /* else every file under a refused one would be outside too */
        build_units(r, m);
        Builder b = { .m = m, .r = r, .arena = a };
        index_runners(&b);
        r->files = arena_alloc_array(a, artifacts->n + m->n_payload + 1, sizeof(ReleaseFile));
        make_rendered_files(&b, artifacts);
        if (!files_sorted(r)) /* rendered sets come sorted */
                qsort(r->files, r->n_files, sizeof(ReleaseFile), file_cmp);
        size_t n_rendered = r->n_files;
        for (size_t i = 0; i < m->n_payload; i++) {
                const Payload *p = &m->payload[i];
                char *data = NULL;
                size_t size = 0;
                if (read_payload(spec_dir, p, &data, &size, d) < 0)
                        continue;
                if (has_file(r, n_rendered, p->path + 1)) {
                        diag_error(d, p->loc, "payload '%s': '%s' is also a file msdeploy renders", p->key, p->path);
                        free(data);
                        continue;
                }
                file_make(&b, &r->files[r->n_files++], p->path + 1, p->mode, p->owner, p->group, data, size, true);
        }
        free(b.runners);
        artifact_set_free(artifacts);
        if (!files_sorted(r))
                qsort(r->files, r->n_files, sizeof(ReleaseFile), file_cmp);
        for (size_t i = 0; i < r->n_files; i++)
                if (roots_valid && !release_path_allowed(r, r->files[i].path)) {
                        _cleanup_free_ char *what = NULL;
                        Loc loc = file_loc(m, r->files[i].path, &what);
                        diag_error(d, loc, "%s%s'/%s' is outside the directories a release may install into (the systemd, sysusers.d and tmpfiles.d "
                                           "directories, config_dir, libexec_dir, prefix, /usr/local/bin)",
                                   what ? what : "", what ? ": " : "", r->files[i].path);
                }
        if (d->n_errors > errors) {
                release_free(r);
                return -EINVAL;
        }
        *ret = r;
        return 0;
}
