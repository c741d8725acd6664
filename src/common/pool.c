/* pool.c — pool_run (pool.h): a shared counter over the tasks sorted by
 * cost; threads take the next task until none is left. A thread that cannot
 * be created only means fewer threads: the calling thread works too. */
#include "common/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/util.h"

/* Threads get a stack as large as the checks may need on a deep CFG
 * (reserved, not touched: the pages are mapped as they are used). */
#define POOL_STACK_BYTES ((size_t)64 << 20)

typedef struct {
    int n;
    int *order; /* task indexes, costliest first */
    atomic_int next;
    void (*task)(void *arg, int i);
    void *arg;
} Pool;

static void *pool_worker(void *p)
{
    Pool *pool = p;
    for (int k; (k = atomic_fetch_add(&pool->next, 1)) < pool->n;) pool->task(pool->arg, pool->order[k]);
    return NULL;
}

typedef struct {
    long cost;
    int index;
} Ranked;

static int by_cost(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->cost != y->cost) return x->cost > y->cost ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index); /* equal costs: index order */
}

void pool_run(int n, int jobs, const long *cost, void (*task)(void *arg, int i), void *arg)
{
    if (n <= 0) return;
    Pool pool = {.n = n, .task = task, .arg = arg};
    pool.order = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) pool.order[i] = i;
    if (jobs > n) jobs = n;
    if (jobs < 2) {
        for (int i = 0; i < n; i++) task(arg, i);
        free(pool.order);
        return;
    }
    if (cost) {
        Ranked *ranked = xcalloc((size_t)n, sizeof *ranked);
        for (int i = 0; i < n; i++) ranked[i] = (Ranked){cost[i], i};
        qsort(ranked, (size_t)n, sizeof *ranked, by_cost);
        for (int i = 0; i < n; i++) pool.order[i] = ranked[i].index;
        free(ranked);
    }
    atomic_store(&pool.next, 0);
    pthread_attr_t attr;
    bool attr_ok = pthread_attr_init(&attr) == 0;
    if (attr_ok) pthread_attr_setstacksize(&attr, POOL_STACK_BYTES);
    pthread_t *threads = xcalloc((size_t)jobs, sizeof(pthread_t));
    int started = 0;
    for (int i = 1; i < jobs; i++)
        if (pthread_create(&threads[started], attr_ok ? &attr : NULL, pool_worker, &pool) == 0) started++;
    if (attr_ok) pthread_attr_destroy(&attr);
    pool_worker(&pool); /* this thread works too */
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    free(pool.order);
}
