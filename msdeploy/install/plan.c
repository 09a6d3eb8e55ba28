/* SPDX-License-Identifier: MIT */
/* The install planner: release x snapshot -> ordered actions with reasons, and drift left alone. Pure. */
#include "install/plan.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/enum-table.h"
#include "util/xalloc.h"

static const char *const action_type_table[_ACTION_TYPE_MAX] = {
        [ACTION_STOP] = "stop",       [ACTION_DISABLE] = "disable",   [ACTION_CREATE] = "create",
        [ACTION_UPDATE] = "update",   [ACTION_FIX] = "fix",           [ACTION_DELETE] = "delete",
        [ACTION_SYSUSERS] = "sysusers", [ACTION_TMPFILES] = "tmpfiles", [ACTION_ENABLE] = "enable",
        [ACTION_DAEMON_RELOAD] = "daemon-reload", [ACTION_RELOAD] = "reload", [ACTION_RESTART] = "restart",
        [ACTION_START] = "start",
};
ENUM_STRING_TABLE(action_type, ActionType, _ACTION_TYPE_MAX)

/* A unit to reload or restart, with every reason found. */
typedef struct Bounce {
        char *unit;
        bool restart;               /* else reload */
        StrBuf reasons;
} Bounce;

typedef struct Planner {
        const Release *new, *old;
        const Snapshot *snap;
        PlanFlags flags;
        Plan *p;
        Bounce *bounces;
        size_t n_bounces;
        bool daemon_reload;
} Planner;

static Action *add(Planner *pl, ActionType type, const char *subject, char *detail_take, char *reason_take) {
        Plan *p = pl->p;
        p->actions = xreallocarray(p->actions, p->n_actions + 1, sizeof(Action));
        Action *a = &p->actions[p->n_actions++];
        *a = (Action) { type, xstrdup(subject), detail_take, reason_take, NULL, NULL, NULL };
        return a;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
        va_list ap;
        char *s;
        va_start(ap, f);
        if (vasprintf(&s, f, ap) < 0)
                xoom();
        va_end(ap);
        return s;
}

static void drift(Planner *pl, const char *path, char *what_take) {
        Plan *p = pl->p;
        p->drift = xreallocarray(p->drift, p->n_drift + 1, sizeof(Drift));
        p->drift[p->n_drift++] = (Drift) { xstrdup(path), what_take };
}

static bool unit_was_installed(const Planner *pl, const char *unit) {
        return pl->old && release_find_unit(pl->old, unit);
}

/* unit must reload (restart = false) or restart because of why. */
static void bounce(Planner *pl, const char *unit, bool restart, const char *why) {
        const ReleaseUnit *u = release_find_unit(pl->new, unit);
        if (!u || !unit_was_installed(pl, unit) || u->kind == UNIT_SLICE || u->kind == UNIT_TARGET)
                return; /* new units start; slices and targets take their changes on daemon-reload */
        Bounce *b = NULL;
        for (size_t i = 0; i < pl->n_bounces && !b; i++)
                if (strcmp(pl->bounces[i].unit, unit) == 0)
                        b = &pl->bounces[i];
        if (!b) {
                pl->bounces = xreallocarray(pl->bounces, pl->n_bounces + 1, sizeof(Bounce));
                b = &pl->bounces[pl->n_bounces++];
                *b = (Bounce) { .unit = xstrdup(unit) };
        }
        b->restart = b->restart || restart;
        if (!b->reasons.len || !strstr(b->reasons.s, why))
                sb_printf(&b->reasons, "%s%s", b->reasons.len ? "; " : "", why);
}

