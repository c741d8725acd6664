/* flow_engine.c — drives the resource-flow dataflow for one acquire site (or
 * one parameter held at entry, for summaries): a dirty worklist swept in
 * reverse post-order to a fixpoint, then a final pass that runs each block
 * once more on its IN tuples, the transfer functions noting what happens,
 * and hands each block's notes to the reporting pass. Where no cycle
 * comes before a block, its IN tuples are final when a sweep reaches it:
 * it runs once, noting, and the final pass reports the notes it kept
 * (the same notes, in the same order) instead of running it again.
 * The site runs of one function share their prefix: the tuples before an
 * acquire carry no handle, so one run without a handle gives every site
 * outside a cycle its starting tuples (flow_prepare_sites). The run's set-up and
 * the join are in flow_run.c, event semantics in flow_transfer.c, what is
 * a finding in flow_reporting.c. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

/* A starting tuple: no predecessor, no release, kept or lost site yet. */
static void tuple_clear_links(Tuple *t)
{
    t->pred_block = t->pred_tuple = -1;
    t->pred_succ = -1;
    t->rel_block = t->rel_event = -1;
    t->kept_block = t->kept_event = -1;
    t->lost_block = t->lost_event = -1;
}

static void reset(FlowRun *run)
{
    for (int b = 0; b < run->fn->n_blocks; b++) {
        run->in[b].len = 0;
        run->dirty[b] = false;
    }
    run->reports.len = 0;
    run->global_stores.len = 0;
    run->notes.len = 0;
    run->settled = false;
    run->gave_up = false;
    run->exit_mask = 0;
    run->esc_param = -1;
    run->found_res = NULL;
    run->container_release = false;
    run->contents_stored = false;
    run->path_gen++;
}

/* Is block `site` on a cycle (reachable from one of its successors)? */
/* Appends the successors of block b not yet marked in this search
 * (visit_mark == visit_gen) to queue, marking them; returns the new length. */
static int push_unvisited_succ(FlowRun *run, int b, int *queue, int qn)
{
    const IrBlock *blk = &run->fn->blocks[b];
    for (int k = 0; k < blk->n_succ; k++) {
        int s = blk->succ[k];
        if (s < 0 || s >= run->fn->n_blocks || run->visit_mark[s] == run->visit_gen) continue;
        run->visit_mark[s] = run->visit_gen;
        queue[qn++] = s;
    }
    return qn;
}

/* A block done with its IN tuples: the edges out of it no longer wait. */
static void block_done(FlowRun *run, int b)
{
    const IrBlock *blk = &run->fn->blocks[b];
    run->done[b] = true;
    for (int k = 0; k < blk->n_succ; k++) {
        int s = blk->succ[k];
        if (s >= 0 && s < run->fn->n_blocks) run->pred_left[s]--;
    }
}

/* Before a run that folds its final pass into the sweeps: no block done
 * yet, but the blocks no tuple can reach from `from` (where the run
 * starts) are done at once with nothing to note. marked: the blocks
 * reachable from `from`'s successors are marked already (on_cycle's
 * search, which found no way back to `from`). */
static void fold_begin(FlowRun *run, int from, bool marked)
{
    run->kept_notes.len = 0;
    run->kept_stores.len = 0;
    for (int i = 0; i < run->n_rpo; i++) {
        int b = run->rpo[i];
        run->pred_left[b] = run->n_pred[b];
        run->done[b] = run->kept[b] = false;
    }
    if (from == 0) return; /* every block in rpo is reachable from the entry */
    const IrFunction *fn = run->fn;
    int *queue = NULL;
    if (!marked) {
        queue = xmalloc((size_t)fn->n_blocks * sizeof(int));
        run->visit_gen++;
        queue[0] = from;
        int qn = 1;
        for (int qi = 0; qi < qn; qi++) qn = push_unvisited_succ(run, queue[qi], queue, qn);
    }
    run->visit_mark[from] = run->visit_gen;
    for (int i = 0; i < run->n_rpo; i++) {
        int b = run->rpo[i];
        if (run->visit_mark[b] == run->visit_gen) continue;
        run->kept[b] = true; /* reached by no tuple: nothing to note */
        run->kept_note[b] = run->n_kept_note[b] = 0;
        run->kept_store[b] = run->n_kept_store[b] = 0;
        block_done(run, b);
    }
    free(queue);
}

