/* SPDX-License-Identifier: MIT */
/* Where an environment file is installed and with which mode: shared by its renderer and the installer script. */
#pragma once
#include "spec/model.h"
#include "util/strbuf.h"

#define ENV_FILE_MODE_MAX 0640

/* "etc/mister-smith/orchestrator.env": the file's path, or <config_dir>/<key>.env, relative to the root. */
void env_file_path(StrBuf *b, const Model *m, const EnvFile *e);
/* The model's mode narrowed to at most ENV_FILE_MODE_MAX; 0 (unset) becomes ENV_FILE_MODE_MAX. */
mode_t env_file_mode(const EnvFile *e);
