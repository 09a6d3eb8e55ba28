/* SPDX-License-Identifier: MIT */
/* Exports the schema table as a JSON Schema (draft 2020-12) for editors; the same table validates. */
#include <string.h>

#include "spec/schema.h"
#include "spec/signals.h"
#include "util/json.h"
#include "util/strbuf.h"

static void indent(StrBuf *b, int depth) {
        for (int i = 0; i < depth; i++)
                sb_append(b, "  ");
}

static const char *pattern_of(SchemaType t) {
        switch (t) {
        case S_NAME:
                return "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
        case S_USER:
                return "^[A-Za-z_][A-Za-z0-9_-]{0,30}$";
        case S_PATH:
                return "^/[A-Za-z0-9/._+@:,=-]*$";
        case S_COMMAND:
                return "^/";
        case S_ENV_NAME:
                return "^[A-Za-z_][A-Za-z0-9_]*$";
        case S_DIRECTIVE:
                return "^[A-Z][A-Za-z0-9]*$";
        case S_ADDRESS:
                return "^.+:[0-9]{1,5}$";
        case S_DURATION:
                return "^(infinity|([0-9]+ ?(us|ms|s|sec|m|min|h|d)? ?)+)$";
        case S_SIZE:
                return "^(infinity|[0-9]+(\\.[0-9]+)?([KMGTPE](i?B)?)?)$";
        case S_PERCENT:
                return "^[0-9]+%$";
        case S_MODE:
                return "^[0-7]{3,4}$";
        case S_CAPABILITY:
                return "^(CAP_|cap_)?[A-Za-z_]+$";
        default:
                return NULL;
        }
}

/* Schemas being emitted, with their JSON pointer: a recursive one (slice children) becomes a $ref. */
typedef struct Frame {
        const Schema *schema;
        const char *pointer;
        const struct Frame *up;
} Frame;

static void emit(StrBuf *b, const Schema *s, const char *doc, int depth, const char *pointer, const Frame *up);

/* "enum": [...] of the signal names, without the key */
static void emit_signal_names(StrBuf *b) {
        sb_append(b, "[");
        for (const char *const *n = signal_names; *n; n++) {
                sb_append(b, n == signal_names ? "" : ", ");
                json_quote(b, *n);
        }
        sb_append(b, "]");
}

static void emit_doc(StrBuf *b, const char *doc, int depth) {
        if (!doc || !*doc)
                return;
        indent(b, depth);
        sb_append(b, "\"description\": ");
        json_quote(b, doc);
        sb_append(b, ",\n");
}

