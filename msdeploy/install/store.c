/* SPDX-License-Identifier: MIT */
/* The release store: numbered releases, the current pointer, the journal and the lock. */
#include "install/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "install/bundle.h"
#include "install/doc.h"
#include "install/fsops.h"
#include "output/output.h"
#include "util/json.h"
#include "util/units.h"
#include "util/xalloc.h"

#define RECORD_MAX (16u * 1024 * 1024)

/* Adds "WHAT (the formatted text, naming a path under the store): strerror(-r)" to d; returns r. */
static int store_error(Diags *d, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int store_error(Diags *d, int r, const char *fmt, ...) {
        StrBuf what = {};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&what, fmt, ap);
        va_end(ap);
        diag_error(d, (Loc) {}, "%s: %s", what.s, strerror(-r));
        sb_free(&what);
        return r;
}

/* ROOT/var/lib/msdeploy/PROJECT/, for messages */
#define STORE_FMT "%s/" STORE_DIR "/%s"
#define STORE_ARGS(s) strcmp((s)->root, "/") == 0 ? "" : (s)->root, (s)->project

int store_open(const char *root, const char *project, bool create, Store **ret) {
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        char path[512];
        snprintf(path, sizeof(path), STORE_DIR "/%s", project);
        int fd = fs_open_dir(root_fd, path, create);
        if (fd < 0)
                return fd;
        if (create) {
                int rd = fs_open_dir(fd, "releases", 1);
                if (rd < 0) {
                        close(fd);
                        return rd;
                }
                close(rd);
        }
        Store *s = xcalloc(1, sizeof(Store));
        *s = (Store) { root_fd, fd, xstrdup(root), xstrdup(project), -1 };
        root_fd = -1; /* the store owns it now */
        *ret = s;
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        store_unlock(s);
        close(s->fd);
        close(s->root_fd);
        free(s->root);
        free(s->project);
        free(s);
        return NULL;
}

int store_find_project(const char *root, char **ret) {
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        DIR *d;
        int r = fs_opendir_in_root(root_fd, STORE_DIR, 0, &d);
        if (r < 0)
                return r;
        char *found = NULL;
        r = -ENOENT;
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.' || e->d_type != DT_DIR)
                        continue;
                if (found) {
                        r = -ENOTUNIQ;
                        break;
                }
                found = xstrdup(e->d_name);
                r = 0;
        }
        closedir(d);
        if (r < 0) {
                free(found);
                return r;
        }
        *ret = found;
        return 0;
}

/* ---- lock ------------------------------------------------------------------------------------------- */

static void boot_id(char ret[64]) {
        _cleanup_close_ int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, ret, 63) : -1;
        ret[n > 0 ? n : 0] = 0;
        ret[strcspn(ret, "\n")] = 0;
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot ("" when gone). */
static void proc_start(pid_t pid, char ret[32]) {
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        ret[0] = 0;
        if (n <= 0)
                return;
        buf[n] = 0;
        char *p = strrchr(buf, ')');
        for (int field = 2; p && field < 22; field++)
                p = strchr(p + 1, ' ');
        if (p)
                snprintf(ret, 32, "%.*s", (int) strcspn(p + 1, " "), p + 1);
}

static const char *lock_field(const char *text, const char *key, char *buf, size_t size) {
        size_t n = strlen(key);
        buf[0] = 0;
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, n) == 0 && l[n] == '=') {
                        snprintf(buf, size, "%.*s", (int) strcspn(l + n + 1, "\n"), l + n + 1);
                        return buf;
                }
        return "";
}

/* The holder of the flock on the lock file at st, from /proc/locks, when it left no record (it records
 * itself only once it changes the host): its PID and when the process started. */