/* A changed file's consequences for the units that read it. */
static void file_changed(Planner *pl, const ReleaseFile *f) {
        const char *what;
        bool restart = true;
        switch (f->kind) {
        case FILE_UNIT:
                what = "unit file";
                pl->daemon_reload = true;
                break;
        case FILE_DROPIN:
                what = "drop-in";
                pl->daemon_reload = true;
                break;
        case FILE_ENV:
                what = "env file";
                break;
        case FILE_CONFIG:
                what = "supervisor config";
                restart = false;
                break;
        case FILE_PROGRAM:
                what = "program";
                break;
        case FILE_PAYLOAD:
                what = "payload binary";
                break;
        default:
                return;
        }
        _cleanup_free_ char *why = fmt("%s /%s changed", what, f->path);
        for (size_t i = 0; f->units[i]; i++)
                bounce(pl, f->units[i], restart, why);
}

static bool meta_equal(const DiskEntry *d, mode_t mode, const char *owner, const char *group) {
        return d->mode == mode && d->owner && strcmp(d->owner, owner) == 0 && d->group && strcmp(d->group, group) == 0;
}

/* What differs between the disk and what release old installed there, or NULL when nothing does. */
static char *hand_change(const DiskEntry *d, const ReleaseFile *o) {
        bool content = strcmp(d->sha256, o->sha256) != 0, mode = d->mode != o->mode;
        bool owner = !meta_equal(d, d->mode, o->owner, o->group);
        if (!content && !mode && !owner)
                return NULL;
        return fmt("%s%s%s%s%s", content ? "content" : "", content && (mode || owner) ? ", " : "", mode ? "mode" : "",
                   mode && owner ? ", " : "", owner ? "owner" : "");
}

/* Lookups of keys asked in sorted order in a sorted array (of structures with the key at offset): each moves on
 * from where the last stopped, so a pass over a sorted list costs one pass over the array. */
typedef struct Walk {
        const void *base;
        size_t n, size, offset, at;
} Walk;
#define WALK(array, count, type, field) ((Walk) { (array), (count), sizeof(type), offsetof(type, field), 0 })

static const void *walk_to(Walk *w, const char *key) {
        for (; w->at < w->n; w->at++) {
                const char *at = (const char *) w->base + w->at * w->size;
                int c = strcmp(*(char *const *) (at + w->offset), key);
                if (c >= 0)
                        return c == 0 ? at : NULL;
        }
        return NULL;
}

/* f against what is at its path (d) and what the installed release put there (o). */
static void plan_file(Planner *pl, const ReleaseFile *f, const DiskEntry *d, const ReleaseFile *o) {
        bool same_content = d && d->exists && d->regular && strcmp(d->sha256, f->sha256) == 0;
        if (same_content && meta_equal(d, f->mode, f->owner, f->group))
                return;
        if (!d || !d->exists) {
                add(pl, ACTION_CREATE, f->path, fmt("%04o %s:%s, %llu bytes", (unsigned) f->mode, f->owner, f->group,
                                                     (unsigned long long) f->size),
                    o ? xstrdup("it was deleted by hand") : NULL)->file = f;
                file_changed(pl, f);
                return;
        }
        _cleanup_free_ char *changed = d->regular ? (o ? hand_change(d, o) : NULL) : xstrdup("not a regular file");
        const char *foreign = !o && !same_content ? "not installed by msdeploy" : NULL;
        char *overwrites = NULL;
        if (changed || foreign) {
                char *what = changed ? fmt("changed by hand since release %llu (%s)", (unsigned long long) pl->snap->installed_number, changed)
                                     : xstrdup(foreign);
                if (!(pl->flags & PLAN_FORCE)) {
                        drift(pl, f->path, fmt("%s; left alone (--force overwrites it)", what));
                        free(what);
                        return;
                }
                overwrites = fmt("--force: overwrites a file %s", what);
                free(what);
        }
        if (same_content) {
                add(pl, ACTION_FIX, f->path, fmt("%04o %s:%s -> %04o %s:%s", (unsigned) d->mode, d->owner, d->group, (unsigned) f->mode,
                                                  f->owner, f->group),
                    overwrites)->file = f;
                return;
        }
        add(pl, ACTION_UPDATE, f->path, fmt("%04o %s:%s, %llu -> %llu bytes", (unsigned) f->mode, f->owner, f->group,
                                             (unsigned long long) d->size, (unsigned long long) f->size),
            overwrites)->file = f;
        file_changed(pl, f);
}

