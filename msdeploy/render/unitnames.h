/* SPDX-License-Identifier: MIT */
/* The systemd unit names a service runs as: one, or one per instance of a template. */
#pragma once
#include <stddef.h>

#include "spec/model.h"

/* 1 for a plain service, the number of instances for a template. */
size_t service_unit_count(const Service *s);
/* "mister-smith-orchestrator.service" or "mister-smith-worker@2.service", malloc'ed; i < count. */
char *service_unit_name(const Service *s, size_t i);