static void lock_holder(const struct stat *st, char pid[32], char started[64]) {
        _cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
        char line[256], dev[64], me[64];
        snprintf(me, sizeof(me), "%02x:%02x:%llu", major(st->st_dev), minor(st->st_dev), (unsigned long long) st->st_ino);
        unsigned long holder = 0;
        while (f && !holder && fgets(line, sizeof(line), f))
                if (!strstr(line, "->") && sscanf(line, "%*s FLOCK %*s %*s %lu %63s", &holder, dev) == 2 && strcmp(dev, me) != 0)
                        holder = 0;
        if (!holder)
                return;
        snprintf(pid, 32, "%lu", holder);
        char ticks[32], stat_line[256];
        proc_start((pid_t) holder, ticks);
        _cleanup_fclose_ FILE *ps = fopen("/proc/stat", "re");
        unsigned long long btime = 0, t;
        while (ps && !btime && fgets(stat_line, sizeof(stat_line), ps))
                sscanf(stat_line, "btime %llu", &btime);
        if (btime && sscanf(ticks, "%llu", &t) == 1) {
                time_t when = (time_t) (btime + t / (unsigned long long) sysconf(_SC_CLK_TCK));
                struct tm tm;
                strftime(started, 64, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&when, &tm));
        }
}

int store_lock(Store *s, Diags *d) {
        /* created once and left in place: taking and releasing the lock changes nothing on disk */
        int fd = openat(s->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return store_error(d, -errno, "cannot open the lock '" STORE_FMT "/lock'", STORE_ARGS(s));
        char buf[1024];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = 0;
        char pid[32], started[64], boot[64], start_ticks[32], me_boot[64], now_ticks[32];
        lock_field(buf, "pid", pid, sizeof(pid));
        lock_field(buf, "started", started, sizeof(started));
        lock_field(buf, "boot_id", boot, sizeof(boot));
        lock_field(buf, "start_ticks", start_ticks, sizeof(start_ticks));
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = errno == EWOULDBLOCK ? -EBUSY : -errno;
                struct stat st;
                if (!pid[0] && fstat(fd, &st) == 0)
                        lock_holder(&st, pid, started);
                if (r == -EBUSY)
                        diag_error(d, (Loc) {}, "another apply holds the lock " STORE_FMT "/lock: PID %s, started %s", STORE_ARGS(s),
                                   pid[0] ? pid : "unknown", started[0] ? started : "at an unknown time");
                else
                        store_error(d, r, "cannot lock '" STORE_FMT "/lock'", STORE_ARGS(s));
                close(fd);
                return r;
        }
        /* the lock is ours; a record left in it belongs to a process that died without releasing it */
        if (pid[0]) {
                uint64_t p;
                boot_id(me_boot);
                bool other_boot = boot[0] && strcmp(boot, me_boot) != 0;
                bool alive = parse_uint(pid, 1, INT32_MAX, &p) >= 0 && kill((pid_t) p, 0) == 0;
                if (alive)
                        proc_start((pid_t) p, now_ticks);
                diag_note(d, (Loc) {}, "took over the lock left by PID %s (started %s), %s", pid, started,
                          other_boot ? "before the last reboot"
                          : !alive   ? "which is no longer running"
                                     : (strcmp(now_ticks, start_ticks) != 0 ? "whose PID now belongs to another process"
                                                                            : "which no longer holds it"));
        }
        if (n > 0 && (ftruncate(fd, 0) < 0 || fsync(fd) < 0)) {
                int r = store_error(d, -errno, "cannot clear the lock '" STORE_FMT "/lock'", STORE_ARGS(s));
                close(fd);
                return r;
        }
        s->lock_fd = fd;
        s->lock_recorded = false;
        return 0;
}

int store_lock_record(Store *s) {
        if (s->lock_fd < 0 || s->lock_recorded)
                return 0;
        time_t now = time(NULL);
        struct tm tm;
        char when[64], me_boot[64], now_ticks[32], buf[512];
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
        boot_id(me_boot);
        proc_start(getpid(), now_ticks);
        int len = snprintf(buf, sizeof(buf), "pid=%d\nstarted=%s\nboot_id=%s\nstart_ticks=%s\n", (int) getpid(), when, me_boot, now_ticks);
        if (ftruncate(s->lock_fd, 0) < 0 || pwrite(s->lock_fd, buf, (size_t) len, 0) != len || fsync(s->lock_fd) < 0)
                return -errno;
        s->lock_recorded = true;
        return 0;
}

