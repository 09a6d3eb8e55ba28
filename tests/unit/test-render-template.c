/* SPDX-License-Identifier: MIT */
/* Tests for render/template.c: the embedded bytes are templates/, blocks are replaced, broken markers are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdio.h>

#include "render/template.h"
#include "util/xalloc.h"

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        StrBuf b = {};
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                sb_appendn(&b, buf, n);
        assert_false(ferror(f));
        fclose(f);
        return sb_take(&b, NULL);
}

/* Every file of templates/ is embedded, byte for byte, and nothing else is. */
static void test_embedded_are_the_sources(void **state) {
        (void) state;
        glob_t g;
        assert_int_equal(glob(TEST_SRCDIR "/templates/*.sh", 0, NULL, &g), 0);
        assert_true(g.gl_pathc >= 3);
        assert_int_equal(template_files_count, g.gl_pathc);
        for (size_t i = 0; i < g.gl_pathc; i++) {
                const char *name = strrchr(g.gl_pathv[i], '/') + 1;
                const Template *t = template_find(name);
                if (!t)
                        fail_msg("templates/%s is not embedded", name);
                char *source = read_file(g.gl_pathv[i]);
                assert_string_equal(t->text, source);
                free(source);
        }
        globfree(&g);
        assert_null(template_find("no-such-template.sh"));
}

static const TemplateFill fills[] = {
        { "settings", "NAME='a b'\n" },
        { "items", "        item 1\n        item 2\n" },
};

static char *fill_ok(const char *text, const TemplateFill *f, size_t n) {
        Template t = { "t.sh", text };
        Diags d = {};
        StrBuf b = {};
        assert_int_equal(template_fill(&t, f, n, &d, &b), 0);
        assert_int_equal(d.n, 0);
        return sb_take(&b, NULL);
}

/* Each block, markers included, becomes its fill; every other byte is kept, a missing last newline too. */
static void test_blocks_replaced(void **state) {
        (void) state;
        char *o = fill_ok("#!/bin/bash\n"
                          "# msdeploy:data-begin settings\n"
                          "NAME=placeholder\n"
                          "# msdeploy:data-end settings\n"
                          "list() {\n"
                          "\t # msdeploy:data-begin items\n"
                          "        item example\n"
                          "        # msdeploy:data-end items\n"
                          "        :\n"
                          "}\n"
                          "# a comment naming msdeploy:data-begin is no marker\n"
                          "list",
                          fills, ELEMENTSOF(fills));
        assert_string_equal(o, "#!/bin/bash\n"
                               "NAME='a b'\n"
                               "list() {\n"
                               "        item 1\n"
                               "        item 2\n"
                               "        :\n"
                               "}\n"
                               "# a comment naming msdeploy:data-begin is no marker\n"
                               "list");
        free(o);
        /* an empty fill removes the block */
        o = fill_ok("a\n# msdeploy:data-begin items\nb\n# msdeploy:data-end items\nc\n",
                    (const TemplateFill[]) { { "items", NULL } }, 1);
        assert_string_equal(o, "a\nc\n");
        free(o);
}

/* A broken template is an error naming the template, the line and the block; nothing is written. */
static void assert_fill_fails(const char *text, const char *message) {
        Template t = { "t.sh", text };
        Diags d = {};
        StrBuf b = {};
        assert_int_equal(template_fill(&t, fills, ELEMENTSOF(fills), &d, &b), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        if (!strstr(d.items[0].msg, message))
                fail_msg("'%s' does not say '%s'", d.items[0].msg, message);
        assert_null(b.s);
        diags_clear(&d);
}

#define BOTH "# msdeploy:data-begin settings\n# msdeploy:data-end settings\n# msdeploy:data-begin items\n# msdeploy:data-end items\n"

static void test_broken_templates(void **state) {
        (void) state;
        /* the renderer fills a block the template lacks */
        assert_fill_fails("# msdeploy:data-begin settings\nX=1\n# msdeploy:data-end settings\n",
                          "template 't.sh' lacks the data block 'items' its renderer fills");
        assert_fill_fails("#!/bin/bash\n", "template 't.sh' lacks the data block 'settings' its renderer fills");
        /* the template has a block the renderer does not fill */
        assert_fill_fails(BOTH "# msdeploy:data-begin other\n# msdeploy:data-end other\n",
                          "template 't.sh', line 5: data block 'other' is not one its renderer fills");
        assert_fill_fails(BOTH "# msdeploy:data-begin items\n# msdeploy:data-end items\n",
                          "template 't.sh', line 5: data block 'items' occurs twice");
        assert_fill_fails("# msdeploy:data-begin settings\n# msdeploy:data-begin items\n",
                          "template 't.sh', line 2: data block 'items' begins inside 'settings' (line 1)");
        assert_fill_fails("# msdeploy:data-end settings\n", "template 't.sh', line 1: data block 'settings' ends where it did not begin");
        assert_fill_fails("# msdeploy:data-begin settings\n# msdeploy:data-end items\n",
                          "template 't.sh', line 2: data block 'items' ends where it did not begin");
        assert_fill_fails("x\n# msdeploy:data-begin settings\nX=1\n", "template 't.sh', line 2: data block 'settings' does not end");
        /* a misspelt marker is not taken for a comment */
        assert_fill_fails(BOTH "  # msdeploy:data-begn items\n", "line 5: '  # msdeploy:data-begn items' is not a marker");
        assert_fill_fails(BOTH "# msdeploy:data-begin Items\n", "line 5: '# msdeploy:data-begin Items' is not a marker");
        assert_fill_fails(BOTH "# msdeploy:data-end items # done\n", "is not a marker");
        assert_fill_fails(BOTH "# msdeploy:data-begin \n", "is not a marker");
        assert_fill_fails(BOTH "# msdeploy:\n", "is not a marker");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_embedded_are_the_sources),
                cmocka_unit_test(test_blocks_replaced),
                cmocka_unit_test(test_broken_templates),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
