/* SPDX-License-Identifier: MIT */
/* bench-gen N: writes a valid synthetic msdeploy spec with N services to stdout, for `make bench`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Slice tree: bench (root) > grp0..grp9 > sub0..sub2. Budgets shrink down the tree and the
 * children's MemoryMax always add up to at most the parent's, so no overcommit warning. */
#define N_GROUPS 10
#define N_SUBS 3
#define N_USERS 4
#define N_ENV_FILES 3

static const char *users[N_USERS] = { "bench-api", "bench-worker", "bench-store", "bench-edge" };

static void header(void) {
        puts("# Synthetic spec written by bench-gen for `make bench`.\n"
             "version: 1\n"
             "\n"
             "project:\n"
             "  name: bench\n"
             "  description: Synthetic benchmark deployment\n"
             "  prefix: /opt/bench\n"
             "\n"
             "groups:\n"
             "  bench: {}\n"
             "  bench-io:\n"
             "    description: Benchmark shared IO group\n"
             "\n"
             "users:");
        for (int u = 0; u < N_USERS; u++)
                printf("  %s:\n"
                       "    description: Benchmark user %d\n"
                       "    group: bench\n"
                       "    groups: [bench-io]\n"
                       "    home: /var/lib/bench\n",
                       users[u], u);
        puts("\n"
             "directories:\n"
             "  state:\n"
             "    path: /var/lib/bench\n"
             "    owner: bench-api\n"
             "    group: bench\n"
             "    mode: \"0750\"\n"
             "  runtime:\n"
             "    path: /run/bench\n"
             "    owner: bench-api\n"
             "    group: bench\n"
             "    mode: \"0750\"\n"
             "    volatile: true\n"
             "\n"
             "env_files:");
        for (int e = 0; e < N_ENV_FILES; e++)
                printf("  pool%d:\n"
                       "    owner: root\n"
                       "    group: bench\n"
                       "    mode: \"0640\"\n"
                       "    vars:\n"
                       "      BENCH_POOL: pool%d\n"
                       "      BENCH_BUS_URL: nats://127.0.0.1:4222\n",
                       e, e);
}

static void slices(void) {
        puts("\n"
             "slices:\n"
             "  bench:\n"
             "    description: Benchmark resource budget\n"
             "    memory_max: 64G\n"
             "    memory_high: 60G\n"
             "    cpu_quota: 1600%\n"
             "    cpu_weight: 100\n"
             "    io_weight: 100\n"
             "    tasks_max: 131072\n"
             "    children:");
        for (int g = 0; g < N_GROUPS; g++) {
                printf("      grp%d:\n"
                       "        description: Benchmark group %d\n"
                       "        memory_max: 6G\n"
                       "        memory_high: 5G\n"
                       "        cpu_quota: 150%%\n"
                       "        cpu_weight: %d\n"
                       "        io_weight: 100\n"
                       "        tasks_max: 12000\n"
                       "        children:\n",
                       g, g, 50 + 10 * g);
                for (int s = 0; s < N_SUBS; s++)
                        printf("          sub%d:\n"
                               "            memory_max: 2G\n"
                               "            memory_high: 1792M\n"
                               "            cpu_quota: 50%%\n"
                               "            tasks_max: 4000\n",
                               s);
        }
}

static int templated(long i) {
        return i % 5 == 4;
}

/* Dependencies point only at earlier, non-template services: a DAG by construction. */
static void deps(const char *key, long i, const long *cand, int n) {
        int any = 0;
        for (int k = 0; k < n; k++)
                if (cand[k] >= 0 && cand[k] < i && !templated(cand[k]))
                        any = 1;
        if (!any)
                return;
        printf("    %s: [", key);
        int first = 1;
        for (int k = 0; k < n; k++) {
                if (cand[k] < 0 || cand[k] >= i || templated(cand[k]))
                        continue;
                int dup = 0;
                for (int j = 0; j < k; j++)
                        dup |= cand[j] == cand[k];
                if (dup)
                        continue;
                printf("%ssvc%06ld", first ? "" : ", ", cand[k]);
                first = 0;
        }
        puts("]");
}