/* Runs block b, whose IN tuples are final, once for the sweep and the
 * final pass both: joins into its successors and keeps its notes. */
static void run_noting(FlowRun *run, int b)
{
    run->kept_note[b] = run->kept_notes.len;
    run->kept_store[b] = run->kept_stores.len;
    run->noting = true;
    int n = run->in[b].len;
    for (int k = 0; k < n; k++) flow_transfer_block(run, b, k);
    run->noting = false;
    run->n_kept_note[b] = run->kept_notes.len - run->kept_note[b];
    run->n_kept_store[b] = run->kept_stores.len - run->kept_store[b];
    run->kept[b] = true;
}

/* fold: the final pass is folded in where it can be (FlowRun.noting). A
 * block becomes done when every edge into it comes from a done block; it
 * then runs (if dirty) for the last time, so its notes are those the
 * final pass would take. The sweeps run the same blocks as without it. */
static void fixpoint(FlowRun *run, bool fold)
{
    for (int sweep = 0; sweep < FLOW_MAX_SWEEPS; sweep++) {
        bool any = false;
        for (int i = 0; i < run->n_rpo; i++) {
            int b = run->rpo[i];
            if (fold && !run->done[b] && run->pred_left[b] == 0) {
                block_done(run, b);
                if (run->dirty[b]) {
                    run->dirty[b] = false;
                    any = true;
                    run_noting(run, b);
                } else if (run->in[b].len == 0) {
                    run->kept[b] = true; /* reached by no tuple */
                    run->kept_note[b] = run->n_kept_note[b] = 0;
                    run->kept_store[b] = run->n_kept_store[b] = 0;
                }
                continue;
            }
            if (!run->dirty[b]) continue;
            run->dirty[b] = false;
            any = true;
            /* tuples appended while processing (self loops) are seen next sweep */
            int n = run->in[b].len;
            for (int k = 0; k < n; k++) flow_transfer_block(run, b, k);
        }
        if (!any) return;
    }
    run->gave_up = true;
}

static void final_pass(FlowRun *run, bool fold)
{
    if (run->gave_up) return;
    run->settled = true;
    for (int i = 0; i < run->n_rpo; i++) {
        int b = run->rpo[i];
        if (fold && run->kept[b]) {
            /* in the order the block met them, as if it ran here */
            for (int j = 0; j < run->n_kept_store[b]; j++) {
                const FlowGlobalStore *g = &run->kept_stores.items[run->kept_store[b] + j];
                flow_record_global_store(run, g->block, g->event, g->var, g->arg);
            }
            int n_notes = run->n_kept_note[b]; /* no offset on a NULL array: none kept anywhere yet */
            flow_report_kept_notes(run, n_notes ? run->kept_notes.items + run->kept_note[b] : NULL, n_notes);
            continue;
        }
        for (int k = 0; k < run->in[b].len; k++) flow_transfer_block(run, b, k);
        flow_report_notes(run);
    }
}

static bool on_cycle(FlowRun *run, int site)
{
    const IrFunction *fn = run->fn;
    int *queue = xmalloc((size_t)fn->n_blocks * sizeof(int));
    int qn = 0;
    run->visit_gen++;
    qn = push_unvisited_succ(run, site, queue, qn);
    bool found = false;
    for (int qi = 0; qi < qn && !found; qi++) {
        int b = queue[qi];
        if (b == site) found = true;
        qn = push_unvisited_succ(run, b, queue, qn);
    }
    free(queue);
    return found;
}

void flow_prepare_sites(FlowRun *run)
{
    if (run->shared_in || run->fn->n_blocks == 0) return;
    reset(run);
    run->site_block = run->site_event = -1;
    run->site_call = NULL;
    memset(&run->acq, 0, sizeof run->acq);
    run->acq.result_arg = -1;
    run->acq.failure = FAILURE_NULL;
    run->param_var = -1;
    Tuple t;
    memset(&t, 0, sizeof t);
    t.hs = HS_NONE;
    t.esc_param = -1;
    tuple_clear_links(&t);
    flow_join(run, 0, &t);
    fixpoint(run, false);
    if (run->gave_up) return; /* every site runs in full */
    /* keep these IN sets; the runs get fresh ones */
    int n = run->fn->n_blocks;
    run->shared_in = run->in;
    run->in = xcalloc((size_t)n, sizeof(TupleList));
}

