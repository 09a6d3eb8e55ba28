/* SPDX-License-Identifier: MIT */
/* Exports the schema table as a JSON Schema (draft 2020-12) for editors; the same table validates. */
#include <string.h>

#include "spec/schema.h"
#include "spec/signals.h"
#include "util/json.h"
#include "util/strbuf.h"

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
        case S_UNIT_TEXT:
                return "[^\\\\]$|^$";
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

static void emit(JsonWriter *w, const Schema *s, const char *doc, const char *pointer, const Frame *up);

/* "key": [...] of a NULL-terminated list of strings */
static void emit_strings(JsonWriter *w, const char *key, const char *const *v) {
        json_key(w, key);
        json_array_begin(w);
        for (; *v; v++)
                json_string(w, *v);
        json_array_end(w);
}

/* "type" with its "minimum" and "maximum" */
static void emit_range(JsonWriter *w, const char *type, int64_t min, int64_t max) {
        json_kv_string(w, "type", type);
        json_kv_int(w, "minimum", min);
        json_kv_int(w, "maximum", max);
}

/* "oneOf": [{an integer from min to max}, ...]: the caller adds the alternatives and ends the array. */
static void emit_one_of_integer(JsonWriter *w, int64_t min, int64_t max) {
        json_key(w, "oneOf");
        json_array_begin(w);
        json_object_begin(w);
        emit_range(w, "integer", min, max);
        json_object_end(w);
}

static void emit(JsonWriter *w, const Schema *s, const char *doc, const char *pointer, const Frame *up) {
        json_object_begin(w);
        for (const Frame *f = up; f; f = f->up)
                if (f->schema == s) {
                        json_kv_string(w, "$ref", f->pointer);
                        json_object_end(w);
                        return;
                }
        Frame here = { s, pointer, up };
        StrBuf sub = {}; /* the pointer of a nested schema */
        if (!doc)
                doc = s->doc;
        if (doc && *doc)
                json_kv_string(w, "description", doc);
        switch (s->type) {
        case S_OBJECT: {
                json_kv_string(w, "type", "object");
                json_kv_bool(w, "additionalProperties", false);
                bool any_required = false;
                for (const SchemaField *f = s->fields; f->key; f++)
                        any_required |= f->required;
                if (any_required) {
                        json_key(w, "required");
                        json_array_begin(w);
                        for (const SchemaField *f = s->fields; f->key; f++)
                                if (f->required)
                                        json_string(w, f->key);
                        json_array_end(w);
                }
                json_key(w, "properties");
                json_object_begin(w);
                for (const SchemaField *f = s->fields; f->key; f++) {
                        json_key(w, f->key);
                        sub.len = 0;
                        sb_printf(&sub, "%s/properties/%s", pointer, f->key);
                        emit(w, f->schema, f->doc, sub.s, &here);
                }
                json_object_end(w);
                break;
        }
        case S_DICT:
                emit_strings(w, "type", (const char *const[]) { "object", "null", NULL });
                if (s->key && pattern_of(s->key->type)) {
                        json_key(w, "propertyNames");
                        json_object_begin(w);
                        json_kv_string(w, "pattern", pattern_of(s->key->type));
                        json_object_end(w);
                }
                json_key(w, "additionalProperties");
                sb_printf(&sub, "%s/additionalProperties", pointer);
                emit(w, s->item, NULL, sub.s, &here);
                break;
        case S_LIST:
                json_kv_string(w, "type", "array");
                json_key(w, "items");
                sb_printf(&sub, "%s/items", pointer);
                emit(w, s->item, NULL, sub.s, &here);
                break;
        case S_INSTANCES:
                emit_one_of_integer(w, 0, 1000);
                json_object_begin(w);
                json_kv_string(w, "type", "array");
                json_key(w, "items");
                json_object_begin(w);
                json_kv_string(w, "type", "string");
                json_object_end(w);
                json_object_end(w);
                json_array_end(w);
                break;
        case S_INT:
                emit_range(w, "integer", s->min, s->max);
                break;
        case S_FLOAT:
                if (s->max > s->min)
                        emit_range(w, "number", s->min, s->max);
                else
                        json_kv_string(w, "type", "number");
                break;
        case S_BOOL:
                json_kv_string(w, "type", "boolean");
                break;
        case S_SIGNAL:
                emit_strings(w, "enum", signal_names);
                break;
        case S_EXIT_STATUS:
                emit_one_of_integer(w, 0, 255);
                json_object_begin(w);
                emit_strings(w, "enum", signal_names);
                json_object_end(w);
                json_array_end(w);
                break;
        case S_ENUM:
                emit_strings(w, "enum", s->values);
                break;
        default: {
                /* durations and sizes may be written as bare YAML numbers too */
                if (s->type == S_DURATION || s->type == S_SIZE)
                        emit_strings(w, "type", (const char *const[]) { "string", "integer", NULL });
                else
                        json_kv_string(w, "type", "string");
                const char *pat = pattern_of(s->type);
                if (pat && s->type == S_DIRECTIVE && s->values) { /* directive names, or one of the words beside them */
                        StrBuf alt = {};
                        sb_printf(&alt, "^(%.*s", (int) (strlen(pat) - 2), pat + 1);
                        for (const char *const *e = s->values; *e; e++)
                                sb_printf(&alt, "|%s", *e);
                        sb_append(&alt, ")$");
                        json_kv_string(w, "pattern", alt.s);
                        sb_free(&alt);
                } else if (pat)
                        json_kv_string(w, "pattern", pat);
        }
        }
        json_object_end(w);
        sb_free(&sub);
}

char *schema_to_json(void) {
        StrBuf b = {};
        JsonWriter w = json_writer(&b, JSON_PRETTY);
        json_object_begin(&w);
        json_kv_string(&w, "$schema", "https://json-schema.org/draft/2020-12/schema");
        json_kv_string(&w, "$id", "msdeploy.schema.json");
        json_kv_string(&w, "title", "msdeploy spec");
        json_key(&w, "allOf");
        json_array_begin(&w);
        emit(&w, &spec_schema, NULL, "#/allOf/0", NULL);
        json_array_end(&w);
        json_object_end(&w);
        sb_putc(&b, '\n');
        return sb_take(&b, NULL);
}
