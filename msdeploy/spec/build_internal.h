/* SPDX-License-Identifier: MIT */
/* Shared state and typed getters of the model builder (build*.c only). */
#pragma once
#include "spec/build.h"
#include "spec/node-values.h"
#include "spec/node.h"

typedef struct Builder {
        Model *m;
        Arena *a;
        const Node *root;
        Diags *d;
} Builder;

/* Typed getters over validated nodes: the schema already vetted the syntax, so a value that does not
 * parse is only possible for absent keys, which yield the default. */
const char *b_str(Builder *b, const Node *n, const char *key, const char *def);
KeyValue *b_kv(Builder *b, const Node *n, const char *key, size_t *ret_n);
Loc b_loc(const Node *n, const char *key); /* location of key's value, or of n */
Limits b_limits(const Node *n);
/* What the default descriptions of services and slices begin with: the project's description, or its name when
 * the description is empty (a description must not begin with a space). */
const char *b_project_title(const Model *m);
/* Closest of the names to word (for "did you mean"), or NULL. */
const char *b_closest(Builder *b, const char *word, const char *const *names, size_t n);
bool b_user_known(Builder *b, const char *name);
bool b_group_known(Builder *b, const char *name);
/* Warns at each variable of an 'environment:' mapping n whose name or value looks like a secret
 * (syntax_secret_hint()): owner says whose it is ("service 'api'"), lands_in the world-readable file it is written
 * to, instead where it belongs. */
void b_warn_inline_secrets(Builder *b, const Node *n, const KeyValue *vars, size_t n_vars, const char *owner, const char *lands_in,
                           const char *instead);
/* Reports an owner or group of n ("directory 'x'") that is neither declared nor root. */
void b_check_owner(Builder *b, const Node *n, const char *what, const char *owner, const char *group);

void build_slices(Builder *b);
void build_services(Builder *b);
void build_checks(Builder *b);
void build_supervision(Builder *b);
void build_alerts(Builder *b);
void build_payload(Builder *b);
/* Checks of services against what is built after them: the supervision tree, the health checks. */
void build_check_services(Builder *b);
HealthCheck build_check(Builder *b, const NodePair *p, const char *component);
