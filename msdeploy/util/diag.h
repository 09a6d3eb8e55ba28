/* SPDX-License-Identifier: MIT */
/* Diagnostics: errors and warnings that point at FILE:LINE:COL and quote the source line. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json.h"

/* One input text (a spec, a tier file, a --set argument); owns its bytes. */
typedef struct Source {
        char *name;   /* as shown in messages: a path, "<built-in>", "<--set>" */
        char *text;   /* may be NULL for sources without text */
        size_t len;
} Source;

typedef struct Loc {
        const Source *src; /* NULL: no location */
        unsigned line;     /* 1-based */
        unsigned col;      /* 1-based, in bytes */
} Loc;

typedef enum DiagLevel {
        DIAG_ERROR,
        DIAG_WARNING,
        DIAG_NOTE,
        _DIAG_LEVEL_MAX,
        _DIAG_LEVEL_INVALID = -1,
} DiagLevel;

const char *diag_level_to_string(DiagLevel l); /* "error", "warning", "note" */

typedef struct Diag {
        DiagLevel level;
        Loc loc;
        char *msg;
} Diag;

typedef struct Diags {
        Diag *items;
        size_t n, cap;
        size_t n_errors, n_warnings;
        bool werror; /* warnings count as errors */
} Diags;

void diag_add(Diags *d, DiagLevel level, Loc loc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define diag_error(d, loc, ...) diag_add((d), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warning(d, loc, ...) diag_add((d), DIAG_WARNING, (loc), __VA_ARGS__)
#define diag_note(d, loc, ...) diag_add((d), DIAG_NOTE, (loc), __VA_ARGS__)
bool diags_failed(const Diags *d);
/* Sorts by source, line, column (stable), drops exact duplicates. */
void diags_sort(Diags *d);
/* FILE:LINE:COL: level: message, then the source line and a caret. color: ANSI colours. */
void diags_print(const Diags *d, FILE *f, bool color);
/* Machine-readable: a JSON array of {file,line,column,severity,message}. */
void diags_print_json(const Diags *d, FILE *f);
void diags_clear(Diags *d);
/* Moves every diagnostic of src to the end of dst, leaving src empty. */
void diags_move(Diags *dst, Diags *src);
/* Puts the formatted text before the message of every diagnostic from index `from` on: the context a caller
 * gives what a function it called reported ("release 3 cannot be restored: "). */
void diags_prefix(Diags *d, size_t from, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "FILE:LINE:COL" into buf; "FILE" when there is no line, the program's name when there is no location. */
int loc_format(Loc loc, char *buf, size_t size);
/* loc as the members "file" (null for no location), "line" and "column" of the JSON object being written. */
void loc_to_json(Loc loc, JsonWriter *w);

/* The text of the line loc points at (no newline), or NULL. */
const char *loc_source_line(Loc loc, size_t *ret_len);

Source *source_new(const char *name, char *text_take, size_t len);
Source *source_free(Source *s);
