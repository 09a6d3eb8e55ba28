/* SPDX-License-Identifier: MIT */
/* Shared plumbing of the install commands: the release, the host's store, planning and applying. */
#include "cmd/install.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/apply.h"
#include "install/bundle.h"
#include "install/fsops.h"
#include "install/hashcache.h"
#include "install/sdversion.h"
#include "output/output.h"
#include "util/version.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define PLAN_DIFF_MAX (16u * 1024 * 1024) /* an installed file larger than this is not diffed */

int cmd_release_load(CmdContext *c, const char *plan_file, Release **ret, char **ret_plan) {
        if (plan_file || c->bundle) {
                const char *path = plan_file ? plan_file : c->bundle;
                Diags d = {};
                int r = bundle_read(path, ret, ret_plan, &d);
                if (r < 0) {
                        diags_prefix(&d, 0, "%s '%s' refused: ", plan_file ? "plan" : "bundle", path);
                        return cmd_flush(c, &d, EXIT_INVALID);
                }
                if (plan_file && (!ret_plan || !*ret_plan)) {
                        *ret = release_free(*ret);
                        return cmd_error(c, EXIT_INVALID, "'%s' is a bundle, not a saved plan; use --bundle", path);
                }
                return EXIT_OK;
        }
        if (c->n_tiers != 1)
                return cmd_usage_error("give exactly one --tier T (or --bundle FILE)");
        _cleanup_(strv_freep) char **tiers = NULL;
        if (cmd_open(c, &tiers) < 0)
                return EXIT_INVALID;
        Diags d = { .werror = c->werror };
        TierResult t;
        int r = cmd_process_tier(c, tiers[0], &t, &d);
        if (r >= 0 && !diags_failed(&d)) {
                _cleanup_free_ char *copy = xstrdup(c->spec_path);
                r = release_from_model(t.model, &t.artifacts, dirname(copy), MSDEPLOY_VERSION, ret, &d);
        }
        int ret_code = cmd_report(c, &d, /* only_output= */ false);
        if (r < 0 && ret_code == EXIT_OK)
                ret_code = EXIT_INVALID;
        tier_result_free(&t);
        diags_clear(&d);
        if (ret_code == EXIT_OK) {
                size_t len;
                release_manifest(*ret, &len); /* sets the hash */
        }
        return ret_code;
}

/* Forgets the installed release, freeing it unless it is the incoming one. */
static void host_drop_installed(Host *h) {
        if (!h->installed_is_incoming)
                release_free(h->installed);
        h->installed = NULL;
        h->installed_is_incoming = false;
}

int cmd_host_open(CmdContext *c, const Release *incoming, Host *ret) {
        *ret = (Host) { .root = c->root ? c->root : "/", .incoming = incoming };
        const char *project = incoming ? incoming->project : NULL;
        _cleanup_free_ char *found = NULL;
        int r;
        if (!project) {
                r = store_find_project(ret->root, &found);
                if (r < 0)
                        return cmd_error(c, EXIT_INVALID, "%s: %s", ret->root,
                                         r == -ENOTUNIQ ? "several projects are installed here; name one with -f SPEC --tier T or --bundle FILE"
                                                        : "no release installed (nothing under " STORE_DIR ")");
                project = found;
        }
        r = store_open(ret->root, project, /* create= */ false, &ret->store);
        if (r == -ENOENT)
                return EXIT_OK; /* nothing installed yet */
        if (r < 0)
                return cmd_error(c, EXIT_IO, "cannot open the release store of '%s' under '%s': %s", project, ret->root, strerror(-r));
        return cmd_host_load_current(c, ret);
}

int cmd_host_create_store(CmdContext *c, Host *h) {
        assert(!h->store && h->incoming);
        const char *project = h->incoming->project;
        int r = store_open(h->root, project, /* create= */ true, &h->store);
        if (r < 0)
                return cmd_error(c, EXIT_IO, "cannot create the release store of '%s' under '%s': %s", project, h->root, strerror(-r));
        Diags d = {};
        r = store_lock(h->store, &d);
        cmd_flush(c, &d, EXIT_OK);
        if (r < 0)
                return r == -EBUSY ? EXIT_LOCKED : EXIT_IO;
        uint64_t target, previous;
        _cleanup_(strv_freep) char **owed = NULL;
        uint64_t current = store_current(h->store);
        if (current || store_journal_read(h->store, &target, &previous, &owed) != -ENOENT)
                return cmd_error(c, EXIT_STALE_PLAN, "another apply %s '%s' under '%s' since this plan was made; make a new plan",
                                 current ? "installed a release of" : "began to install", project, h->root);
        return EXIT_OK;
}

