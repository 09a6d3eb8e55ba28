/* SPDX-License-Identifier: MIT */
/* The release manifest as JSON: written with the one JSON writer, read back with install/doc's JSON reader and
 * checked field by field, since a bundle's manifest is untrusted input. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "install/release.h"
#include "install/doc.h"
#include "spec/syntax.h"
#include "util/json.h"
#include "util/twin.h"
#include "util/units.h"
#include "util/xalloc.h"

static void kv_strv(JsonWriter *w, const char *key, char *const *v) {
        json_key(w, key);
        json_array_begin(w);
        for (size_t i = 0; v && v[i]; i++)
                json_string(w, v[i]);
        json_array_end(w);
}

static void kv_file(JsonWriter *w, const ReleaseFile *f) {
        char mode[8];
        json_object_begin(w);
        json_kv_string(w, "path", f->path);
        json_kv_string(w, "kind", file_kind_to_string(f->kind));
        json_kv_string(w, "sha256", f->sha256);
        json_kv_uint(w, "size", f->size);
        snprintf(mode, sizeof(mode), "%04o", (unsigned) f->mode);
        json_kv_string(w, "mode", mode);
        json_kv_string(w, "owner", f->owner);
        json_kv_string(w, "group", f->group);
        kv_strv(w, "units", f->units);
        json_object_end(w);
}

/* What follows the first files of the manifest: the others, then units, links, health and credentials. */
typedef struct ManifestTail {
        const Release *r;
        size_t from;              /* the first file it writes */
        StrBuf out;
} ManifestTail;

static void *manifest_tail(void *userdata) {
        ManifestTail *t = userdata;
        const Release *r = t->r;
        sb_reserve(&t->out, 512 * (r->n_files - t->from + r->n_units + r->n_links) + 4096);
        JsonWriter w = json_writer_inside(&t->out, JSON_PRETTY, 2, t->from > 0); /* the document, then "files": [ */
        for (size_t i = t->from; i < r->n_files; i++)
                kv_file(&w, &r->files[i]);
        json_array_end(&w);
        json_key(&w, "units");
        json_array_begin(&w);
        for (size_t i = 0; i < r->n_units; i++) {
                json_object_begin(&w);
                json_kv_string(&w, "name", r->units[i].name);
                json_kv_string(&w, "kind", unit_kind_to_string(r->units[i].kind));
                kv_strv(&w, "instances", r->units[i].instances);
                kv_strv(&w, "part_of", r->units[i].part_of);
                kv_strv(&w, "programs", r->units[i].programs);
                json_object_end(&w);
        }
        json_array_end(&w);
        json_key(&w, "links");
        json_array_begin(&w);
        for (size_t i = 0; i < r->n_links; i++) {
                json_object_begin(&w);
                json_kv_string(&w, "path", r->links[i].path);
                json_kv_string(&w, "target", r->links[i].target);
                json_object_end(&w);
        }
        json_array_end(&w);
        kv_strv(&w, "health", r->health);
        json_key(&w, "credentials");
        json_array_begin(&w);
        for (size_t i = 0; i < r->n_credentials; i++) {
                json_object_begin(&w);
                json_kv_string(&w, "path", r->credentials[i].path);
                kv_strv(&w, "units", r->credentials[i].units);
                json_object_end(&w);
        }
        json_array_end(&w);
        json_object_end(&w);
        sb_putc(&t->out, '\n');
        return NULL;
}

/* Fewer files are written by one thread: a second costs more than it saves. */
#define MANIFEST_SPLIT_MIN 4096