static void plan_removed_file(Planner *pl, const ReleaseFile *o) {
        const DiskEntry *d = snapshot_find(pl->snap->files, pl->snap->n_files, o->path);
        if (!d || !d->exists)
                return;
        _cleanup_free_ char *changed = d->regular ? hand_change(d, o) : xstrdup("not a regular file");
        if (changed && !(pl->flags & PLAN_FORCE)) {
                drift(pl, o->path, fmt("no longer in the release, but changed by hand since release %llu (%s); left in place (--force deletes it)",
                                       (unsigned long long) pl->snap->installed_number, changed));
                return;
        }
        add(pl, ACTION_DELETE, o->path, NULL, xstrdup("no longer in the release"));
        if (o->kind == FILE_UNIT || o->kind == FILE_DROPIN)
                pl->daemon_reload = true;
}

static void plan_users_and_dirs(Planner *pl) {
        _cleanup_(strv_freep) char **users = xcalloc(1, sizeof(char *)), **groups = xcalloc(1, sizeof(char *));
        StrBuf dirs = {};
        for (size_t i = 0; i < pl->new->n_files; i++) {
                const ReleaseFile *f = &pl->new->files[i];
                if (f->kind == FILE_SYSUSERS && f->data)
                        sysusers_names(f->data, &users, &groups);
                if (f->kind != FILE_TMPFILES || !f->data)
                        continue;
                TmpDir *t;
                size_t n;
                tmpfiles_dirs(f->data, &t, &n);
                for (size_t k = 0; k < n; k++) {
                        const DiskEntry *d = snapshot_find(pl->snap->dirs, pl->snap->n_dirs, t[k].path);
                        if (!d || !d->exists)
                                sb_printf(&dirs, "%screate /%s", dirs.len ? ", " : "", t[k].path);
                        else if (!d->directory)
                                sb_printf(&dirs, "%screate /%s (something that is not a directory is in the way)", dirs.len ? ", " : "",
                                          t[k].path);
                        else if (!meta_equal(d, t[k].mode, t[k].owner, t[k].group))
                                sb_printf(&dirs, "%sfix /%s (%04o %s:%s -> %04o %s:%s)", dirs.len ? ", " : "", t[k].path, (unsigned) d->mode,
                                          d->owner, d->group, (unsigned) t[k].mode, t[k].owner, t[k].group);
                        free(t[k].path), free(t[k].owner), free(t[k].group);
                }
                free(t);
        }
        StrBuf who = {};
        for (size_t i = 0; users[i]; i++)
                if (!strv_contains(pl->snap->users, users[i]))
                        sb_printf(&who, "%suser %s", who.len ? ", " : "", users[i]);
        for (size_t i = 0; groups[i]; i++)
                if (!strv_contains(pl->snap->groups, groups[i]))
                        sb_printf(&who, "%sgroup %s", who.len ? ", " : "", groups[i]);
        if (who.len)
                add(pl, ACTION_SYSUSERS, "systemd-sysusers", NULL, fmt("create %s", who.s));
        if (dirs.len)
                add(pl, ACTION_TMPFILES, "systemd-tmpfiles --create", NULL, fmt("%s", dirs.s));
        sb_free(&who);
        sb_free(&dirs);
}

static void plan_links(Planner *pl) {
        Walk new_links = WALK(pl->new->links, pl->new->n_links, ReleaseLink, path);
        Walk disk = WALK(pl->snap->links, pl->snap->n_links, DiskEntry, path);
        for (size_t i = 0; pl->old && i < pl->old->n_links; i++) {
                const ReleaseLink *o = &pl->old->links[i], *n = walk_to(&new_links, o->path);
                bool kept = n && strcmp(n->target, o->target) == 0;
                const DiskEntry *d = walk_to(&disk, o->path);
                if (!kept && d && d->link && strcmp(d->link, o->target) == 0) {
                        add(pl, ACTION_DISABLE, o->path, fmt("-> %s", o->target), xstrdup("no longer in the release"));
                        pl->daemon_reload = true;
                }
        }
}

