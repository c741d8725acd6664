/* pool.h — run N tasks on up to J threads (the calling thread one of
 * them): independent tasks, the costliest first (pool_run), or tasks some
 * of which must wait for others (pool_run_dag). Each task writes only its
 * own output; the caller joins the outputs in index order, so what it
 * builds does not depend on J or on which thread ran what. Knows nothing
 * of what the tasks do. */
#ifndef CONNLINT_POOL_H
#define CONNLINT_POOL_H

/* Runs task(arg, i) once for every i in 0 .. n-1 and returns when all have
 * run. `cost` (may be NULL: index order) orders the start: the highest
 * first, so that a big task does not start last and leave the other
 * threads idle. jobs < 2 runs every task on this thread, in that order. */
void pool_run(int n, int jobs, const long *cost, void (*task)(void *arg, int i), void *arg);

/* Runs task(arg, i) once for every i in 0 .. n-1, each after the tasks it
 * waits for: waits[i] is how many tasks i waits for, after[i] (n_after[i]
 * entries) the tasks that wait for i. Of the tasks free to run, the lowest
 * index starts first; jobs < 2 runs them on this thread in index order,
 * which must then be an order in which every task comes after those it
 * waits for. The edges must not form a cycle. */
void pool_run_dag(int n, int jobs, int *const *after, const int *n_after, const int *waits,
                  void (*task)(void *arg, int i), void *arg);

#endif