const char *release_manifest(Release *r, size_t *ret_len) {
        if (r->manifest) {
                *ret_len = r->manifest_len;
                return r->manifest;
        }
        /* with a second CPU, the last files of a large release and what follows them on a thread of its own: the
         * files are about three fifths of the text, so the first five sixths of them are about half of it */
        size_t half = twin_worth(r->n_files, MANIFEST_SPLIT_MIN) ? r->n_files - r->n_files / 6 : r->n_files;
        ManifestTail tail = { .r = r, .from = half };
        Twin t;
        twin_start(&t, manifest_tail, &tail, half < r->n_files);
        StrBuf b = {};
        sb_reserve(&b, 512 * (r->n_files + r->n_units + r->n_links) + 4096); /* more than it takes: pages untouched stay free */
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_int(&w, "format_version", RELEASE_FORMAT_VERSION);
        json_key(&w, "release");
        json_object_begin(&w);
        json_kv_string(&w, "project", r->project);
        json_kv_string(&w, "tier", r->tier);
        json_kv_string(&w, "tool_version", r->tool_version);
        json_kv_string(&w, "spec_sha256", r->spec_sha256);
        json_kv_uint(&w, "systemd_version", r->systemd_version);
        json_kv_bool(&w, "health_gate", r->deploy.health_gate);
        json_kv_uint(&w, "health_timeout_usec", r->deploy.health_timeout);
        json_kv_uint(&w, "keep_releases", r->deploy.keep_releases);
        json_kv_string(&w, "prefix", r->prefix);
        json_kv_string(&w, "config_dir", r->config_dir);
        json_kv_string(&w, "libexec_dir", r->libexec_dir);
        json_object_end(&w);
        json_key(&w, "files");
        json_array_begin(&w);
        for (size_t i = 0; i < half; i++)
                kv_file(&w, &r->files[i]);
        twin_join(&t);
        sb_appendn(&b, tail.out.s, tail.out.len);
        sb_free(&tail.out);
        r->manifest = sb_take(&b, &r->manifest_len);
        sha256_hex(r->manifest, r->manifest_len, r->hash);
        *ret_len = r->manifest_len;
        return r->manifest;
}

/* ---- reading ---------------------------------------------------------------------------------------- */

typedef struct Parser {
        Arena *arena;             /* the document's, which the release takes: its strings are the release's */
        Diags *d;
        bool failed;
} Parser;

static void fail(Parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(Parser *p, const char *fmt, ...) {
        if (p->failed)
                return; /* the first problem is the one worth reading */
        p->failed = true;
        StrBuf b = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&b, fmt, ap);
        va_end(ap);
        diag_error(p->d, (Loc) {}, "%s", b.s);
        sb_free(&b);
}

static const char *get_str(Parser *p, const Node *n, const char *key, const char *(*check)(const char *)) {
        const char *v = node_get_scalar(n, key);
        const char *why = !v ? "is missing" : check ? check(v) : syntax_check_text(v);
        if (why) {
                fail(p, "manifest: '%s' %s%s%s%s", key, v ? "value '" : "", v ? v : "", v ? "' " : "", why);
                return NULL;
        }
        return v;
}

static char *dup_str(Parser *p, const Node *n, const char *key, const char *(*check)(const char *)) {
        return (char *) get_str(p, n, key, check); /* in the arena the release takes */
}

static const char *check_sha(const char *s) {
        return sha256_hex_valid(s) ? NULL : "is not a sha256 (64 lowercase hex digits)";
}
static const char *check_rel_path(const char *s) {
        char abs[4097];
        if (s[0] == '/')
                return "is absolute";
        if (snprintf(abs, sizeof(abs), "/%s", s) >= (int) sizeof(abs))
                return "is too long";
        return syntax_check_path(abs);
}

static const Node *get_seq(Parser *p, const Node *n, const char *key) {
        const Node *v = node_get(n, key);
        if (!v || v->kind != NODE_SEQ) {
                fail(p, "manifest: '%s' is not a list", key);
                return NULL;
        }
        return v;
}

static char **get_strv(Parser *p, const Node *n, const char *key, const char *(*check)(const char *)) {
        const Node *l = get_seq(p, n, key);
        char **v = arena_alloc_array(p->arena, (l ? l->n : 0) + 1, sizeof(char *));
        size_t k = 0;
        for (size_t i = 0; l && i < l->n; i++) {
                const char *s = l->items[i]->kind == NODE_SCALAR ? l->items[i]->scalar : NULL;
                const char *why = s ? check(s) : "is not a string";
                if (why)
                        fail(p, "manifest: '%s' entry '%s' %s", key, s ? s : "", why);
                else
                        v[k++] = (char *) s;
        }
        return v;
}