int cmd_host_load_current(CmdContext *c, Host *h) {
        host_drop_installed(h);
        strv_free(h->credentials);
        h->credentials = NULL;
        h->installed_number = store_current(h->store);
        if (!h->installed_number)
                return EXIT_OK;
        Diags d = {};
        ReleaseInfo info = {};
        int r = store_info(h->store, h->installed_number, &info);
        if (r < 0)
                diag_error(&d, (Loc) {}, "its record cannot be read: %s", strerror(-r));
        else if (h->incoming && strcmp(info.hash, h->incoming->hash) == 0) {
                /* the same manifest, byte for byte: what parsing it would give */
                h->installed = (Release *) h->incoming;
                h->installed_is_incoming = true;
        } else
                r = store_load_manifest(h->store, h->installed_number, &h->installed, &d);
        if (r < 0) {
                release_info_done(&info);
                diags_prefix(&d, 0, "the current release %llu in the store is unreadable: ", (unsigned long long) h->installed_number);
                return cmd_flush(c, &d, EXIT_IO);
        }
        h->credentials = TAKE_PTR(info.credentials);
        release_info_done(&info);
        return EXIT_OK;
}

int cmd_host_connect(CmdContext *c, Host *h) {
        if (c->root)
                return EXIT_OK; /* offline: systemd is not contacted */
        int r = bus_open(&h->bus);
        if (r < 0)
                return cmd_error(c, EXIT_IO, "cannot reach systemd on the system bus: %s (to install into a directory, use --root DIR)",
                                 strerror(-r));
        return EXIT_OK;
}

void cmd_host_close(Host *h) {
        h->bus = bus_free(h->bus);
        h->store = store_free(h->store);
        host_drop_installed(h);
        strv_free(h->credentials);
        h->credentials = NULL;
}

/* The host's systemd version, for the planner's preflight: the running manager's, or offline the one
 * installed under the root; left 0 (the plan says it was not checked) when neither can be read. */
static void host_systemd_version(const Host *h, Snapshot *s) {
        unsigned v = 0;
        _cleanup_free_ char *path = NULL;
        if (h->bus ? bus_manager_version(h->bus, &v) < 0 : sdversion_in_root(h->root, &v, &path) < 0)
                return;
        s->systemd_version = v;
        if (!path)
                s->systemd_version_from = xstrdup("the running systemd");
        else if (asprintf(&s->systemd_version_from, "%s/%s", strcmp(h->root, "/") == 0 ? "" : h->root, path) < 0)
                xoom();
}

int cmd_host_plan(CmdContext *c, Host *h, const Release *r, PlanFlags flags, Snapshot **ret_snap, Plan **ret_plan) {
        char **creds = xcalloc(1, sizeof(char *));
        for (size_t i = 0; h->credentials && h->credentials[i]; i++)
                strv_push_copy(&creds, h->credentials[i]);
        HashCache known = {};
        if (h->store)
                hash_cache_read(h->store->fd, &known);
        int res = snapshot_take(h->root, r, h->installed, h->installed_number, creds, &known, ret_snap);
        hash_cache_done(&known);
        if (res < 0)
                return cmd_error(c, EXIT_IO, "cannot look at '%s': %s", h->root, strerror(-res));
        host_systemd_version(h, *ret_snap);
        *ret_plan = plan_compute(r, *ret_snap, flags);
        return EXIT_OK;
}

/* Appends the unified diff of every text file p updates: what is installed under the root against the
 * release. Binaries (a NUL byte) are left to the sizes the plan shows. */
