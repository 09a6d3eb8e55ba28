/* SPDX-License-Identifier: MIT */
/* Test helpers for rendered artifacts: running tools on them, reading YAML back. */
#include "render-check.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/xalloc.h"

int check_run(const char *const *argv, const char *data, char **ret_output) {
        char in_path[] = "/tmp/msdeploy-test-in-XXXXXX", out_path[] = "/tmp/msdeploy-test-out-XXXXXX";
        int in = mkstemp(in_path), outfd = mkstemp(out_path);
        if (in < 0 || outfd < 0)
                return -errno;
        if (data && write(in, data, strlen(data)) != (ssize_t) strlen(data))
                return -EIO;
        lseek(in, 0, SEEK_SET);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                dup2(in, 0);
                dup2(outfd, 1);
                dup2(outfd, 2);
                execvp(argv[0], (char *const *) argv);
                _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        close(in);
        unlink(in_path);
        FILE *f = fdopen(outfd, "r");
        fseek(f, 0, SEEK_SET);
        StrBuf b = {};
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                sb_appendn(&b, buf, n);
        fclose(f);
        unlink(out_path);
        *ret_output = sb_take(&b, NULL);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *check_shellcheck(const char *script) {
        StrBuf b = {};
        char *out = NULL;
        int r = check_run((const char *const[]) { "shellcheck", "--shell=bash", "-", NULL }, script, &out);
        sb_append(&b, out);
        if (r != 0 && !*out)
                sb_printf(&b, "shellcheck exited with %d\n", r);
        free(out);
        r = check_run((const char *const[]) { "bash", "-n", NULL }, script, &out);
        sb_append(&b, out);
        if (r != 0 && !*out)
                sb_printf(&b, "bash -n exited with %d\n", r);
        free(out);
        return sb_take(&b, NULL);
}

char *check_tmpdir(void) {
        char *d = xstrdup("/tmp/msdeploy-test-XXXXXX");
        if (!mkdtemp(d))
                abort();
        return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

void check_rm_rf(char *dir) {
        if (dir && strncmp(dir, "/tmp/msdeploy-test-", 19) == 0)
                nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

void check_write(const char *dir, const char *rel, const char *data, mode_t mode) {
        StrBuf p = {};
        sb_printf(&p, "%s/%s", dir, rel);
        for (char *s = strchr(p.s + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                mkdir(p.s, 0755);
                *s = '/';
        }
        FILE *f = fopen(p.s, "we");
        if (!f)
                abort();
        fputs(data, f);
        fclose(f);
        chmod(p.s, mode);
        sb_free(&p);
}

bool check_yaml_valid(const char *text) {
        yaml_parser_t p;
        yaml_document_t doc;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_string(&p, (const unsigned char *) text, strlen(text));
        bool ok = yaml_parser_load(&p, &doc) && yaml_document_get_root_node(&doc);
        if (ok)
                yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        return ok;
}

/* Walks the dotted path; returns the node or NULL. */
static yaml_node_t *yaml_walk(yaml_document_t *doc, const char *path) {
        yaml_node_t *n = yaml_document_get_root_node(doc);
        char *copy = xstrdup(path), *save = NULL;
        for (char *part = *path ? strtok_r(copy, ".", &save) : NULL; part && n; part = strtok_r(NULL, ".", &save)) {
                yaml_node_t *next = NULL;
                if (n->type == YAML_MAPPING_NODE) {
                        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
                                yaml_node_t *k = yaml_document_get_node(doc, pr->key);
                                if (k->type == YAML_SCALAR_NODE && strcmp((char *) k->data.scalar.value, part) == 0)
                                        next = yaml_document_get_node(doc, pr->value);
                        }
                } else if (n->type == YAML_SEQUENCE_NODE) {
                        long i = strtol(part, NULL, 10);
                        if (i >= 0 && i < n->data.sequence.items.top - n->data.sequence.items.start)
                                next = yaml_document_get_node(doc, n->data.sequence.items.start[i]);
                }
                n = next;
        }
        free(copy);
        return n;
}

static bool yaml_load(const char *text, yaml_parser_t *p, yaml_document_t *doc) {
        yaml_parser_initialize(p);
        yaml_parser_set_input_string(p, (const unsigned char *) text, strlen(text));
        if (!yaml_parser_load(p, doc)) {
                yaml_parser_delete(p);
                return false;
        }
        return true;
}

char *check_yaml_get(const char *text, const char *path, bool *ret_quoted) {
        yaml_parser_t p;
        yaml_document_t doc;
        if (!yaml_load(text, &p, &doc))
                return NULL;
        yaml_node_t *n = yaml_walk(&doc, path);
        char *v = NULL;
        if (n && n->type == YAML_SCALAR_NODE) {
                v = xstrdup((char *) n->data.scalar.value);
                if (ret_quoted)
                        *ret_quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        }
        yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        return v;
}

int check_yaml_len(const char *text, const char *path) {
        yaml_parser_t p;
        yaml_document_t doc;
        if (!yaml_load(text, &p, &doc))
                return -1;
        yaml_node_t *n = yaml_walk(&doc, path);
        int len = !n                               ? -1
                  : n->type == YAML_MAPPING_NODE  ? (int) (n->data.mapping.pairs.top - n->data.mapping.pairs.start)
                  : n->type == YAML_SEQUENCE_NODE ? (int) (n->data.sequence.items.top - n->data.sequence.items.start)
                                                  : -1;
        yaml_document_delete(&doc);
        yaml_parser_delete(&p);
        return len;
}

void check_assert_yaml(const char *text, const char *path, const char *expected) {
        char *v = check_yaml_get(text, path, NULL);
        if (!v)
                fail_msg("no scalar at '%s'", path);
        assert_string_equal(v, expected);
        free(v);
}
