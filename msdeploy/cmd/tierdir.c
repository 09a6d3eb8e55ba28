/* SPDX-License-Identifier: MIT */
/* Tier discovery: which directory holds the tier files of a spec, and which tiers it has a file for. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/install-paths.h"
#include "util/strv.h"
#include "util/xalloc.h"

static bool is_dir(const char *p) {
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "examples/../tiers" -> "tiers" when it lies under the working directory (messages stay short). */
static char *path_tidy(char *p) {
        _cleanup_free_ char *real = realpath(p, NULL), *cwd = getcwd(NULL, 0);
        if (!real || !cwd)
                return p;
        size_t n = strlen(cwd);
        if (strncmp(real, cwd, n) == 0 && real[n] == '/') {
                free(p);
                return xstrdup(real + n + 1);
        }
        return p;
}

/* The first place that applies decides: a --tiers-dir or $MSDEPLOY_TIERS_DIR that is no directory
 * means no tier files, not a search further on. */
int cmd_find_tiers_dir(const char *spec_path, const char *option, char **ret) {
        const char *env = getenv("MSDEPLOY_TIERS_DIR");
        const char *given = option ? option : env && *env ? env : NULL;
        if (given) {
                if (!is_dir(given))
                        return -ENOENT;
                *ret = xstrdup(given);
                return 0;
        }
        _cleanup_free_ char *copy = xstrdup(spec_path);
        const char *dir = dirname(copy);
        static const char *const candidates[] = { "/tiers", "/../tiers" };
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                char *p = xasprintf("%s%s", dir, candidates[i]);
                if (is_dir(p)) {
                        *ret = path_tidy(p);
                        return 0;
                }
                free(p);
        }
        if (!is_dir(MSDEPLOY_DATADIR "/tiers"))
                return -ENOENT;
        *ret = xstrdup(MSDEPLOY_DATADIR "/tiers");
        return 0;
}

int cmd_list_tier_files(const char *dir, char ***ret) {
        DIR *dp = opendir(dir);
        if (!dp)
                return -errno;
        char **v = xcalloc(1, sizeof(char *));
        for (struct dirent *de; (de = readdir(dp));) {
                size_t len = strlen(de->d_name);
                if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0 || de->d_name[0] == '.')
                        continue;
                strv_push(&v, xstrndup(de->d_name, len - 5));
        }
        closedir(dp);
        strv_sort(v);
        *ret = v;
        return (int) strv_length(v);
}
