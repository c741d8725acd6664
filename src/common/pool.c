/* pool.c — pool_run and pool_run_dag (pool.h). pool_run: a shared counter
 * over the tasks sorted by cost; threads take the next task until none is
 * left. pool_run_dag: a queue of the tasks whose waits are over, under a
 * lock; a thread that finishes a task frees those waiting for it. A
 * thread that cannot be created only means fewer threads: the calling
 * thread works too. */
#include "common/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
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

/* Runs worker(arg) on jobs - 1 new threads and on this one; returns when
 * all have returned. */
static void run_threads(int jobs, void *(*worker)(void *), void *arg)
{
    pthread_attr_t attr;
    bool attr_ok = pthread_attr_init(&attr) == 0;
    if (attr_ok) pthread_attr_setstacksize(&attr, POOL_STACK_BYTES);
    pthread_t *threads = xcalloc((size_t)jobs, sizeof(pthread_t));
    int started = 0;
    for (int i = 1; i < jobs; i++)
        if (pthread_create(&threads[started], attr_ok ? &attr : NULL, worker, arg) == 0) started++;
    if (attr_ok) pthread_attr_destroy(&attr);
    worker(arg); /* this thread works too */
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
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
    run_threads(jobs, pool_worker, &pool);
    free(pool.order);
}

typedef struct {
    int n;
    int *const *after;
    const int *n_after;
    int *waiting;  /* per task: how many of its waits are not over */
    int *ready;    /* a min-heap of the tasks free to run */
    int n_ready;
    int n_done;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    void (*task)(void *arg, int i);
    void *arg;
} Dag;

static void heap_push(Dag *d, int t)
{
    int k = d->n_ready++;
    while (k > 0 && d->ready[(k - 1) / 2] > t) {
        d->ready[k] = d->ready[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    d->ready[k] = t;
}

static int heap_pop(Dag *d)
{
    int top = d->ready[0], last = d->ready[--d->n_ready], k = 0;
    for (;;) {
        int c = 2 * k + 1;
        if (c >= d->n_ready) break;
        if (c + 1 < d->n_ready && d->ready[c + 1] < d->ready[c]) c++;
        if (d->ready[c] >= last) break;
        d->ready[k] = d->ready[c];
        k = c;
    }
    if (d->n_ready > 0) d->ready[k] = last;
    return top;
}

static void *dag_worker(void *p)
{
    Dag *d = p;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (d->n_ready == 0 && d->n_done < d->n) pthread_cond_wait(&d->changed, &d->lock);
        if (d->n_ready == 0) break; /* all done */
        int t = heap_pop(d);
        pthread_mutex_unlock(&d->lock);
        d->task(d->arg, t);
        pthread_mutex_lock(&d->lock);
        d->n_done++;
        for (int k = 0; k < d->n_after[t]; k++)
            if (--d->waiting[d->after[t][k]] == 0) heap_push(d, d->after[t][k]);
        pthread_cond_broadcast(&d->changed);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

void pool_run_dag(int n, int jobs, int *const *after, const int *n_after, const int *waits,
                  void (*task)(void *arg, int i), void *arg)
{
    if (n <= 0) return;
    if (jobs > n) jobs = n;
    if (jobs < 2) {
        for (int i = 0; i < n; i++) task(arg, i);
        return;
    }
    Dag d = {.n = n, .after = after, .n_after = n_after, .task = task, .arg = arg};
    d.waiting = xcalloc((size_t)n, sizeof(int));
    d.ready = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) {
        d.waiting[i] = waits[i];
        if (waits[i] == 0) heap_push(&d, i);
    }
    pthread_mutex_init(&d.lock, NULL);
    pthread_cond_init(&d.changed, NULL);
    run_threads(jobs, dag_worker, &d);
    pthread_cond_destroy(&d.changed);
    pthread_mutex_destroy(&d.lock);
    free(d.waiting);
    free(d.ready);
}
