/* SPDX-License-Identifier: MIT */
/* Typed values of a checked node tree, with the default an absent key yields. */
#pragma once
#include "spec/model.h"
#include "spec/node.h"

/* The scalar at key, or def when it is absent (or not a scalar) */
const char *node_str(const Node *n, const char *key, const char *def);
usec_t node_duration(const Node *n, const char *key, usec_t def);
uint64_t node_size(const Node *n, const char *key, uint64_t def);
uint64_t node_percent(const Node *n, const char *key, uint64_t def);
uint64_t node_uint(const Node *n, const char *key, uint64_t def);
double node_double(const Node *n, const char *key, double def);
bool node_bool(const Node *n, const char *key, bool def);
mode_t node_mode(const Node *n, const char *key, mode_t def);
StrList node_strlist(Arena *a, const Node *n, const char *key);
/* The mapping at key as key/value pairs (array from a; NULL and 0 when absent) */
KeyValue *node_key_values(Arena *a, const Node *n, const char *key, size_t *ret_n);
/* A health check's settings with their defaults (the spec and msd-supervisor's configuration spell
 * checks alike); name, component and location are the caller's. */
HealthCheck node_health_check(const Node *n, const char *name, const char *component, Loc loc);
/* A supervised worker's settings with their defaults (the spec's supervision.workers and msd-supervisor's
 * configuration spell workers alike); name and location are the caller's, the environment and credentials
 * arrays come from a. */
SvWorker node_sv_worker(Arena *a, const Node *n, const char *name, Loc loc);
/* A supervisor's own settings and backoff with their defaults, alike in both; its children are the
 * caller's to resolve. */
SvSupervisor node_sv_supervisor(const Node *n, const char *name, Loc loc);
/* The failure detector's settings (a 'phi' mapping, may be NULL) into s, with their defaults, alike in both. */
void node_sv_phi(const Node *phi, Supervision *s);
