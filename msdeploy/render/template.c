/* SPDX-License-Identifier: MIT */
/* Filling the embedded templates: each marked data block replaced by the renderer's text (rules in template.h). */
#include "render/template.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define MARKER "# msdeploy:"

const Template *template_find(const char *name) {
        for (size_t i = 0; i < template_files_count; i++)
                if (strcmp(template_files[i].name, name) == 0)
                        return &template_files[i];
        return NULL;
}

typedef enum MarkerKind {
        MARKER_NONE,  /* not a marker line */
        MARKER_BEGIN,
        MARKER_END,
        MARKER_BAD,   /* starts like a marker, is none */
} MarkerKind;

/* What the line [p, end) is; for a marker, its NAME in [*ret_name, *ret_name + *ret_len). */
static MarkerKind marker_parse(const char *p, const char *end, const char **ret_name, size_t *ret_len) {
        p += strspn(p, " \t");
        if ((size_t) (end - p) < strlen(MARKER) || strncmp(p, MARKER, strlen(MARKER)) != 0)
                return MARKER_NONE;
        p += strlen(MARKER);
        MarkerKind kind;
        if ((size_t) (end - p) > strlen("data-begin ") && strncmp(p, "data-begin ", strlen("data-begin ")) == 0) {
                kind = MARKER_BEGIN;
                p += strlen("data-begin ");
        } else if ((size_t) (end - p) > strlen("data-end ") && strncmp(p, "data-end ", strlen("data-end ")) == 0) {
                kind = MARKER_END;
                p += strlen("data-end ");
        } else
                return MARKER_BAD;
        for (const char *c = p; c < end; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                        return MARKER_BAD;
        *ret_name = p;
        *ret_len = (size_t) (end - p);
        return kind;
}

static const TemplateFill *fill_find(const TemplateFill *fills, size_t n_fills, const char *name, size_t len) {
        for (size_t i = 0; i < n_fills; i++)
                if (strlen(fills[i].block) == len && strncmp(fills[i].block, name, len) == 0)
                        return &fills[i];
        return NULL;
}

int template_fill(const Template *t, const TemplateFill *fills, size_t n_fills, Diags *d, StrBuf *ret_text) {
        assert(n_fills <= TEMPLATE_FILLS_MAX);
        bool used[TEMPLATE_FILLS_MAX] = {};
        const TemplateFill *block = NULL; /* the block being replaced */
        unsigned line = 0, block_line = 0;
        StrBuf b = {};
        for (const char *p = t->text; *p; ) {
                const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p), *next = nl ? nl + 1 : end;
                const char *name = NULL;
                size_t len = 0;
                line++;
                switch (marker_parse(p, end, &name, &len)) {
                case MARKER_NONE:
                        if (!block)
                                sb_appendn(&b, p, (size_t) (next - p));
                        break;
                case MARKER_BEGIN:
                        if (block) {
                                diag_error(d, (Loc) {}, "template '%s', line %u: data block '%.*s' begins inside '%s' (line %u)",
                                           t->name, line, (int) len, name, block->block, block_line);
                                goto free_text;
                        }
                        block = fill_find(fills, n_fills, name, len);
                        if (!block) {
                                diag_error(d, (Loc) {}, "template '%s', line %u: data block '%.*s' is not one its renderer fills",
                                           t->name, line, (int) len, name);
                                goto free_text;
                        }
                        if (used[block - fills]) {
                                diag_error(d, (Loc) {}, "template '%s', line %u: data block '%s' occurs twice", t->name, line,
                                           block->block);
                                goto free_text;
                        }
                        used[block - fills] = true;
                        block_line = line;
                        if (block->text)
                                sb_append(&b, block->text);
                        break;
                case MARKER_END:
                        if (!block || strlen(block->block) != len || strncmp(block->block, name, len) != 0) {
                                diag_error(d, (Loc) {}, "template '%s', line %u: data block '%.*s' ends where it did not begin",
                                           t->name, line, (int) len, name);
                                goto free_text;
                        }
                        block = NULL;
                        break;
                case MARKER_BAD:
                        diag_error(d, (Loc) {}, "template '%s', line %u: '%.*s' is not a marker: '" MARKER "data-begin NAME' or '"
                                   MARKER "data-end NAME', NAME of a-z, 0-9 and '-'", t->name, line, (int) (end - p), p);
                        goto free_text;
                }
                p = next;
        }
        if (block) {
                diag_error(d, (Loc) {}, "template '%s', line %u: data block '%s' does not end", t->name, block_line, block->block);
                goto free_text;
        }
        for (size_t i = 0; i < n_fills; i++)
                if (!used[i]) {
                        diag_error(d, (Loc) {}, "template '%s' lacks the data block '%s' its renderer fills", t->name,
                                   fills[i].block);
                        goto free_text;
                }
        *ret_text = b;
        return 0;
free_text:
        sb_free(&b);
        return -EINVAL;
}
