/* check_run.c — the check stage's run: every enabled entry point of the
 * registry over every function of the units that parsed (a function
 * defined in a header once: the first unit in file order wins), then over
 * each unit, on `jobs` threads (each function's findings kept apart and
 * joined in order: the result does not depend on the number of threads),
 * then the whole-program entries once, in table order. Decides no findings
 * itself. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "checks/registry.h"
#include "common/util.h"

/* The distinct enabled entries, in table order. */
static int enabled_entries(const CheckContext *ctx, const CheckEntry **out)
{
    int n = 0;
    for (int i = 0; i < rule_info_count; i++) {
        const CheckEntry *e = rule_infos[i].check;
        bool dup = false;
        for (int k = 0; k < n; k++) dup = dup || out[k] == e;
        if (e && !dup && (!e->enabled || e->enabled(ctx))) out[n++] = e;
    }
    return n;
}

/* One piece of work: a function's entries, or (fn NULL) a unit's. Each
 * writes its own list; the lists are joined in task order, so the result
 * does not depend on how many threads ran them. */
typedef struct {
    const IrUnit *unit;
    const IrFunction *fn;
    FindingList found;
} CheckTask;

typedef struct {
    const CheckContext *ctx;
    const CheckEntry **entries;
    int n_entries;
    CheckTask *tasks;
    int n_tasks;
    atomic_int next;
} CheckJob;

static void run_task(const CheckJob *job, CheckTask *t)
{
    for (int e = 0; e < job->n_entries; e++) {
        if (t->fn && job->entries[e]->function) job->entries[e]->function(job->ctx, t->fn, &t->found);
        if (!t->fn && job->entries[e]->unit) job->entries[e]->unit(job->ctx, t->unit, &t->found);
    }
}

static void *check_worker(void *arg)
{
    CheckJob *job = arg;
    for (int i; (i = atomic_fetch_add(&job->next, 1)) < job->n_tasks;) run_task(job, &job->tasks[i]);
    return NULL;
}

static void run_tasks(CheckJob *job, int jobs)
{
    if (jobs > job->n_tasks) jobs = job->n_tasks;
    pthread_t *threads = xcalloc((size_t)(jobs > 1 ? jobs : 1), sizeof(pthread_t));
    int started = 0;
    for (int i = 0; jobs > 1 && i < jobs; i++)
        if (pthread_create(&threads[i], NULL, check_worker, job) == 0) started++;
    check_worker(job); /* this thread works too (and alone when -j1) */
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
}

void checks_run(const CheckContext *ctx, IrUnit *const *units, int n_units, int jobs, FindingList *out)
{
    const CheckEntry **entries = xcalloc((size_t)rule_info_count, sizeof *entries);
    int n_entries = enabled_entries(ctx, entries);
    IrDefinitionSet seen = {0}; /* a header's functions are checked once */
    VEC(CheckTask) tasks = {0};
    for (int i = 0; i < n_units; i++) {
        const IrUnit *u = units[i];
        if (u->parse_failed) continue;
        for (int f = 0; f < u->n_functions; f++) {
            const IrFunction *fn = &u->functions[f];
            if (!ir_definition_first(&seen, fn)) continue;
            CheckTask t = {u, fn, {0}};
            VEC_PUSH(tasks, t);
        }
        CheckTask t = {u, NULL, {0}};
        VEC_PUSH(tasks, t);
    }
    CheckJob job = {ctx, entries, n_entries, tasks.items, tasks.len, 0};
    run_tasks(&job, jobs);
    for (int i = 0; i < tasks.len; i++) {
        FindingList *l = &tasks.items[i].found;
        for (int k = 0; k < l->len; k++) findings_add(out, &l->items[k]);
        free(l->items);
    }
    VEC_FREE(tasks);
    for (int e = 0; e < n_entries; e++)
        if (entries[e]->program) entries[e]->program(ctx, units, n_units, out);
    ir_definition_set_free(&seen);
    free(entries);
}
