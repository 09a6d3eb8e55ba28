/* SPDX-License-Identifier: MIT */
/* msdeploy schema: prints the JSON Schema of the spec, generated from the validator's own table. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "spec/schema.h"

int cmd_schema(CmdContext *c) {
        (void) c;
        char *json = schema_to_json();
        fputs(json, stdout);
        free(json);
        return EXIT_OK;
}