static void plan_enable(Planner *pl) {
        Walk disk = WALK(pl->snap->links, pl->snap->n_links, DiskEntry, path);
        for (size_t i = 0; i < pl->new->n_links; i++) {
                const ReleaseLink *l = &pl->new->links[i];
                const DiskEntry *d = walk_to(&disk, l->path);
                if (d && d->link && strcmp(d->link, l->target) == 0)
                        continue;
                if (d && d->exists && !(pl->flags & PLAN_FORCE)) {
                        drift(pl, l->path, xstrdup("is not the enablement link msdeploy makes; left alone (--force replaces it)"));
                        continue;
                }
                add(pl, ACTION_ENABLE, l->path, fmt("-> %s", l->target), NULL)->link = l;
                pl->daemon_reload = true;
        }
}

static void preflight_error(Planner *pl, char *msg_take) {
        strv_push(&pl->p->errors, msg_take);
}

/* Credentials are never copied: they must exist, readable by root alone; a changed one restarts its units. */
static void plan_credentials(Planner *pl) {
        for (size_t i = 0; i < pl->new->n_credentials; i++) {
                const ReleaseCredential *c = &pl->new->credentials[i];
                const DiskEntry *d = snapshot_find(pl->snap->credentials, pl->snap->n_credentials, c->path + 1);
                if (!d || !d->exists || !d->regular) {
                        preflight_error(pl, fmt("unit '%s' loads the credential '%s', which %s", c->units[0], c->path,
                                      d && d->exists ? "is not a regular file" : "does not exist; create it (mode 0600 or 0400) first"));
                        continue;
                }
                if (d->mode & 077) {
                        preflight_error(pl, fmt("unit '%s' loads the credential '%s', which has mode %04o; make it 0600 or 0400", c->units[0], c->path,
                                      (unsigned) d->mode));
                        continue;
                }
                size_t n = strlen(c->path);
                for (size_t k = 0; pl->snap->credential_hashes && pl->snap->credential_hashes[k]; k++) {
                        const char *rec = pl->snap->credential_hashes[k];
                        if (strncmp(rec, c->path, n) != 0 || rec[n] != '=' || strcmp(rec + n + 1, d->sha256) == 0)
                                continue;
                        _cleanup_free_ char *why = fmt("credential %s changed", c->path);
                        for (size_t u = 0; c->units[u]; u++)
                                bounce(pl, c->units[u], true, why);
                }
        }
}

/* The host's systemd is not older than the one the release's directives were checked against (unknown:
 * not checked, which the plan says). */
static void plan_systemd_version(Planner *pl) {
        unsigned host = pl->snap->systemd_version, needed = pl->new->systemd_version;
        if (host && host < needed)
                preflight_error(pl, fmt("the release was rendered for systemd %u or newer, but the host has systemd %u (%s); upgrade systemd, "
                                        "or render the release for it with --systemd-version %u",
                                        needed, host, pl->snap->systemd_version_from ? pl->snap->systemd_version_from : "?", host));
}

/* Every program a unit runs exists and is executable, on the host or in the release: one error per
 * program, naming the first unit that runs it and how many more do. */
static void plan_programs(Planner *pl) {
        _cleanup_(strv_freep) char **seen = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < pl->new->n_units; i++)
                for (size_t k = 0; pl->new->units[i].programs[k]; k++) {
                        const char *prog = pl->new->units[i].programs[k];
                        const ReleaseFile *f = release_find_file(pl->new, prog + 1);
                        const DiskEntry *d = f ? NULL : snapshot_find(pl->snap->programs, pl->snap->n_programs, prog + 1);
                        bool there = f || (d && d->exists && d->regular);
                        mode_t mode = f ? f->mode : there ? d->mode : 0;
                        if ((mode & 0111) || strv_contains(seen, prog))
                                continue;
                        strv_push_copy(&seen, prog);
                        unsigned more = 0;
                        for (size_t j = i + 1; j < pl->new->n_units; j++)
                                more += strv_contains(pl->new->units[j].programs, prog);
                        char others[64] = "";
                        if (more)
                                snprintf(others, sizeof(others), " (and %u more unit%s)", more, more == 1 ? "" : "s");
                        preflight_error(pl, fmt("unit '%s'%s runs '%s', which %s; install it first or ship it as payload", pl->new->units[i].name, others,
                                      prog, there ? "is not executable" : "does not exist on the host"));
                }
}

