/* SPDX-License-Identifier: MIT */
/* The systemd directives a spec may set in 'hardening.overrides' (sandboxing and credentials only), the grammar
 * systemd 252 parses each value with, and which values protect less than a profile's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "spec/model.h"

typedef struct HardeningDirective {
        const char *key;
        const char *value;
} HardeningDirective;

/* The profile's directives in rendering order; a key may repeat (SystemCallFilter= allow, then deny list). */
const HardeningDirective *hardening_profile_directives(HardeningProfile p, size_t *ret_n);

bool directive_overridable(const char *key);
/* The overridable directive closest to a misspelt key ("did you mean"), or NULL. */
const char *directive_suggest(const char *key);
/* NULL when systemd 252 reads value as key's value without a word, else why it would not (written into buf, or a
 * fixed text). key must be overridable. */
const char *directive_check_value(const char *key, const char *value, char *buf, size_t size);
/* Whether a valid value of key protects less than base, the value a hardening profile gives key (NULL: the profile
 * leaves it unset, so systemd's default applies); for CapabilityBoundingSet= and AmbientCapabilities=, the
 * capabilities the service keeps, space-separated. */
bool directive_weaker(const char *key, const char *value, const char *base);