void store_unlock(Store *s) {
        if (s->lock_fd < 0)
                return;
        if (s->lock_recorded && ftruncate(s->lock_fd, 0) == 0)
                fsync(s->lock_fd);
        close(s->lock_fd); /* releases the flock */
        s->lock_fd = -1;
        s->lock_recorded = false;
}

/* ---- releases --------------------------------------------------------------------------------------- */

uint64_t store_current(Store *s) {
        char buf[64];
        ssize_t n = readlinkat(s->fd, "current", buf, sizeof(buf) - 1);
        uint64_t v;
        if (n <= 0)
                return 0;
        buf[n] = 0;
        return strncmp(buf, "releases/", 9) == 0 && parse_uint(buf + 9, 1, UINT64_MAX - 1, &v) >= 0 ? v : 0;
}

int store_set_current(Store *s, uint64_t n) {
        char target[64];
        snprintf(target, sizeof(target), "releases/%llu", (unsigned long long) n);
        return fs_symlink_atomic(s->fd, "current", target);
}

/* Writes the record of release i into dir (relative to the store). */
static int write_record(Store *s, const char *dir, const ReleaseInfo *i) {
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_int(&w, "format_version", 1);
        json_kv_uint(&w, "number", i->number);
        json_kv_int(&w, "time", i->time);
        json_kv_string(&w, "tier", i->tier);
        json_kv_string(&w, "hash", i->hash);
        json_kv_string(&w, "status", i->status);
        json_kv_uint(&w, "rollback_of", i->rollback_of);
        json_key(&w, "credentials");
        json_array_begin(&w);
        for (size_t k = 0; i->credentials && i->credentials[k]; k++)
                json_string(&w, i->credentials[k]);
        json_array_end(&w);
        json_object_end(&w);
        sb_putc(&b, '\n');
        char path[128];
        snprintf(path, sizeof(path), "%s/release.json", dir);
        int r = fs_write_atomic(s->fd, path, b.s, b.len, 0644, 0, 0);
        sb_free(&b);
        return r;
}

int store_info(Store *s, uint64_t n, ReleaseInfo *ret) {
        char path[64];
        snprintf(path, sizeof(path), "releases/%llu/release.json", (unsigned long long) n);
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fs_read(s->fd, path, RECORD_MAX, &text, &len);
        if (r < 0)
                return r;
        Doc d;
        Diags parse = {}; /* an unreadable record is -EBADMSG: a listing leaves it out */
        r = doc_parse(path, text, len, &d, &parse);
        diags_clear(&parse);
        if (r < 0)
                return r;
        const char *tier = node_get_scalar(d.root, "tier"), *hash = node_get_scalar(d.root, "hash"),
                   *status = node_get_scalar(d.root, "status"), *t = node_get_scalar(d.root, "time"),
                   *rb = node_get_scalar(d.root, "rollback_of");
        const Node *creds = node_get(d.root, "credentials");
        uint64_t rbv = 0;
        int64_t tv = 0;
        r = tier && sha256_hex_valid(hash) && status && t && sscanf(t, "%" SCNd64, &tv) == 1 &&
                            (!rb || parse_uint(rb, 0, UINT64_MAX - 1, &rbv) >= 0)
                    ? 0
                    : -EBADMSG;
        if (r == 0) {
                *ret = (ReleaseInfo) { n, tv, xstrdup(tier), "", xstrdup(status), rbv, xcalloc(1, sizeof(char *)) };
                memcpy(ret->hash, hash, SHA256_HEX_SIZE);
                for (size_t k = 0; creds && creds->kind == NODE_SEQ && k < creds->n; k++)
                        if (creds->items[k]->kind == NODE_SCALAR)
                                strv_push_copy(&ret->credentials, creds->items[k]->scalar);
        }
        doc_done(&d);
        return r;
}

void release_info_done(ReleaseInfo *i) {
        free(i->tier);
        free(i->status);
        strv_free(i->credentials);
        *i = (ReleaseInfo) {};
}

