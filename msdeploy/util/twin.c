/* SPDX-License-Identifier: MIT */
/* Work done in two halves, the second on a thread of its own when there is a CPU for it. */
#include "twin.h"

#include <sched.h>

unsigned twin_cpus(void) {
        cpu_set_t cpus; /* the CPUs this process may run on, which a container or taskset may narrow */
        return sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1 ? (unsigned) CPU_COUNT(&cpus) : 1;
}

bool twin_available(void) {
        return twin_cpus() > 1;
}

bool twin_worth(size_t n, size_t min) {
        return n >= min && twin_available();
}

void twin_start(Twin *t, void *(*fn)(void *), void *arg, bool threaded) {
        *t = (Twin) { .fn = fn, .arg = arg };
        t->started = threaded && pthread_create(&t->thread, NULL, fn, arg) == 0;
}

void twin_join(Twin *t) {
        if (t->started)
                pthread_join(t->thread, NULL);
        else
                t->fn(t->arg);
        t->started = false;
}
