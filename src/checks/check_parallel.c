/* check_parallel.c — the check stage's per-file checks on -j threads
 * (checks_run_files, registry.h): which file checks each function defined
 * in a header is decided first, in file order (the first file that has it,
 * as on one thread); then one task per file — those header functions, then
 * the file's own checks through the caller's `own` (main.c adds the result
 * cache there) — on common/pool.c's threads, the files with the most blocks
 * first; each task's findings are kept apart and joined in file order, so
 * the findings are those of one thread, in the same order.
 *
 * Threads rather than forked processes: once the summaries are final the
 * checks only read the IR, the packs and the summaries (there is no
 * file-scope mutable state; every memo and scratch array belongs to one
 * dataflow run) and the cache session is thread-safe, so nothing has to
 * be encoded to cross a process boundary and no large heap is copied.
 * Decides no findings itself. */
#include <stdlib.h>

#include "checks/registry.h"
#include "common/pool.h"
#include "common/util.h"

typedef struct {
    const CheckContext *ctx;
    IrUnit *const *units;
    const int *file;              /* per task: the index of its unit */
    const IrFunction ***headers;  /* per task: the header functions it checks */
    int *n_headers;
    FindingList *found;           /* per task: its findings */
    CheckOwnFn own;
    void *own_arg;
} FilesJob;

static void file_task(void *arg, int t)
{
    FilesJob *job = arg;
    checks_run_functions(job->ctx, job->headers[t], job->n_headers[t], &job->found[t]);
    job->own(job->own_arg, job->file[t], &job->found[t]);
}

/* What a file's checks cost, roughly: the blocks they walk. */
static long file_cost(const IrUnit *u, const IrFunction *const *headers, int n_headers)
{
    long cost = 1;
    for (int f = 0; !u->parse_failed && f < u->n_functions; f++)
        if (!u->functions[f].in_header) cost += u->functions[f].n_blocks;
    for (int f = 0; f < n_headers; f++) cost += headers[f]->n_blocks;
    return cost;
}

void checks_run_files(const CheckContext *ctx, IrUnit *const *units, const int *files, int n, int jobs,
                      CheckOwnFn own, void *own_arg, FindingList *out)
{
    FilesJob job = {.ctx = ctx, .units = units, .file = files, .own = own, .own_arg = own_arg};
    job.headers = xcalloc((size_t)n + 1, sizeof(IrFunction **));
    job.n_headers = xcalloc((size_t)n + 1, sizeof(int));
    job.found = xcalloc((size_t)n + 1, sizeof(FindingList));
    long *cost = xcalloc((size_t)n + 1, sizeof(long));
    HeaderFunctionsSeen *seen = header_functions_seen_new();
    for (int t = 0; t < n; t++) {
        job.headers[t] = checks_claim_headers(units[files[t]], seen, &job.n_headers[t]);
        cost[t] = file_cost(units[files[t]], job.headers[t], job.n_headers[t]);
    }
    header_functions_seen_free(seen);
    pool_run(n, jobs, cost, file_task, &job);
    for (int t = 0; t < n; t++) {
        for (int f = 0; f < job.found[t].len; f++) findings_add(out, &job.found[t].items[f]);
        free(job.found[t].items);
        free(job.headers[t]);
    }
    free(cost);
    free(job.headers);
    free(job.n_headers);
    free(job.found);
}
