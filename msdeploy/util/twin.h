/* SPDX-License-Identifier: MIT */
/* Work done in two halves: the second half on a thread of its own when there is a second CPU to run it, else after
 * the first, on the caller's thread. The halves share nothing they write: each has its own arena, diagnostics
 * and output, which the caller joins in order, so the result is the one a single thread gives.
 *
 *     Twin t;
 *     twin_start(&t, second_half, &args, twin_worth(n, MIN));
 *     first_half(...);
 *     twin_join(&t);                                   // the second half is done
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct Twin {
        void *(*fn)(void *);
        void *arg;
        pthread_t thread;
        bool started;             /* on its own thread; else twin_join() runs it */
} Twin;

/* How many CPUs this process may run on (its affinity: a container or taskset may narrow the machine's). */
unsigned twin_cpus(void);
/* Whether this process may run on a second CPU, for a second thread. */
bool twin_available(void);
/* Whether work of n items is worth a second thread: at least min of them, and a second CPU to run it. */
bool twin_worth(size_t n, size_t min);
/* Starts fn(arg) on a thread of its own when threaded (and a thread can be made). */
void twin_start(Twin *t, void *(*fn)(void *), void *arg, bool threaded);
/* Waits for fn(arg) to be done, running it here when it was not started. */
void twin_join(Twin *t);