static void text_diffs(const Host *h, const Plan *p, StrBuf *out) {
        char tmpdir[] = "/tmp/msdeploy-plan-XXXXXX";
        _cleanup_close_ int root_fd = open(h->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0 || !mkdtemp(tmpdir))
                return;
        bool any = false;
        for (size_t i = 0; i < p->n_actions; i++) {
                const Action *a = &p->actions[i];
                if (a->type != ACTION_UPDATE || memchr(a->file->data, 0, a->file->size))
                        continue;
                _cleanup_close_ int fd = fs_open_in_root(root_fd, a->subject, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
                _cleanup_free_ char *old = NULL;
                size_t old_size = 0, added = 0, removed = 0;
                if (fd < 0 || read_full_fd(fd, PLAN_DIFF_MAX, &old, &old_size) < 0 || memchr(old, 0, old_size))
                        continue;
                Artifact before = { .path = a->subject, .data = old, .size = old_size };
                Artifact after = { .path = a->subject, .data = a->file->data, .size = a->file->size };
                if (!any)
                        sb_printf(out, "Changes to text files:\n");
                any = true;
                cmd_diff_artifact(tmpdir, a->subject, &before, &after, "installed", "release", out, &added, &removed);
        }
        rm_rf(tmpdir);
}

int cmd_plan_print(CmdContext *c, const Host *h, const Plan *p, const Release *r, const Snapshot *snap) {
        StrBuf b = {};
        if (c->json) {
                plan_format_json(p, r, snap, &b);
                c->json_out = true;
        } else {
                StrBuf diffs = {};
                text_diffs(h, p, &diffs);
                plan_format_text(p, r, snap, diffs.s, &b);
                sb_free(&diffs);
        }
        fputs(b.s, stdout);
        fflush(stdout); /* before what apply says on stderr */
        sb_free(&b);
        return p->errors[0] ? EXIT_INVALID : EXIT_OK;
}

/* "PATH=SHA256" of every credential of r as it is on the host now. */
static char **credential_record(const Release *r, const Snapshot *snap) {
        char **v = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < r->n_credentials; i++) {
                const DiskEntry *d = snapshot_find(snap->credentials, snap->n_credentials, r->credentials[i].path + 1);
                if (!d || !d->regular)
                        continue;
                _cleanup_free_ char *e = NULL;
                if (asprintf(&e, "%s=%s", r->credentials[i].path, d->sha256) < 0)
                        xoom();
                strv_push_copy(&v, e);
        }
        return v;
}

/* The paths p writes or removes: its files and links. */
static char **written_paths(const Plan *p) {
        char **v = xcalloc(p->n_actions + 1, sizeof(char *));
        size_t n = 0;
        for (size_t i = 0; i < p->n_actions; i++)
                switch (p->actions[i].type) {
                case ACTION_CREATE:
                case ACTION_UPDATE:
                case ACTION_FIX:
                case ACTION_DELETE:
                case ACTION_ENABLE:
                case ACTION_DISABLE:
                        v[n++] = xstrdup(p->actions[i].subject);
                        break;
                default:
                        break;
                }
        return v;
}

/* The host after p was carried out, from snap (the snapshot p was made against): what p wrote is read
 * again; when systemd-sysusers or -tmpfiles ran, all of it. Sets *ret_new to a snapshot the caller frees,
 * or to NULL when snap itself was brought up to date. */
static int snapshot_after(const Host *h, const Release *r, const Plan *p, Snapshot *snap, Snapshot **ret_new) {
        *ret_new = NULL;
        bool tools = false;
        for (size_t i = 0; i < p->n_actions; i++)
                tools = tools || p->actions[i].type == ACTION_SYSUSERS || p->actions[i].type == ACTION_TMPFILES;
        if (!tools) {
                _cleanup_(strv_freep) char **written = written_paths(p);
                return snapshot_refresh(snap, h->root, written);
        }
        HashCache known = {};
        hash_cache_read(h->store->fd, &known);
        int res = snapshot_take(h->root, r, NULL, 0, NULL, &known, ret_new);
        hash_cache_done(&known);
        return res;
}

/* Carries out p (made against snap) towards release number n (already stored), then makes n current; the
 * release it replaces becomes `superseded`, or `rolled-back` when n is a rollback. */
