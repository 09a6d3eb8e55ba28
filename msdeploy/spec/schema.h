/* SPDX-License-Identifier: MIT */
/* The one schema table of the spec: drives structural validation and the exported JSON Schema. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "spec/node.h"

typedef enum SchemaType {
        S_STRING,    /* free text on one line */
        S_UNIT_TEXT, /* free text a unit file carries as is (Description=): no space at either end, no trailing backslash */
        S_NAME,      /* [A-Za-z0-9][A-Za-z0-9_.-]*: keys that become file or unit names */
        S_USER,      /* user or group name as systemd accepts it */
        S_PATH,      /* absolute, normalised path */
        S_COMMAND,   /* command line: absolute program, balanced quotes */
        S_UNIT_REF,  /* a service key of this spec or a unit name such as "network-online.target" */
        S_ENV_NAME,  /* environment variable name */
        S_CAPABILITY,/* capability name known to libcap */
        S_DIRECTIVE, /* a systemd directive name (hardening overrides) */
        S_ADDRESS,   /* host:port */
        S_SIGNAL,    /* a signal name: "SIGINT" */
        S_EXIT_STATUS, /* an exit status 0..255, or a signal name */
        S_INT,
        S_FLOAT,
        S_BOOL,
        S_DURATION,
        S_SIZE,
        S_PERCENT,
        S_MODE,
        S_ENUM,
        S_OBJECT,    /* fixed keys */
        S_DICT,      /* free keys (names) mapping to one value schema */
        S_LIST,
        S_INSTANCES, /* a count or a list of instance names */
} SchemaType;

typedef struct Schema Schema;

typedef struct SchemaField {
        const char *key;
        const Schema *schema;
        bool required;
        const char *doc;
} SchemaField;

struct Schema {
        SchemaType type;
        const char *doc;
        const char *const *values;   /* S_ENUM, NULL-terminated; S_DIRECTIVE: words allowed beside directive names */
        const SchemaField *fields;   /* S_OBJECT, terminated by a NULL key */
        const Schema *item;          /* S_DICT values, S_LIST items */
        const Schema *key;           /* S_DICT keys (S_NAME by default) */
        int64_t min, max;            /* S_INT, S_FLOAT (when max > min) */
        const char *label;           /* S_OBJECT items of a S_DICT: "service" names "service 'api'" in messages */
};

/* Building tables: SCHEMA_FIELDS({ "key", &type, required, "doc" }, ...) and SCHEMA_VALUES("a", "b"). */
#define SCHEMA_FIELDS(...) ((const SchemaField[]) { __VA_ARGS__, { NULL } })
#define SCHEMA_VALUES(...) ((const char *const[]) { __VA_ARGS__, NULL })

extern const Schema spec_schema;         /* the whole spec (and a tier file) */

const char *schema_type_name(SchemaType t);
const SchemaField *schema_field(const Schema *s, const char *key);

typedef enum CheckFlags {
        CHECK_PARTIAL = 1 << 0, /* an overlay: required keys may be missing, null removes */
} CheckFlags;

/* Checks n against s: unknown keys (with "did you mean"), types, values, required keys, control
 * characters. Every problem goes to d; returns -EINVAL if any was found. */
int schema_check(const Schema *s, const Node *n, CheckFlags flags, Diags *d);
/* Checks a single scalar against a scalar schema type. When it does not fit, adds an error at loc saying
 * why as a predicate ("is not a duration; use e.g. ..."), for the caller to put its subject before
 * ("'watchdog' value 'soon' ", with diags_prefix()). */
bool schema_scalar_valid(const Schema *s, const char *v, Loc loc, Diags *d);

/* The JSON Schema (draft 2020-12) of the spec, generated from the table. */
char *schema_to_json(void);
