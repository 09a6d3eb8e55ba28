/* SPDX-License-Identifier: MIT */
/* Test helpers for the install engine: releases from inline specs, snapshots of a host in memory. */
#include "helpers/install-check.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers/spec-check.h"
#include "render/render.h"
#include "util/xalloc.h"

#define INSTALL_SPEC "/tmp/msdeploy-test-install.yaml"

const char install_spec[] =
        "version: 1\n"
        "project: { name: demo }\n"
        "groups: { demo: {} }\n"
        "users: { demo: { group: demo } }\n"
        "directories: { state: { path: /var/lib/demo, owner: demo, group: demo, mode: \"0750\" } }\n"
        "env_files:\n"
        "  api: { group: demo, vars: { A: \"1\" } }\n"
        "  worker: { group: demo, vars: { W: \"1\" } }\n"
        "slices:\n"
        "  demo: { memory_max: 1G, children: { api: { memory_max: 512M } } }\n"
        "services:\n"
        "  api: { exec: /opt/demo/bin/api --serve, user: demo, group: demo, slice: demo-api, env_files: [api],\n"
        "         secrets: { token: /etc/demo/token } }\n"
        "  worker: { exec: /opt/demo/bin/api --work %i, template: true, instances: 2, user: demo, group: demo,\n"
        "            env_files: [worker], part_of: [api] }\n"
        "  other: { exec: /usr/bin/sleep infinity }\n"
        "payload:\n"
        "  api: { path: /opt/demo/bin/api, source: msdeploy-test-payload.bin }\n";

Release *install_release(const char *yaml, const char *tier, const char *const *sets, const char *payload_bytes) {
        FILE *f = fopen(INSTALL_PAYLOAD_SOURCE, "we");
        assert_non_null(f);
        fputs(payload_bytes, f);
        fclose(f);
        /* one spec path for every release: it is named in the generated files' headers */
        f = fopen(INSTALL_SPEC, "we");
        assert_non_null(f);
        fputs(yaml, f);
        fclose(f);
        Spec *spec = NULL;
        Model *m = NULL;
        Diags d = {};
        if (spec_check_compose_file(INSTALL_SPEC, tier, sets, &spec, &d) < 0)
                diags_dump(&d);
        assert_non_null(spec);
        assert_int_equal(d.n_errors, 0);
        assert_int_equal(spec_build_model(spec, NULL, &m, &d), 0);
        ArtifactSet a = {};
        assert_int_equal(render_model(m, &a, &d), 0);
        Release *r = NULL;
        int res = release_from_model(m, &a, "/tmp", "test", &r, &d);
        if (res < 0)
                diags_dump(&d);
        assert_int_equal(res, 0);
        size_t len;
        release_manifest(r, &len);
        artifact_set_free(&a);
        model_free(m);
        spec_free(spec);
        diags_clear(&d);
        unlink(INSTALL_SPEC);
        unlink(INSTALL_PAYLOAD_SOURCE); /* read into the release */
        return r;
}

static DiskEntry entry(const char *path, const char *sha, mode_t mode, const char *owner, const char *group, const char *link) {
        DiskEntry e = { .path = xstrdup(path), .exists = true, .regular = !link, .mode = mode, .owner = xstrdup(owner),
                        .group = xstrdup(group), .link = link ? xstrdup(link) : NULL };
        if (sha)
                memcpy(e.sha256, sha, SHA256_HEX_SIZE);
        return e;
}

static int entry_cmp(const void *a, const void *b) {
        return strcmp(((const DiskEntry *) a)->path, ((const DiskEntry *) b)->path);
}