static int execute(CmdContext *c, Host *h, const Release *r, const Plan *p, Snapshot *snap, uint64_t n, bool rollback) {
        Diags d = {};
        RootHost rh;
        int res = root_host_init(&rh, h->root, h->bus);
        size_t done = 0;
        bool journaled = false;
        if (res < 0)
                diag_error(&d, (Loc) {}, "cannot open '%s': %s", h->root, strerror(-res));
        else {
                char **owed = plan_unit_actions(p);
                res = store_journal_begin(h->store, n, h->installed_number, owed);
                strv_free(owed);
                if (res < 0)
                        diag_error(&d, (Loc) {}, "cannot write the journal: %s", strerror(-res));
                journaled = res >= 0;
        }
        if (res >= 0)
                res = apply_plan(p, &root_host_ops, &rh, &done, &d);
        unsigned skipped = rh.units_skipped;
        root_host_done(&rh);
        if (res < 0) {
                diags_prefix(&d, 0, "apply of release %llu stopped after %zu of %zu steps: ", (unsigned long long) n, done, p->n_actions);
                if (journaled)
                        diag_note(&d, (Loc) {}, "the journal is kept: the next apply or rollback finishes or undoes it");
                return cmd_flush(c, &d, EXIT_IO);
        }
        /* the host as it is now: the tools' work checked (systemd-tmpfiles exits 0 even when a file stands
         * where a directory must be), and the credentials recorded as the units loaded them */
        _cleanup_(snapshot_freep) Snapshot *fresh = NULL;
        res = snapshot_after(h, r, p, snap, &fresh);
        const Snapshot *now = fresh ? fresh : snap;
        Plan *check = res >= 0 ? plan_tools(r, now) : NULL;
        for (size_t i = 0; check && i < check->n_actions && res >= 0; i++) {
                diag_error(&d, (Loc) {}, "apply of release %llu did not converge: after %s, still to do: %s", (unsigned long long) n,
                           check->actions[i].subject, check->actions[i].reason);
                diag_note(&d, (Loc) {}, "the journal is kept: the next apply or rollback finishes or undoes it");
                res = -EIO;
        }
        plan_free(check);
        if (res == -EIO)
                return cmd_flush(c, &d, EXIT_IO);
        char **creds = res >= 0 ? credential_record(r, now) : NULL;
        int hc = res >= 0 ? hash_cache_write(h->store->fd, now) : 0;
        if (hc < 0) { /* the next plan hashes every file again, nothing worse */
                diag_warning(&d, (Loc) {}, "cannot write the file hashes of release %llu: %s, ignoring", (unsigned long long) n, strerror(-hc));
                cmd_flush(c, &d, EXIT_OK);
        }
        if (res >= 0)
                res = store_set_status(h->store, n, "deployed", creds);
        strv_free(creds);
        if (res >= 0 && h->installed_number && h->installed_number != n)
                res = store_set_status(h->store, h->installed_number, rollback ? "rolled-back" : "superseded", NULL);
        if (res >= 0)
                res = store_set_current(h->store, n);
        if (res >= 0)
                res = store_journal_end(h->store);
        if (res >= 0)
                res = store_prune(h->store, c->keep_releases ? c->keep_releases : r->deploy.keep_releases);
        if (res < 0)
                return cmd_error(c, EXIT_IO, "cannot record release %llu in the store: %s", (unsigned long long) n, strerror(-res));
        if (!c->json)
                fprintf(stderr, "msdeploy: release %llu is current under %s (%zu steps%s)\n", (unsigned long long) n, h->root, p->n_actions,
                        skipped ? "; offline: unit actions take effect when systemd next starts the units" : "");
        return EXIT_OK;
}

int cmd_host_apply(CmdContext *c, Host *h, Release *r, const Plan *p, Snapshot *snap, uint64_t rollback_of) {
        uint64_t n;
        int res = store_lock_record(h->store);
        if (res < 0)
                return cmd_error(c, EXIT_IO, "cannot record this apply in the lock: %s", strerror(-res));
        Diags d = {};
        res = store_add(h->store, r, rollback_of, &n, &d);
        if (res < 0) {
                diags_prefix(&d, 0, "cannot store the release: ");
                return cmd_flush(c, &d, EXIT_IO);
        }
        return execute(c, h, r, p, snap, n, rollback_of != 0);
}

int cmd_host_resume(CmdContext *c, Host *h) {
        uint64_t target, previous;
        _cleanup_(strv_freep) char **owed = NULL;
        int r = store_journal_read(h->store, &target, &previous, &owed);
        if (r == -ENOENT)
                return EXIT_OK;
        if (r < 0)
                return cmd_error(c, EXIT_IO, "the journal of an interrupted apply is unreadable: %s", strerror(-r));
        Diags d = {};
        _cleanup_(release_freep) Release *rel = NULL;
        r = store_load(h->store, target, &rel, &d);
        if (r < 0) {
                diags_prefix(&d, 0, "cannot finish the interrupted apply of release %llu: ", (unsigned long long) target);
                return cmd_flush(c, &d, EXIT_IO);
        }
        fprintf(stderr, "msdeploy: finishing the interrupted apply of release %llu first\n", (unsigned long long) target);
        Snapshot *snap = NULL;
        Plan *p = NULL;
        int ret = cmd_host_plan(c, h, rel, 0, &snap, &p);
        if (ret == EXIT_OK) {
                plan_carry_over(p, owed);
                if (!c->json) /* stdout holds one JSON document: the plan asked for */
                        cmd_plan_print(c, h, p, rel, snap);
                ret = execute(c, h, rel, p, snap, target, /* rollback= */ false);
        }
        plan_free(p);
        snapshot_free(snap);
        if (ret != EXIT_OK)
                return ret;
        /* the host is at target now: it is what later plans start from */
        host_drop_installed(h);
        h->installed = TAKE_PTR(rel);
        h->installed_number = target;
        return EXIT_OK;
}