static int u64_cmp(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* The numbers of every stored release, ascending (none before the first one is stored). */
static int list_numbers(Store *s, uint64_t **ret, size_t *ret_n) {
        DIR *d;
        int r = fs_opendir_in_root(s->fd, "releases", 0, &d);
        if (r == -ENOENT) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return r;
        uint64_t *v = NULL, x;
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d));)
                if (parse_uint(e->d_name, 1, UINT64_MAX - 1, &x) >= 0) {
                        v = xreallocarray(v, n + 1, sizeof(uint64_t));
                        v[n++] = x;
                }
        closedir(d);
        if (n > 1)
                qsort(v, n, sizeof(uint64_t), u64_cmp);
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_list(Store *s, ReleaseInfo **ret, size_t *ret_n) {
        _cleanup_free_ uint64_t *nums = NULL;
        size_t n;
        int r = list_numbers(s, &nums, &n);
        if (r < 0)
                return r;
        ReleaseInfo *v = xcalloc(n + 1, sizeof(ReleaseInfo));
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (store_info(s, nums[i], &v[k]) >= 0)
                        k++;
        *ret = v;
        *ret_n = k;
        return 0;
}

int store_load(Store *s, uint64_t n, Release **ret, Diags *d) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/" STORE_DIR "/%s/releases/%llu/bundle.tar", s->root, s->project, (unsigned long long) n);
        return bundle_read(path, ret, NULL, d);
}

int store_load_manifest(Store *s, uint64_t n, Release **ret, Diags *d) {
        char path[64];
        snprintf(path, sizeof(path), "releases/%llu/" BUNDLE_MANIFEST, (unsigned long long) n);
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fs_read(s->fd, path, LOAD_MAX_BYTES, &text, &len);
        if (r == -ENOENT)
                return store_load(s, n, ret, d); /* stored before manifest.json was kept beside the bundle */
        if (r < 0)
                return store_error(d, r, "cannot read '" STORE_FMT "/%s'", STORE_ARGS(s), path);
        return release_parse_manifest(text, len, ret, d);
}