/* Removed units and removed template instances stop, the last of the release first. */
static void plan_stops(Planner *pl) {
        for (size_t i = pl->old ? pl->old->n_units : 0; i-- > 0;) {
                const ReleaseUnit *o = &pl->old->units[i], *u = release_find_unit(pl->new, o->name);
                if (o->kind == UNIT_SLICE)
                        continue; /* a slice goes away once empty */
                if (o->kind == UNIT_TEMPLATE) {
                        for (size_t k = strv_length(o->instances); k-- > 0;)
                                if (!u || !strv_contains(u->instances, o->instances[k]))
                                        add(pl, ACTION_STOP, o->instances[k], NULL,
                                            xstrdup(u ? "instance no longer in the release" : "template no longer in the release"));
                } else if (!u)
                        add(pl, ACTION_STOP, o->name, NULL, xstrdup("no longer in the release"));
        }
}

/* New units and new template instances start, services before the target that ties them together. */
static void plan_starts(Planner *pl) {
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < pl->new->n_units; i++) {
                        const ReleaseUnit *u = &pl->new->units[i];
                        const ReleaseUnit *o = pl->old ? release_find_unit(pl->old, u->name) : NULL;
                        if (u->kind == UNIT_SLICE || (u->kind == UNIT_TARGET) != (pass == 1))
                                continue;
                        if (u->kind == UNIT_TEMPLATE) {
                                for (size_t k = 0; u->instances[k]; k++)
                                        if (!o || !strv_contains(o->instances, u->instances[k]))
                                                add(pl, ACTION_START, u->instances[k], NULL, xstrdup(o ? "new instance" : "new unit"));
                        } else if (!o)
                                add(pl, ACTION_START, u->name, NULL, xstrdup("new unit"));
                }
}

/* Who restarts with whom: (unit named in PartOf=, the unit or template instance that names it), sorted. */
typedef struct Follower {
        const char *leader, *unit;
} Follower;

static int follower_cmp(const void *a, const void *b) {
        const Follower *x = a, *y = b;
        int c = strcmp(x->leader, y->leader);
        return c ? c : strcmp(x->unit, y->unit);
}

static Follower *followers_index(const Release *r, size_t *ret_n) {
        Follower *v = NULL;
        size_t n = 0;
        for (size_t i = 0; i < r->n_units; i++) {
                const ReleaseUnit *u = &r->units[i];
                for (size_t k = 0; u->part_of[k]; k++)
                        for (size_t j = 0; u->kind == UNIT_TEMPLATE ? u->instances[j] != NULL : j == 0; j++) {
                                v = xreallocarray(v, n + 1, sizeof(Follower));
                                v[n++] = (Follower) { u->part_of[k], u->kind == UNIT_TEMPLATE ? u->instances[j] : u->name };
                        }
        }
        if (n > 1)
                qsort(v, n, sizeof(Follower), follower_cmp);
        *ret_n = n;
        return v;
}

/* Units that restart with unit because they are PartOf= it (PartOf= carries stop and restart, not reload). */
static char **part_of_followers(const Follower *idx, size_t n, const char *unit) {
        char **v = xcalloc(1, sizeof(char *));
        size_t lo = 0, hi = n; /* the first entry whose leader is not below unit */
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(idx[mid].leader, unit) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < n && strcmp(idx[lo].leader, unit) == 0; lo++)
                strv_push_copy(&v, idx[lo].unit);
        return v;
}