static void start(FlowRun *run, const Tuple *t0)
{
    if (run->fn->n_blocks == 0) return;
    Tuple t = *t0;
    tuple_clear_links(&t);
    fold_begin(run, 0, false);
    flow_join(run, 0, &t);
    fixpoint(run, true);
    final_pass(run, true);
}

/* given_var >= 0: that variable is known to be 0 (zero) or not 0 at the
 * entry (a run from the entry, never from the shared prefix). */
static bool run_site(FlowRun *run, int block, int event, const AcquireMatch *acq, bool full, int given_var,
                     bool zero)
{
    reset(run);
    run->from_shared = false;
    run->site_block = block;
    run->site_event = event;
    run->site_call = &run->fn->blocks[block].events[event].u.call;
    run->acq = *acq;
    run->param_var = -1;
    if (!full && given_var < 0 && run->shared_in && !on_cycle(run, block)) {
        run->from_shared = true;
        /* No path into this block passes the acquire, so its IN tuples are
         * those of the run without a handle, and nothing before it can
         * report: start here. (A path is traced back to the acquire only.) */
        const TupleList *from = &run->shared_in[block];
        for (int k = 0; k < from->len; k++) tuple_list_push(&run->in[block], &from->items[k]);
        if (from->len > 0) run->dirty[block] = true;
        fold_begin(run, block, true); /* on_cycle marked what it reaches */
        fixpoint(run, true);
        final_pass(run, true);
        return !run->gave_up;
    }
    Tuple t;
    memset(&t, 0, sizeof t);
    t.hs = HS_NONE;
    t.esc_param = -1;
    if (given_var >= 0) {
        Place g = {PLACE_VAR, given_var, NULL, -1};
        tuple_set_fact(run, &t, &g, zero ? FACT_EQ : FACT_NONZERO, 0, NULL, true);
    }
    start(run, &t);
    return !run->gave_up;
}

bool flow_run_site(FlowRun *run, int block, int event, const AcquireMatch *acq)
{
    return run_site(run, block, event, acq, false, -1, false);
}

bool flow_run_site_full(FlowRun *run, int block, int event, const AcquireMatch *acq)
{
    return run_site(run, block, event, acq, true, -1, false);
}

bool flow_run_site_given(FlowRun *run, int block, int event, const AcquireMatch *acq, int given_var, bool zero)
{
    return run_site(run, block, event, acq, true, given_var, zero);
}

static bool run_param(FlowRun *run, int param_var, int given_var, bool zero);

bool flow_run_param(FlowRun *run, int param_var)
{
    return run_param(run, param_var, -1, false);
}

bool flow_run_param_given(FlowRun *run, int param_var, int given_var, bool zero)
{
    return run_param(run, param_var, given_var, zero);
}

static bool run_param(FlowRun *run, int param_var, int given_var, bool zero)
{
    reset(run);
    run->site_block = run->site_event = -1;
    run->site_call = NULL;
    memset(&run->acq, 0, sizeof run->acq);
    run->acq.result_arg = -1;
    run->acq.failure = FAILURE_NULL;
    run->param_var = param_var;
    run->from_shared = false;
    Tuple t;
    memset(&t, 0, sizeof t);
    t.hs = HS_MAYBE; /* NULL tests of the parameter: nothing to release there */
    t.esc_param = -1;
    Place p = {PLACE_VAR, param_var, NULL, -1};
    tuple_add_holder(&t, &p);
    if (given_var >= 0) {
        Place g = {PLACE_VAR, given_var, NULL, -1};
        tuple_set_fact(run, &t, &g, zero ? FACT_EQ : FACT_NONZERO, 0, NULL, true);
    }
    start(run, &t);
    return !run->gave_up;
}
