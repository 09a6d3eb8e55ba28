/* SPDX-License-Identifier: MIT */
/* Carrying out a plan through a host, and the offline host that applies it under a root directory. */
#include "install/apply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/fsops.h"
#include "sd/bus.h"
#include "util/spawn.h"
#include "util/xalloc.h"

int apply_plan(const Plan *p, const ApplyOps *ops, void *ud, size_t *ret_done, Diags *d) {
        size_t i = 0;
        int r = 0;
        for (; i < p->n_actions && r >= 0; i++) {
                const Action *a = &p->actions[i];
                size_t errors = d->n_errors;
                switch (a->type) {
                case ACTION_CREATE:
                case ACTION_UPDATE:
                        r = ops->write_file(ud, a->file, d);
                        break;
                case ACTION_FIX:
                        r = ops->fix_file(ud, a->file, d);
                        break;
                case ACTION_DELETE:
                case ACTION_DISABLE:
                        r = ops->remove(ud, a->subject, d);
                        break;
                case ACTION_ENABLE:
                        r = ops->link(ud, a->link, d);
                        break;
                case ACTION_SYSUSERS:
                        r = ops->sysusers(ud, d);
                        break;
                case ACTION_TMPFILES:
                        r = ops->tmpfiles(ud, d);
                        break;
                case ACTION_DAEMON_RELOAD:
                        r = ops->unit(ud, a->type, NULL, d);
                        break;
                default:
                        r = ops->unit(ud, a->type, a->subject, d);
                        break;
                }
                if (r < 0 && d->n_errors == errors) /* the step did not say why itself */
                        diag_error(d, (Loc) {}, "%s %s: %s", action_type_to_string(a->type), a->subject, strerror(-r));
        }
        *ret_done = r < 0 ? i - 1 : i;
        return r < 0 ? r : 0;
}

/* ---- the offline host ------------------------------------------------------------------------------- */

int root_host_init(RootHost *h, const char *root, Bus *bus) {
        *h = (RootHost) { .root = root, .bus = bus };
        h->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->root_fd < 0)
                return -errno;
        h->passwd = passwd_read(h->root_fd, "etc/passwd");
        h->group = passwd_read(h->root_fd, "etc/group");
        return 0;
}

void root_host_done(RootHost *h) {
        if (h->root_fd >= 0)
                close(h->root_fd);
        strv_free(h->passwd);
        strv_free(h->group);
        *h = (RootHost) { .root_fd = -1 };
}

static int ids(RootHost *h, const ReleaseFile *f, uid_t *uid, gid_t *gid) {
        unsigned u, g;
        if (passwd_lookup(h->passwd, f->owner, &u) < 0 || passwd_lookup(h->group, f->group, &g) < 0)
                return -ENXIO; /* the owner is not a user of the root: sysusers.d does not declare it */
        *uid = u;
        *gid = g;
        return 0;
}

static int host_write(void *ud, const ReleaseFile *f, Diags *d) {
        (void) d;
        RootHost *h = ud;
        uid_t uid;
        gid_t gid;
        int r = ids(h, f, &uid, &gid);
        return r < 0 ? r : fs_write_atomic(h->root_fd, f->path, f->data, f->size, f->mode, uid, gid);
}

static int host_fix(void *ud, const ReleaseFile *f, Diags *d) {
        (void) d;
        RootHost *h = ud;
        uid_t uid;
        gid_t gid;
        int r = ids(h, f, &uid, &gid);
        return r < 0 ? r : fs_fix(h->root_fd, f->path, f->mode, uid, gid);
}

static int host_remove(void *ud, const char *path, Diags *d) {
        (void) d;
        return fs_remove(((RootHost *) ud)->root_fd, path);
}

static int host_link(void *ud, const ReleaseLink *l, Diags *d) {
        (void) d;
        return fs_symlink_atomic(((RootHost *) ud)->root_fd, l->path, l->target);
}

/* Runs a systemd tool on the root. Its output ("Creating group ...") is kept from the terminal; when it
 * fails, its last line is what the error in d says. */
static int run(RootHost *h, const char *tool, const char *arg, Diags *d) {
        _cleanup_free_ char *root_opt = NULL, *out = NULL;
        if (asprintf(&root_opt, "--root=%s", h->root) < 0)
                xoom();
        char *argv[] = { (char *) tool, root_opt, (char *) arg, NULL };
        size_t len;
        int status;
        int r = spawn_capture(argv, SPAWN_STDERR, &out, &len, &status);
        if (r < 0) {
                diag_error(d, (Loc) {}, "cannot run %s: %s", tool, strerror(-r));
                return r;
        }
        if (status == 0)
                return 0;
        /* systemd-tmpfiles exits 65 (DATAERR) and 73 (CANTCREAT) for lines it could not apply */
        while (len > 0 && out[len - 1] == '\n')
                out[--len] = 0;
        const char *last = memrchr(out, '\n', len);
        diag_error(d, (Loc) {}, "%s exited with status %d%s%.400s", tool, status, len ? ": " : "", last ? last + 1 : out);
        return -EIO;
}

static int host_sysusers(void *ud, Diags *d) {
        RootHost *h = ud;
        int r = run(h, "systemd-sysusers", NULL, d);
        if (r < 0)
                return r;
        strv_free(h->passwd);
        strv_free(h->group);
        h->passwd = passwd_read(h->root_fd, "etc/passwd");
        h->group = passwd_read(h->root_fd, "etc/group");
        return 0;
}

static int host_tmpfiles(void *ud, Diags *d) {
        return run(ud, "systemd-tmpfiles", "--create", d);
}

#define UNIT_JOB_TIMEOUT (10ULL * 60 * 1000000) /* longer than any TimeoutStartSec= msdeploy renders */

static int host_unit(void *ud, ActionType type, const char *unit, Diags *d) {
        RootHost *h = ud;
        if (!h->bus) {
                h->units_skipped++;
                return 0; /* offline: the units take the new files when systemd next starts them */
        }
        BusCall call = bus_call_for(type, unit);
        return bus_run(h->bus, &call, UNIT_JOB_TIMEOUT, d);
}

const ApplyOps root_host_ops = {
        .write_file = host_write, .fix_file = host_fix, .remove = host_remove, .link = host_link,
        .sysusers = host_sysusers, .tmpfiles = host_tmpfiles, .unit = host_unit,
};