static int fsync_path(int dir_fd, const char *path) {
        _cleanup_close_ int fd = openat(dir_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 || fsync(fd) < 0 ? -errno : 0;
}

int store_add(Store *s, Release *r, uint64_t rollback_of, uint64_t *ret_number, Diags *d) {
        _cleanup_free_ uint64_t *nums = NULL;
        size_t n;
        int res = list_numbers(s, &nums, &n);
        if (res < 0)
                return store_error(d, res, "cannot list the releases in '" STORE_FMT "/releases'", STORE_ARGS(s));
        uint64_t number = n ? nums[n - 1] + 1 : 1;
        char tmp[64], final[64], path[4200];
        snprintf(tmp, sizeof(tmp), "releases/.new-%llu", (unsigned long long) number);
        snprintf(final, sizeof(final), "releases/%llu", (unsigned long long) number);
        char rel[128];
        snprintf(rel, sizeof(rel), STORE_DIR "/%s/%s", s->project, tmp);
        snprintf(path, sizeof(path), "%s/%s", s->root, rel);
        rm_rf(path); /* left by an earlier apply that died here */
        int dfd = fs_open_dir(s->fd, tmp, 1);
        if (dfd < 0)
                return store_error(d, dfd, "cannot create '" STORE_FMT "/%s'", STORE_ARGS(s), tmp);
        close(dfd);
        snprintf(path, sizeof(path), "%s/%s/bundle.tar", s->root, rel);
        res = bundle_write(path, r, NULL, /* mtime= */ 0, d);
        if (res < 0)
                return res;
        snprintf(path, sizeof(path), "%s/bundle.tar", tmp);
        ReleaseInfo info = { number, (int64_t) time(NULL), r->tier, "", (char *) "pending", rollback_of, NULL };
        memcpy(info.hash, r->hash, SHA256_HEX_SIZE);
        res = fsync_path(s->fd, path);
        size_t len;
        const char *manifest = release_manifest(r, &len);
        snprintf(path, sizeof(path), "%s/" BUNDLE_MANIFEST, tmp);
        if (res >= 0)
                res = fs_write_atomic(s->fd, path, manifest, len, 0644, 0, 0);
        if (res >= 0)
                res = write_record(s, tmp, &info);
        if (res < 0)
                return store_error(d, res, "cannot write release %llu into '" STORE_FMT "/%s'", (unsigned long long) number, STORE_ARGS(s), tmp);
        _cleanup_close_ int rd = openat(s->fd, "releases", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rd < 0 || fsync_path(s->fd, tmp) < 0 || renameat(s->fd, tmp, s->fd, final) < 0 || fsync(rd) < 0)
                return store_error(d, -errno, "cannot move '" STORE_FMT "/%s' to '%s'", STORE_ARGS(s), tmp, final);
        *ret_number = number;
        return 0;
}

int store_set_status(Store *s, uint64_t n, const char *status, char **credentials) {
        ReleaseInfo i;
        int r = store_info(s, n, &i);
        if (r < 0)
                return r;
        free(i.status);
        i.status = xstrdup(status);
        if (credentials) {
                strv_free(i.credentials);
                i.credentials = credentials;
        }
        char dir[64];
        snprintf(dir, sizeof(dir), "releases/%llu", (unsigned long long) n);
        r = write_record(s, dir, &i);
        if (credentials)
                i.credentials = NULL; /* the caller's */
        release_info_done(&i);
        return r;
}

int store_prune(Store *s, size_t keep) {
        _cleanup_free_ uint64_t *nums = NULL;
        size_t n;
        int r = list_numbers(s, &nums, &n);
        if (r < 0)
                return r;
        uint64_t current = store_current(s);
        for (size_t i = 0; i + keep < n; i++) {
                if (nums[i] == current)
                        continue;
                char path[4200];
                snprintf(path, sizeof(path), "%s/" STORE_DIR "/%s/releases/%llu", s->root, s->project, (unsigned long long) nums[i]);
                r = rm_rf(path);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- journal ---------------------------------------------------------------------------------------- */

int store_journal_begin(Store *s, uint64_t target, uint64_t previous, char *const *unit_actions) {
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_int(&w, "format_version", 1);
        json_kv_uint(&w, "target", target);
        json_kv_uint(&w, "previous", previous);
        json_kv_int(&w, "pid", getpid());
        json_key(&w, "unit_actions");
        json_array_begin(&w);
        for (size_t i = 0; unit_actions && unit_actions[i]; i++)
                json_string(&w, unit_actions[i]);
        json_array_end(&w);
        json_object_end(&w);
        sb_putc(&b, '\n');
        int r = fs_write_atomic(s->fd, "journal", b.s, b.len, 0644, 0, 0);
        sb_free(&b);
        return r;
}

int store_journal_read(Store *s, uint64_t *ret_target, uint64_t *ret_previous, char ***ret_unit_actions) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fs_read(s->fd, "journal", RECORD_MAX, &text, &len);
        if (r < 0)
                return r;
        Doc d;
        Diags parse = {}; /* the caller says that the journal is unreadable */
        r = doc_parse("journal", text, len, &d, &parse);
        diags_clear(&parse);
        if (r < 0)
                return r;
        uint64_t t, p;
        const char *ts = node_get_scalar(d.root, "target"), *ps = node_get_scalar(d.root, "previous");
        const Node *units = node_get(d.root, "unit_actions");
        r = ts && ps && parse_uint(ts, 1, UINT64_MAX - 1, &t) >= 0 && parse_uint(ps, 0, UINT64_MAX - 1, &p) >= 0 ? 0 : -EBADMSG;
        if (r == 0) {
                *ret_target = t;
                *ret_previous = p;
                *ret_unit_actions = xcalloc(1, sizeof(char *));
                for (size_t i = 0; units && units->kind == NODE_SEQ && i < units->n; i++)
                        if (units->items[i]->kind == NODE_SCALAR)
                                strv_push_copy(ret_unit_actions, units->items[i]->scalar);
        }
        doc_done(&d);
        return r;
}

int store_journal_end(Store *s) {
        return fs_remove(s->fd, "journal");
}