static void emit(StrBuf *b, const Schema *s, const char *doc, int depth, const char *pointer, const Frame *up) {
        for (const Frame *f = up; f; f = f->up)
                if (f->schema == s) {
                        sb_append(b, "{\"$ref\": ");
                        json_quote(b, f->pointer);
                        sb_append(b, "}");
                        return;
                }
        Frame here = { s, pointer, up };
        StrBuf sub = {};
        sb_append(b, "{\n");
        emit_doc(b, doc ? doc : s->doc, depth + 1);
        indent(b, depth + 1);
        switch (s->type) {
        case S_OBJECT: {
                sb_append(b, "\"type\": \"object\",\n");
                indent(b, depth + 1);
                sb_append(b, "\"additionalProperties\": false,\n");
                bool any_required = false;
                for (const SchemaField *f = s->fields; f->key; f++)
                        any_required |= f->required;
                if (any_required) {
                        indent(b, depth + 1);
                        sb_append(b, "\"required\": [");
                        bool first = true;
                        for (const SchemaField *f = s->fields; f->key; f++)
                                if (f->required) {
                                        sb_append(b, first ? "" : ", ");
                                        json_quote(b, f->key);
                                        first = false;
                                }
                        sb_append(b, "],\n");
                }
                indent(b, depth + 1);
                sb_append(b, "\"properties\": {\n");
                for (const SchemaField *f = s->fields; f->key; f++) {
                        indent(b, depth + 2);
                        json_quote(b, f->key);
                        sb_append(b, ": ");
                        sub.len = 0;
                        sb_printf(&sub, "%s/properties/%s", pointer, f->key);
                        emit(b, f->schema, f->doc, depth + 2, sub.s, &here);
                        sb_append(b, f[1].key ? ",\n" : "\n");
                }
                indent(b, depth + 1);
                sb_append(b, "}\n");
                break;
        }
        case S_DICT:
                sb_append(b, "\"type\": [\"object\", \"null\"],\n");
                if (s->key && pattern_of(s->key->type)) {
                        indent(b, depth + 1);
                        sb_append(b, "\"propertyNames\": {\"pattern\": ");
                        json_quote(b, pattern_of(s->key->type));
                        sb_append(b, "},\n");
                }
                indent(b, depth + 1);
                sb_append(b, "\"additionalProperties\": ");
                sb_printf(&sub, "%s/additionalProperties", pointer);
                emit(b, s->item, NULL, depth + 1, sub.s, &here);
                sb_append(b, "\n");
                break;
        case S_LIST:
                sb_append(b, "\"type\": \"array\",\n");
                indent(b, depth + 1);
                sb_append(b, "\"items\": ");
                sb_printf(&sub, "%s/items", pointer);
                emit(b, s->item, NULL, depth + 1, sub.s, &here);
                sb_append(b, "\n");
                break;
        case S_INSTANCES:
                sb_append(b, "\"oneOf\": [{\"type\": \"integer\", \"minimum\": 0, \"maximum\": 1000}, {\"type\": \"array\", \"items\": {\"type\": \"string\"}}]\n");
                break;
        case S_INT:
                sb_printf(b, "\"type\": \"integer\", \"minimum\": %lld, \"maximum\": %lld\n", (long long) s->min, (long long) s->max);
                break;
        case S_FLOAT:
                if (s->max > s->min)
                        sb_printf(b, "\"type\": \"number\", \"minimum\": %lld, \"maximum\": %lld\n", (long long) s->min, (long long) s->max);
                else
                        sb_append(b, "\"type\": \"number\"\n");
                break;
        case S_BOOL:
                sb_append(b, "\"type\": \"boolean\"\n");
                break;
        case S_SIGNAL:
                sb_append(b, "\"enum\": ");
                emit_signal_names(b);
                sb_append(b, "\n");
                break;
        case S_EXIT_STATUS:
                sb_append(b, "\"oneOf\": [{\"type\": \"integer\", \"minimum\": 0, \"maximum\": 255}, {\"enum\": ");
                emit_signal_names(b);
                sb_append(b, "}]\n");
                break;
        case S_ENUM:
                sb_append(b, "\"enum\": [");
                for (const char *const *v = s->values; *v; v++) {
                        sb_append(b, v == s->values ? "" : ", ");
                        json_quote(b, *v);
                }
                sb_append(b, "]\n");
                break;
        default: {
                const char *pat = pattern_of(s->type);
                /* durations and sizes may be written as bare YAML numbers too */
                bool numeric = s->type == S_DURATION || s->type == S_SIZE;
                sb_append(b, numeric ? "\"type\": [\"string\", \"integer\"]" : "\"type\": \"string\"");
                if (pat) {
                        sb_append(b, ", \"pattern\": ");
                        json_quote(b, pat);
                }
                sb_append(b, "\n");
        }
        }
        indent(b, depth);
        sb_append(b, "}");
        sb_free(&sub);
}

char *schema_to_json(void) {
        StrBuf b = {};
        sb_append(&b, "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"$id\": \"msdeploy.schema.json\",\n  \"title\": \"msdeploy spec\",\n  \"allOf\": [");
        emit(&b, &spec_schema, NULL, 1, "#/allOf/0", NULL);
        sb_append(&b, "]\n}\n");
        return sb_take(&b, NULL);
}