static void parse_files(Parser *p, Release *r, const Node *l) {
        r->files = arena_alloc_array(p->arena, l->n + 1, sizeof(ReleaseFile));
        for (size_t i = 0; i < l->n && !p->failed; i++) {
                const Node *n = l->items[i];
                ReleaseFile *f = &r->files[r->n_files++];
                f->units = get_strv(p, n, "units", syntax_check_unit_name);
                f->path = dup_str(p, n, "path", check_rel_path);
                f->owner = dup_str(p, n, "owner", syntax_check_user);
                f->group = dup_str(p, n, "group", syntax_check_user);
                const char *sha = get_str(p, n, "sha256", check_sha), *kind = get_str(p, n, "kind", NULL);
                const char *mode = get_str(p, n, "mode", NULL), *size = get_str(p, n, "size", NULL);
                if (p->failed)
                        return;
                memcpy(f->sha256, sha, SHA256_HEX_SIZE);
                f->kind = file_kind_from_string(kind);
                if (f->kind < 0)
                        fail(p, "manifest: '%s' has unknown kind '%s'", f->path, kind);
                if (parse_mode(mode, &f->mode) < 0 || (f->mode & 07000))
                        fail(p, "manifest: '%s' has mode '%s'; expected an octal mode without setuid, setgid or sticky bits", f->path, mode);
                if (parse_uint(size, 0, UINT64_MAX, &f->size) < 0)
                        fail(p, "manifest: '%s' has size '%s'", f->path, size);
                if (!release_path_allowed(r, f->path))
                        fail(p, "manifest: '/%s' is outside the directories a release may install into", f->path);
                if (i > 0 && strcmp(r->files[i - 1].path, f->path) >= 0)
                        fail(p, "manifest: files are not sorted, or '%s' is listed twice", f->path);
        }
}

static void parse_units(Parser *p, Release *r, const Node *l) {
        r->units = arena_alloc_array(p->arena, l->n + 1, sizeof(ReleaseUnit));
        for (size_t i = 0; i < l->n && !p->failed; i++) {
                const Node *n = l->items[i];
                ReleaseUnit *u = &r->units[r->n_units++];
                u->instances = get_strv(p, n, "instances", syntax_check_unit_name);
                u->part_of = get_strv(p, n, "part_of", syntax_check_unit_name);
                u->programs = get_strv(p, n, "programs", syntax_check_path);
                u->name = dup_str(p, n, "name", syntax_check_unit_name);
                const char *kind = get_str(p, n, "kind", NULL);
                if (p->failed)
                        return;
                u->kind = unit_kind_from_string(kind);
                if (u->kind < 0)
                        fail(p, "manifest: unit '%s' has unknown kind '%s'", u->name, kind);
                if (i > 0 && strcmp(r->units[i - 1].name, u->name) >= 0)
                        fail(p, "manifest: units are not sorted, or '%s' is listed twice", u->name);
        }
}

static void parse_links(Parser *p, Release *r, const Node *l) {
        r->links = arena_alloc_array(p->arena, l->n + 1, sizeof(ReleaseLink));
        for (size_t i = 0; i < l->n && !p->failed; i++) {
                const Node *n = l->items[i];
                ReleaseLink *k = &r->links[r->n_links++];
                k->path = dup_str(p, n, "path", check_rel_path);
                k->target = dup_str(p, n, "target", syntax_check_path);
                if (p->failed)
                        return;
                /* a link lives in the unit directory and points at a unit file of the release */
                if (strncmp(k->path, "etc/systemd/system/", 19) != 0 || strncmp(k->target, "/etc/systemd/system/", 20) != 0 ||
                    !release_find_file(r, k->target + 1) || release_find_file(r, k->path))
                        fail(p, "manifest: link '%s' -> '%s' is not an enablement link to a unit of the release", k->path, k->target);
        }
}

static void parse_credentials(Parser *p, Release *r, const Node *l) {
        r->credentials = arena_alloc_array(p->arena, l->n + 1, sizeof(ReleaseCredential));
        for (size_t i = 0; i < l->n && !p->failed; i++) {
                ReleaseCredential *c = &r->credentials[r->n_credentials++];
                c->units = get_strv(p, l->items[i], "units", syntax_check_unit_name);
                c->path = dup_str(p, l->items[i], "path", syntax_check_path);
        }
}

