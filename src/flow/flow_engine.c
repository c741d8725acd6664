/* flow_engine.c — drives the resource-flow dataflow for one acquire site (or
 * one parameter held at entry, for summaries): a dirty worklist swept in
 * reverse post-order to a fixpoint, then a final pass that runs each block
 * once more on its IN tuples, the transfer functions noting what happens,
 * and hands each block's notes to the reporting pass. The site runs of one
 * function share their prefix: the tuples before an acquire carry no
 * handle, so one run without a handle gives every site outside a cycle
 * its starting tuples (flow_prepare_sites). The run's set-up and
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
    run->path_gen++;
}

static void fixpoint(FlowRun *run)
{
    for (int sweep = 0; sweep < FLOW_MAX_SWEEPS; sweep++) {
        bool any = false;
        for (int i = 0; i < run->n_rpo; i++) {
            int b = run->rpo[i];
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

static void final_pass(FlowRun *run)
{
    if (run->gave_up) return;
    run->settled = true;
    for (int i = 0; i < run->n_rpo; i++) {
        int b = run->rpo[i];
        for (int k = 0; k < run->in[b].len; k++) flow_transfer_block(run, b, k);
        flow_report_notes(run);
    }
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
    fixpoint(run);
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
    flow_join(run, 0, &t);
    fixpoint(run);
    final_pass(run);
}

static bool run_site(FlowRun *run, int block, int event, const AcquireMatch *acq, bool full)
{
    reset(run);
    run->from_shared = false;
    run->site_block = block;
    run->site_event = event;
    run->site_call = &run->fn->blocks[block].events[event].u.call;
    run->acq = *acq;
    run->param_var = -1;
    if (!full && run->shared_in && !on_cycle(run, block)) {
        run->from_shared = true;
        /* No path into this block passes the acquire, so its IN tuples are
         * those of the run without a handle, and nothing before it can
         * report: start here. (A path is traced back to the acquire only.) */
        const TupleList *from = &run->shared_in[block];
        for (int k = 0; k < from->len; k++) tuple_list_push(&run->in[block], &from->items[k]);
        if (from->len > 0) run->dirty[block] = true;
        fixpoint(run);
        final_pass(run);
        return !run->gave_up;
    }
    Tuple t;
    memset(&t, 0, sizeof t);
    t.hs = HS_NONE;
    t.esc_param = -1;
    start(run, &t);
    return !run->gave_up;
}

bool flow_run_site(FlowRun *run, int block, int event, const AcquireMatch *acq)
{
    return run_site(run, block, event, acq, false);
}

bool flow_run_site_full(FlowRun *run, int block, int event, const AcquireMatch *acq)
{
    return run_site(run, block, event, acq, true);
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
