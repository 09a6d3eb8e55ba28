/* SPDX-License-Identifier: MIT */
/* The version of msdeploy, recorded in every release it builds. */
#pragma once

#define MSDEPLOY_VERSION "0.1.0"