static void plan_bounces(Planner *pl) {
        size_t n_idx;
        Follower *idx = followers_index(pl->new, &n_idx);
        for (int restart = 0; restart < 2; restart++)
                for (size_t i = 0; i < pl->n_bounces; i++) {
                        const Bounce *b = &pl->bounces[i];
                        const ReleaseUnit *u = release_find_unit(pl->new, b->unit);
                        if (b->restart != restart)
                                continue;
                        ActionType t = restart ? ACTION_RESTART : ACTION_RELOAD;
                        if (u->kind != UNIT_TEMPLATE) {
                                add(pl, t, u->name, NULL, fmt("%s", b->reasons.s))->also =
                                        restart ? part_of_followers(idx, n_idx, u->name) : NULL;
                                continue;
                        }
                        const ReleaseUnit *o = release_find_unit(pl->old, u->name);
                        for (size_t k = 0; u->instances[k]; k++) /* new instances start instead */
                                if (strv_contains(o->instances, u->instances[k]))
                                        add(pl, t, u->instances[k], xstrdup("one at a time"), fmt("%s", b->reasons.s))->also =
                                                restart ? part_of_followers(idx, n_idx, u->instances[k]) : NULL;
                }
        free(idx);
}

static int bounce_cmp(const void *a, const void *b) {
        return strcmp(((const Bounce *) a)->unit, ((const Bounce *) b)->unit);
}

Plan *plan_compute(const Release *new, const Snapshot *snap, PlanFlags flags) {
        Plan *p = xcalloc(1, sizeof(Plan));
        p->errors = xcalloc(1, sizeof(char *));
        memcpy(p->state_hash, snap->hash, SHA256_HEX_SIZE);
        memcpy(p->release_hash, new->hash, SHA256_HEX_SIZE);
        Planner pl = { .new = new, .old = snap->installed, .snap = snap, .flags = flags, .p = p };

        plan_systemd_version(&pl);
        plan_credentials(&pl);
        plan_programs(&pl);
        plan_stops(&pl);
        plan_links(&pl);
        for (size_t i = 0; i < new->n_files; i++) /* accounts first: the other files may belong to them */
                if (new->files[i].kind == FILE_SYSUSERS)
                        plan_file(&pl, &new->files[i], snapshot_find(snap->files, snap->n_files, new->files[i].path),
                                  pl.old ? release_find_file(pl.old, new->files[i].path) : NULL);
        plan_users_and_dirs(&pl); /* sysusers now, tmpfiles moved after the files below */
        Action tmpfiles = {};
        if (p->n_actions && p->actions[p->n_actions - 1].type == ACTION_TMPFILES)
                tmpfiles = p->actions[--p->n_actions];
        Walk disk = WALK(snap->files, snap->n_files, DiskEntry, path);
        Walk old = pl.old ? WALK(pl.old->files, pl.old->n_files, ReleaseFile, path) : (Walk) {};
        for (size_t i = 0; i < new->n_files; i++)
                if (new->files[i].kind != FILE_SYSUSERS)
                        plan_file(&pl, &new->files[i], walk_to(&disk, new->files[i].path), walk_to(&old, new->files[i].path));
        Walk new_files = WALK(new->files, new->n_files, ReleaseFile, path);
        for (size_t i = 0; pl.old && i < pl.old->n_files; i++)
                if (!walk_to(&new_files, pl.old->files[i].path))
                        plan_removed_file(&pl, &pl.old->files[i]);
        if (tmpfiles.subject) {
                p->actions = xreallocarray(p->actions, p->n_actions + 1, sizeof(Action));
                p->actions[p->n_actions++] = tmpfiles;
        }
        plan_enable(&pl);
        if (pl.daemon_reload)
                add(&pl, ACTION_DAEMON_RELOAD, "systemd", NULL, xstrdup("unit files, drop-ins or enablement changed"));
        if (pl.n_bounces > 1)
                qsort(pl.bounces, pl.n_bounces, sizeof(Bounce), bounce_cmp);
        plan_bounces(&pl);
        plan_starts(&pl);

        for (size_t i = 0; i < pl.n_bounces; i++) {
                free(pl.bounces[i].unit);
                sb_free(&pl.bounces[i].reasons);
        }
        free(pl.bounces);
        for (size_t i = 0; i < p->n_actions; i++)
                switch (p->actions[i].type) {
                case ACTION_CREATE:
                case ACTION_ENABLE:
                        p->add++;
                        break;
                case ACTION_UPDATE:
                case ACTION_FIX:
                        p->change++;
                        break;
                case ACTION_DELETE:
                case ACTION_DISABLE:
                        p->destroy++;
                        break;
                case ACTION_RESTART:
                        p->restart++;
                        break;
                case ACTION_RELOAD:
                        p->reload++;
                        break;
                case ACTION_START:
                        p->start++;
                        break;
                case ACTION_STOP:
                        p->stop++;
                        break;
                default:
                        break;
                }
        return p;
}

