/* SPDX-License-Identifier: MIT */
/* Where `make install` puts msdeploy's data (the Makefile passes the real values). */
#pragma once

#ifndef MSDEPLOY_DATADIR
#define MSDEPLOY_DATADIR "/usr/local/share/msdeploy"
#endif