/* The deploy: settings; a manifest without them (written before they existed) gets what apply did then:
 * the gate on for tier_3 alone, 120 s, 10 releases kept. */
static void parse_deploy(Parser *p, const Node *rel, Release *r) {
        const char *gate = node_get_scalar(rel, "health_gate"), *timeout = node_get_scalar(rel, "health_timeout_usec"),
                   *keep = node_get_scalar(rel, "keep_releases");
        uint64_t v;
        r->deploy = (Deploy) { strcmp(r->tier ? r->tier : "", "tier_3") == 0, DEPLOY_HEALTH_TIMEOUT_DEFAULT, DEPLOY_KEEP_RELEASES_DEFAULT };
        if (gate && parse_bool(gate, &r->deploy.health_gate) < 0)
                fail(p, "manifest: health_gate '%s' is not true or false", gate);
        if (timeout && parse_uint(timeout, 1, UINT64_MAX - 1, &v) < 0)
                fail(p, "manifest: health_timeout_usec '%s' is not a duration in microseconds", timeout);
        else if (timeout)
                r->deploy.health_timeout = v;
        if (keep && parse_uint(keep, 1, 1000, &v) < 0)
                fail(p, "manifest: keep_releases '%s' is not a number of releases from 1 to 1000", keep);
        else if (keep)
                r->deploy.keep_releases = (unsigned) v;
}

int release_parse_manifest(const char *text, size_t len, Release **ret, Diags *d) {
        Doc doc;
        if (doc_parse("manifest.json", text, len, &doc, d) < 0)
                return -EBADMSG;
        const Node *root = doc.root;
        Release *r = xcalloc(1, sizeof(Release));
        r->arena = TAKE_PTR(doc.arena);
        Parser p = { r->arena, d, false };
        const char *version = get_str(&p, root, "format_version", NULL);
        if (version && strcmp(version, "1") != 0)
                fail(&p, "manifest: format_version %s is not one this msdeploy reads (1)", version);
        const Node *rel = node_get(root, "release");
        if (!p.failed) {
                r->project = dup_str(&p, rel, "project", syntax_check_name);
                r->tier = dup_str(&p, rel, "tier", syntax_check_name);
                r->tool_version = dup_str(&p, rel, "tool_version", NULL);
                r->spec_sha256 = dup_str(&p, rel, "spec_sha256", check_sha);
                r->prefix = dup_str(&p, rel, "prefix", syntax_check_path);
                r->config_dir = dup_str(&p, rel, "config_dir", syntax_check_path);
                r->libexec_dir = dup_str(&p, rel, "libexec_dir", syntax_check_path);
                const char *sv = get_str(&p, rel, "systemd_version", NULL);
                uint64_t v;
                if (sv && parse_uint(sv, 200, 999, &v) < 0)
                        fail(&p, "manifest: systemd_version '%s' is not a systemd version", sv);
                r->systemd_version = sv ? (unsigned) v : 0;
                parse_deploy(&p, rel, r);
        }
        for (const char *const *dir = (const char *const[]) { r->prefix, r->config_dir, r->libexec_dir, NULL }; !p.failed && *dir; dir++)
                if (!release_root_valid(*dir))
                        fail(&p, "manifest: project directory '%s' is not one msdeploy installs into", *dir);
        const Node *l;
        if (!p.failed && (l = get_seq(&p, root, "files")))
                parse_files(&p, r, l);
        if (!p.failed && (l = get_seq(&p, root, "units")))
                parse_units(&p, r, l);
        if (!p.failed && (l = get_seq(&p, root, "links")))
                parse_links(&p, r, l);
        if (!p.failed && (l = get_seq(&p, root, "credentials")))
                parse_credentials(&p, r, l);
        if (!p.failed)
                r->health = get_strv(&p, root, "health", syntax_check_address);
        doc_done(&doc);
        if (p.failed) {
                release_free(r);
                return -EBADMSG;
        }
        sha256_hex(text, len, r->hash);
        *ret = r;
        return 0;
}
