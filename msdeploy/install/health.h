/* SPDX-License-Identifier: MIT */
/* Asking msd-supervisor how the system is: GET /health of an endpoint, its "status" member. */
#pragma once
#include <stddef.h>

#include "util/diag.h"

/* GET http://ADDRESS/health (ADDRESS is host:port) within 5 seconds; ret_status gets the "status" of the
 * JSON reply ("healthy", "degraded", "unhealthy"), malloc'ed. -errno, with why in d, when there is no
 * answer that says. */
int health_get(const char *address, char **ret_status, Diags *d);