static void service(long i) {
        int tmpl = templated(i);
        int g = (int) (i % N_GROUPS), sub = (int) ((i / N_GROUPS) % N_SUBS);
        const char *user = users[i % N_USERS];
        int port = 10000 + (int) (i % 50000);
        printf("  svc%06ld:\n", i);
        if (tmpl) {
                printf("    description: Benchmark service %ld instance %%i\n"
                       "    template: true\n"
                       "    instances: 3\n"
                       "    exec: /opt/bench/bin/agent --id %ld --instance %%i --port %d\n",
                       i, i, port);
        } else {
                /* plain services take the default description: keeps 100,000 services under the 64 MiB spec limit */
                printf("    exec: /opt/bench/bin/agent --id %ld --port %d\n", i, port);
        }
        if (i % 3 == 0)
                puts("    type: notify\n"
                     "    watchdog: 30s");
        else
                puts("    type: exec");
        printf("    user: %s\n"
               "    group: bench\n"
               "    slice: bench-grp%d-sub%d\n",
               user, g, sub);
        long after[] = { i - 1, i - 2, i / 2 }, req[] = { i - 1 };
        deps("after", i, after, 3);
        deps("requires", i, req, 1);
        if (i % 2 == 0)
                printf("    env_files: [pool%ld]\n", i % N_ENV_FILES);
        printf("    environment:\n"
               "      BENCH_SERVICE_ID: \"%ld\"\n"
               "      BENCH_LISTEN: 127.0.0.1:%d\n",
               i, port);
        if (i % 4 == 0)
                puts("    read_write_paths: [/var/lib/bench]");
        printf("    resources:\n"
               "      memory_max: %dM\n"
               "      memory_high: %dM\n"
               "      cpu_weight: %d\n"
               "      tasks_max: %d\n",
               128 + 64 * (int) (i % 8), 96 + 64 * (int) (i % 8), 50 + (int) (i % 10) * 10, 32 + (int) (i % 4) * 32);
        if (i % 4 == 1)
                puts("      limit_nofile: 65536");
        puts("    health_checks:");
        if (i % 2 == 0)
                printf("      svc%06ld-http:\n"
                       "        kind: http\n"
                       "        target: http://127.0.0.1:%d/health\n"
                       "        critical: %s\n",
                       i, port, i % 10 == 0 ? "true" : "false");
        else
                printf("      svc%06ld-tcp:\n"
                       "        kind: tcp\n"
                       "        target: 127.0.0.1:%d\n"
                       "        interval: 20s\n"
                       "        timeout: 2s\n"
                       "        critical: false\n",
                       i, port);
}

static void trailer(long n) {
        puts("  health-check:\n"
             "    description: Benchmark system health aggregation\n"
             "    health_aggregator: true\n"
             "    type: notify\n"
             "    watchdog: 30s\n"
             "    user: bench-api\n"
             "    group: bench\n"
             "    slice: bench-grp0-sub0\n"
             "    resources:\n"
             "      memory_max: 64M\n"
             "      tasks_max: 32\n"
             "\n"
             "health:\n"
             "  listen: 127.0.0.1:9091\n"
             "  checks:\n"
             "    state-dir-writable:\n"
             "      kind: script\n"
             "      target: /usr/local/lib/bench/system-health-check.sh\n"
             "      interval: 60s\n"
             "      timeout: 10s\n"
             "      critical: false\n"
             "\n"
             "monitoring:\n"
             "  alerts:\n"
             "    service-down:\n"
             "      kind: service_down\n"
             "      for: 1m\n"
             "      severity: critical\n"
             "    memory-pressure:\n"
             "      kind: memory\n"
             "      threshold: 90\n"
             "      for: 5m\n"
             "      severity: warning\n"
             "\n"
             "target:\n"
             "  description: Synthetic benchmark deployment\n"
             "  wanted_by: [multi-user.target]\n"
             "\n"
             "tiers:\n"
             "  tier_1:\n"
             "    slices:\n"
             "      bench:\n"
             "        memory_max: 60G\n"
             "        memory_high: 56G");
        /* the first template runs fewer instances in tier_1, more in tier_3 */
        if (n > 4)
                puts("    services:\n"
                     "      svc000004:\n"
                     "        instances: 1\n"
                     "  tier_3:\n"
                     "    services:\n"
                     "      svc000004:\n"
                     "        instances: 5");
}

int main(int argc, char **argv) {
        char *end;
        errno = 0;
        long n = argc == 2 ? strtol(argv[1], &end, 10) : -1;
        if (argc != 2 || errno || *end || n < 1 || n > 999999) {
                fprintf(stderr, "usage: bench-gen N > spec.yaml  (1 <= N <= 999999 services)\n");
                return 64;
        }
        header();
        slices();
        puts("\nservices:");
        for (long i = 0; i < n; i++)
                service(i);
        trailer(n);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                perror("bench-gen: stdout");
                return 1;
        }
        return 0;
}
