/* test_pool.c — common/pool.c: every task runs once, whatever the number
 * of threads; with pool_run_dag, a task starts only after every task it
 * waits for has finished. */
#include <stdatomic.h>
#include <stdlib.h>

#include "common/pool.h"
#include "unit.h"

#define N 200

typedef struct {
    atomic_int runs[N];
    atomic_int clock;
    int started[N], finished[N];
} Record;

static void note_task(void *arg, int i)
{
    Record *r = arg;
    r->started[i] = atomic_fetch_add(&r->clock, 1);
    for (volatile int spin = 0; spin < 1000 * (i % 7); spin++) {
    }
    atomic_fetch_add(&r->runs[i], 1);
    r->finished[i] = atomic_fetch_add(&r->clock, 1);
}

static void test_independent(int jobs)
{
    Record *r = calloc(1, sizeof *r);
    long cost[N];
    for (int i = 0; i < N; i++) cost[i] = (i * 37) % 11;
    pool_run(N, jobs, cost, note_task, r);
    int once = 0;
    for (int i = 0; i < N; i++) once += atomic_load(&r->runs[i]) == 1;
    CHECK(once == N);
    free(r);
}

/* Task i waits for i/2 and i/3 (when smaller): a graph with shared
 * prerequisites and long chains. */
static void test_dag(int jobs)
{
    Record *r = calloc(1, sizeof *r);
    int *after[N], n_after[N] = {0}, waits[N] = {0};
    for (int i = 0; i < N; i++) after[i] = calloc(N, sizeof(int));
    for (int i = 1; i < N; i++) {
        int pre[2] = {i / 2, i / 3};
        for (int k = 0; k < 2; k++) {
            if (pre[k] >= i || (k == 1 && pre[1] == pre[0])) continue;
            after[pre[k]][n_after[pre[k]]++] = i;
            waits[i]++;
        }
    }
    pool_run_dag(N, jobs, after, n_after, waits, note_task, r);
    int once = 0, ordered = 0, edges = 0;
    for (int i = 0; i < N; i++) {
        once += atomic_load(&r->runs[i]) == 1;
        for (int k = 0; k < n_after[i]; k++) {
            edges++;
            ordered += r->finished[i] < r->started[after[i][k]];
        }
    }
    CHECK(once == N);
    CHECK(edges > 0 && ordered == edges);
    for (int i = 0; i < N; i++) free(after[i]);
    free(r);
}

int main(void)
{
    int jobs[] = {1, 2, 4, 9};
    for (int k = 0; k < 4; k++) {
        test_independent(jobs[k]);
        test_dag(jobs[k]);
    }
    pool_run(0, 4, NULL, note_task, NULL); /* nothing to run: no call */
    UNIT_MAIN_END();
}
