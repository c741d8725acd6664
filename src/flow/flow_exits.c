/* flow_exits.c — the terminators of a block for one tuple of the
 * resource-flow engine: returns (the tuple the function leaves with, noted
 * for the reporting pass, which decides leaks and what the summaries learn
 * about the exits), branches and switches (refined by conditions and facts,
 * infeasible ways dropped), jumps; joins the result into the successors. */
#include "flow/flow.h"

/* A live handle still held by `*out` at an exit is the caller's now:
 * returned through the out-parameter, as if it escaped at the store. */
static bool held_by_out_param(const Tuple *t, int *param)
{
    if (!flow_is_live(t)) return false;
    for (int i = 0; i < t->n_holders; i++) {
        if (t->holders[i].kind == PLACE_DEREF) {
            *param = t->holders[i].var;
            return true;
        }
    }
    return false;
}

/* A return: the function leaves with this tuple, noted at the block's
 * last event (the return) for the reporting pass. */
static void exit_block(FlowRun *run, const Tuple *t, int b, int in_idx)
{
    int out_var;
    Tuple escaped;
    if (held_by_out_param(t, &out_var)) {
        escaped = *t;
        tuple_escape(&escaped, ESC_OUTPARAM, run->fn->vars[out_var].param_index);
        t = &escaped;
    }
    flow_note(run, NOTE_EXIT, b, run->fn->blocks[b].n_events - 1, in_idx, t, NULL);
}

/* Joins t, come from block b's IN tuple in_idx by successor si, into that
 * successor; t is scratch (its provenance is set here, no copy made). */
static void join_succ(FlowRun *run, Tuple *t, int b, int in_idx, int si, bool choice)
{
    const IrBlock *blk = &run->fn->blocks[b];
    int target = blk->succ[si];
    if (target < 0 || target >= run->fn->n_blocks) return;
    t->pred_block = b;
    t->pred_tuple = in_idx;
    t->pred_succ = si;
    t->pred_choice = choice;
    flow_join(run, target, t);
}

static bool switch_known_value(const FlowRun *run, const Tuple *t, const IrBlock *blk, long long *v)
{
    if (blk->switch_on.kind == REF_CONST) {
        *v = blk->switch_on.value;
        return true;
    }
    Place p;
    if (!flow_place_of(run, &blk->switch_on, &p)) return false;
    const Fact *f = tuple_fact(t, &p);
    if (!f || f->kind != FACT_EQ) return false;
    *v = f->value;
    return true;
}

/* The successor a switch on value v takes: its case, else the default, else
 * the one successor no case names (-1 when that is not one block). The
 * case targets are marked first (visit_mark), so a switch of N cases costs
 * O(N), not O(N^2). */
static int switch_target(FlowRun *run, const IrBlock *blk, long long v)
{
    for (int i = 0; i < blk->n_cases; i++)
        if (v >= blk->cases[i].lo && v <= blk->cases[i].hi) return blk->cases[i].target;
    if (blk->default_target >= 0) return blk->default_target;
    run->visit_gen++;
    for (int i = 0; i < blk->n_cases; i++) {
        int c = blk->cases[i].target;
        if (c >= 0 && c < run->fn->n_blocks) run->visit_mark[c] = run->visit_gen;
    }
    int found = -1;
    for (int s = 0; s < blk->n_succ; s++) {
        int sb = blk->succ[s];
        bool is_case = sb >= 0 && sb < run->fn->n_blocks && run->visit_mark[sb] == run->visit_gen;
        if (!is_case) {
            if (found >= 0 && found != blk->succ[s]) return -1;
            found = blk->succ[s];
        }
    }
    return found;
}

void flow_terminate(FlowRun *run, Tuple *t, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    switch (blk->term) {
    case TERM_RETURN: exit_block(run, t, b, in_idx); return;
    case TERM_NORETURN: return;
    case TERM_BRANCH:
        if (blk->n_succ == 2) {
            Tuple yes = *t, *no = t; /* t is scratch: the `no` way refines it */
            const IrCond *cond = flow_branch_cond(run, b);
            flow_branch_unknown_deref(run, b, &yes);
            flow_branch_unknown_deref(run, b, no);
            bool can_yes = flow_apply_cond(run, &yes, cond, true);
            bool can_no = flow_apply_cond(run, no, cond, false);
            bool choice = can_yes && can_no && blk->succ[0] != blk->succ[1];
            if (can_yes) join_succ(run, &yes, b, in_idx, 0, choice);
            if (can_no) join_succ(run, no, b, in_idx, 1, choice);
            return;
        }
        break;
    case TERM_SWITCH: {
        long long v;
        if (switch_known_value(run, t, blk, &v)) {
            int target = switch_target(run, blk, v);
            for (int s = 0; s < blk->n_succ && target >= 0; s++) {
                if (blk->succ[s] == target) {
                    join_succ(run, t, b, in_idx, s, false);
                    return;
                }
            }
        }
        break;
    }
    case TERM_JUMP:
    case TERM_INDIRECT: break;
    }
    for (int s = 0; s < blk->n_succ; s++) join_succ(run, t, b, in_idx, s, blk->n_succ > 1);
}