Plan *plan_tools(const Release *new, const Snapshot *snap) {
        Plan *p = xcalloc(1, sizeof(Plan));
        p->errors = xcalloc(1, sizeof(char *));
        memcpy(p->state_hash, snap->hash, SHA256_HEX_SIZE);
        memcpy(p->release_hash, new->hash, SHA256_HEX_SIZE);
        Planner pl = { .new = new, .old = snap->installed, .snap = snap, .p = p };
        plan_users_and_dirs(&pl);
        return p;
}

static bool unit_action(ActionType t) {
        return t == ACTION_STOP || t == ACTION_DAEMON_RELOAD || t == ACTION_RELOAD || t == ACTION_RESTART || t == ACTION_START;
}

char **plan_unit_actions(const Plan *p) {
        char **v = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < p->n_actions; i++)
                if (unit_action(p->actions[i].type)) {
                        _cleanup_free_ char *s = fmt("%s %s", action_type_to_string(p->actions[i].type), p->actions[i].subject);
                        strv_push_copy(&v, s);
                }
        return v;
}

void plan_carry_over(Plan *p, char *const *unit_actions) {
        for (size_t i = 0; unit_actions && unit_actions[i]; i++) {
                const char *sp = strchr(unit_actions[i], ' ');
                _cleanup_free_ char *type_name = sp ? strndup(unit_actions[i], (size_t) (sp - unit_actions[i])) : NULL;
                ActionType t = action_type_from_string(type_name);
                if (!sp || !unit_action(t))
                        continue;
                bool have = false;
                size_t at = p->n_actions; /* before the first unit action that comes later in the order */
                for (size_t k = 0; k < p->n_actions; k++) {
                        const Action *a = &p->actions[k];
                        have = have || (a->type == t && strcmp(a->subject, sp + 1) == 0);
                        if (at == p->n_actions && (t == ACTION_STOP ? a->type != ACTION_STOP : unit_action(a->type) && a->type > t))
                                at = k;
                }
                if (have)
                        continue;
                p->actions = xreallocarray(p->actions, p->n_actions + 1, sizeof(Action));
                memmove(&p->actions[at + 1], &p->actions[at], (p->n_actions - at) * sizeof(Action));
                p->actions[at] = (Action) { t, xstrdup(sp + 1), NULL, xstrdup("owed by the interrupted apply"), NULL, NULL, NULL };
                p->n_actions++;
                unsigned *count = t == ACTION_RESTART ? &p->restart : t == ACTION_RELOAD ? &p->reload : t == ACTION_START ? &p->start
                                : t == ACTION_STOP    ? &p->stop
                                                      : NULL;
                if (count)
                        (*count)++;
        }
}

bool plan_has_changes(const Plan *p) {
        return p->n_actions > 0;
}

Plan *plan_free(Plan *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_actions; i++) {
                free(p->actions[i].subject);
                free(p->actions[i].detail);
                free(p->actions[i].reason);
                strv_free(p->actions[i].also);
        }
        for (size_t i = 0; i < p->n_drift; i++) {
                free(p->drift[i].path);
                free(p->drift[i].what);
        }
        free(p->actions);
        free(p->drift);
        strv_free(p->errors);
        free(p);
        return NULL;
}