static Snapshot *snapshot(const Release *r, bool installed) {
        Snapshot *s = xcalloc(1, sizeof(Snapshot));
        s->files = xcalloc(r->n_files + 1, sizeof(DiskEntry));
        s->links = xcalloc(r->n_links + 1, sizeof(DiskEntry));
        s->credentials = xcalloc(r->n_credentials + 1, sizeof(DiskEntry));
        s->users = xcalloc(1, sizeof(char *));
        s->groups = xcalloc(1, sizeof(char *));
        s->credential_hashes = xcalloc(1, sizeof(char *));
        char sha[SHA256_HEX_SIZE];
        sha256_hex("secret", 6, sha);
        for (size_t i = 0; i < r->n_files; i++) {
                const ReleaseFile *f = &r->files[i];
                s->files[s->n_files++] = installed ? entry(f->path, f->sha256, f->mode, f->owner, f->group, NULL)
                                                   : (DiskEntry) { .path = xstrdup(f->path) };
                if (f->kind == FILE_SYSUSERS && installed)
                        sysusers_names(f->data, &s->users, &s->groups);
                if (f->kind != FILE_TMPFILES)
                        continue;
                TmpDir *t;
                size_t n;
                tmpfiles_dirs(f->data, &t, &n);
                s->dirs = xreallocarray(s->dirs, s->n_dirs + n + 1, sizeof(DiskEntry));
                for (size_t k = 0; k < n; k++) {
                        s->dirs[s->n_dirs] = installed ? entry(t[k].path, NULL, t[k].mode, t[k].owner, t[k].group, NULL)
                                                       : (DiskEntry) { .path = xstrdup(t[k].path) };
                        s->dirs[s->n_dirs].regular = false;
                        s->dirs[s->n_dirs++].directory = installed;
                        free(t[k].path), free(t[k].owner), free(t[k].group);
                }
                free(t);
        }
        for (size_t i = 0; i < r->n_links; i++)
                s->links[s->n_links++] = installed ? entry(r->links[i].path, NULL, 0777, "root", "root", r->links[i].target)
                                                   : (DiskEntry) { .path = xstrdup(r->links[i].path) };
        for (size_t i = 0; i < r->n_credentials; i++) {
                s->credentials[s->n_credentials++] = entry(r->credentials[i].path + 1, sha, 0600, "root", "root", NULL);
                char rec[4200];
                snprintf(rec, sizeof(rec), "%s=%s", r->credentials[i].path, sha);
                if (installed)
                        strv_push_copy(&s->credential_hashes, rec);
        }
        if (s->n_dirs > 1)
                qsort(s->dirs, s->n_dirs, sizeof(DiskEntry), entry_cmp);
        /* the programs the units run that the release does not ship are on the host, executable */
        for (size_t i = 0; i < r->n_units; i++)
                for (size_t k = 0; r->units[i].programs[k]; k++)
                        if (!release_find_file(r, r->units[i].programs[k] + 1) &&
                            !snapshot_find(s->programs, s->n_programs, r->units[i].programs[k] + 1)) {
                                s->programs = xreallocarray(s->programs, s->n_programs + 1, sizeof(DiskEntry));
                                s->programs[s->n_programs++] = entry(r->units[i].programs[k] + 1, NULL, 0755, "root", "root", NULL);
                                qsort(s->programs, s->n_programs, sizeof(DiskEntry), entry_cmp);
                        }
        s->installed = installed ? r : NULL;
        s->installed_number = installed ? 1 : 0;
        return s;
}

Snapshot *install_snapshot_of(const Release *r) {
        return snapshot(r, true);
}

Snapshot *install_snapshot_empty(const Release *for_release) {
        return snapshot(for_release, false);
}

DiskEntry *install_disk(Snapshot *s, const char *path) {
        DiskEntry *e = (DiskEntry *) snapshot_find(s->files, s->n_files, path);
        assert_non_null(e);
        return e;
}

char *install_plan_steps(const Plan *p) {
        StrBuf b = {};
        for (size_t i = 0; i < p->n_actions; i++)
                sb_printf(&b, "%s%s %s", i ? "; " : "", action_type_to_string(p->actions[i].type), p->actions[i].subject);
        return b.s ? b.s : xstrdup("");
}
