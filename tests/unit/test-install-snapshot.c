/* SPDX-License-Identifier: MIT */
/* Tests of the snapshot of a host under a root: what it records of files and of enablement links (a symlink's
 * target alone, anything else stat'ed), and snapshot_refresh() after an apply: the paths it wrote read again, the
 * rest kept as read, the whole then the snapshot a fresh look gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install/fsops.h"
#include "install/snapshot.h"
#include "util/xalloc.h"

#define UNITS "etc/systemd/system/"
#define FILE_JSON(path) \
        "{\"path\": \"" path "\", \"kind\": \"unit\", \"sha256\": \"" ZEROS "\", \"size\": 2, \"mode\": \"0644\", \"owner\": \"root\", " \
        "\"group\": \"root\", \"units\": []}"
#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

/* A release of two units, a drop-in and an enablement link. */
static const char manifest[] =
        "{\"format_version\": 1, \"release\": {\"project\": \"t\", \"tier\": \"tier_3\", \"tool_version\": \"0\", \"spec_sha256\": \"" ZEROS "\", "
        "\"systemd_version\": 252, \"prefix\": \"/opt/t\", \"config_dir\": \"/etc/t\", \"libexec_dir\": \"/usr/local/lib/t\"}, "
        "\"files\": [" FILE_JSON(UNITS "a.service") ", " FILE_JSON(UNITS "a.service.d/50-tier.conf") ", " FILE_JSON(UNITS "b.service") "], "
        "\"units\": [], \"links\": [{\"path\": \"" UNITS "t.target.wants/a.service\", \"target\": \"/" UNITS "a.service\"}], "
        "\"health\": [], \"credentials\": []}";

typedef struct Host {
        char root[64];
        int fd;
        Release *r;
} Host;

static void put(const Host *h, const char *path, const char *text) {
        assert_int_equal(fs_write_atomic(h->fd, path, text, strlen(text), 0644, getuid(), getgid()), 0);
}

static void link_to(const Host *h, const char *path, const char *target) {
        char at[256];
        snprintf(at, sizeof(at), "%s/%s", h->root, path);
        unlink(at);
        assert_int_equal(fs_symlink_atomic(h->fd, path, target), 0);
}

static int setup(void **state) {
        Host *h = xcalloc(1, sizeof(Host));
        snprintf(h->root, sizeof(h->root), "/tmp/test-snapshot.XXXXXX");
        if (!mkdtemp(h->root))
                return -1;
        h->fd = open(h->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        Diags d = {};
        int r = h->fd < 0 ? -1 : release_parse_manifest(manifest, strlen(manifest), &h->r, &d);
        diags_clear(&d);
        if (r < 0)
                return -1;
        put(h, UNITS "a.service", "a\n");
        put(h, UNITS "a.service.d/50-tier.conf", "d\n");
        put(h, UNITS "b.service", "b\n");
        link_to(h, UNITS "t.target.wants/a.service", "/" UNITS "a.service");
        *state = h;
        return 0;
}

static int teardown(void **state) {
        Host *h = *state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->root);
        close(h->fd);
        release_free(h->r);
        int r = system(cmd);
        free(h);
        return r == 0 ? 0 : -1;
}

static Snapshot *take(const Host *h) {
        Snapshot *s = NULL;
        assert_int_equal(snapshot_take(h->root, h->r, NULL, 0, NULL, NULL, &s), 0);
        return s;
}

static const DiskEntry *file(const Snapshot *s, const char *path) {
        const DiskEntry *e = snapshot_find(s->files, s->n_files, path);
        assert_non_null(e);
        return e;
}

static void test_files_and_links(void **state) {
        Host *h = *state;
        Snapshot *s = take(h);
        assert_int_equal(s->n_files, 3);
        const DiskEntry *a = file(s, UNITS "a.service");
        assert_true(a->exists && a->regular);
        char sha[SHA256_HEX_SIZE];
        sha256_hex("a\n", 2, sha);
        assert_string_equal(a->sha256, sha);
        assert_int_equal(s->n_links, 1);
        assert_true(s->links[0].exists);
        assert_string_equal(s->links[0].link, "/" UNITS "a.service");
        /* something else at a link's path is stat'ed */
        char at[256];
        snprintf(at, sizeof(at), "%s/%s", h->root, UNITS "t.target.wants/a.service");
        assert_int_equal(unlink(at), 0);
        put(h, UNITS "t.target.wants/a.service", "not a link\n");
        Snapshot *t = take(h);
        assert_true(t->links[0].exists && t->links[0].regular);
        assert_null(t->links[0].link);
        assert_string_not_equal(t->hash, s->hash);
        snapshot_free(t);
        snapshot_free(s);
}

static void test_refresh_reads_what_the_apply_wrote(void **state) {
        Host *h = *state;
        Snapshot *s = take(h);
        int64_t kept_read = file(s, UNITS "a.service.d/50-tier.conf")->read_ns;
        /* an apply: one file updated, one deleted, the link pointed elsewhere */
        put(h, UNITS "a.service", "a, changed\n");
        char at[256];
        snprintf(at, sizeof(at), "%s/%s", h->root, UNITS "b.service");
        assert_int_equal(unlink(at), 0);
        link_to(h, UNITS "t.target.wants/a.service", "/" UNITS "b.service");
        char *written[] = { UNITS "a.service", UNITS "b.service", UNITS "t.target.wants/a.service", NULL };
        assert_int_equal(snapshot_refresh(s, h->root, written), 0);
        char sha[SHA256_HEX_SIZE];
        sha256_hex("a, changed\n", 11, sha);
        assert_string_equal(file(s, UNITS "a.service")->sha256, sha);
        assert_false(file(s, UNITS "b.service")->exists);
        assert_string_equal(s->links[0].link, "/" UNITS "b.service");
        assert_int_equal(file(s, UNITS "a.service.d/50-tier.conf")->read_ns, kept_read); /* not written: kept */
        Snapshot *fresh = take(h);
        assert_string_equal(s->hash, fresh->hash); /* what a new look at the host gives */
        snapshot_free(fresh);
        /* a path the apply did not write is kept as it was read: a change there is the next look's */
        put(h, UNITS "a.service.d/50-tier.conf", "d, changed by hand\n");
        char *none[] = { NULL };
        assert_int_equal(snapshot_refresh(s, h->root, none), 0);
        fresh = take(h);
        assert_string_not_equal(s->hash, fresh->hash);
        snapshot_free(fresh);
        snapshot_free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_files_and_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refresh_reads_what_the_apply_wrote, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
