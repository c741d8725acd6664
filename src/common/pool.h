/* pool.h — run N independent tasks on up to J threads (the calling thread
 * one of them), the costliest first. Each task writes only its own output
 * slot; the caller joins the slots in index order, so what it builds does
 * not depend on J or on which thread ran what. Knows nothing of what the
 * tasks do. */
#ifndef CONNLINT_POOL_H
#define CONNLINT_POOL_H

/* Runs task(arg, i) once for every i in 0 .. n-1 and returns when all have
 * run. `cost` (may be NULL: index order) orders the start: the highest
 * first, so that a big task does not start last and leave the other
 * threads idle. jobs < 2 runs every task on this thread, in that order. */
void pool_run(int n, int jobs, const long *cost, void (*task)(void *arg, int i), void *arg);

#endif
