/* flow_exits.c — the terminators of a block for one tuple of the
 * resource-flow engine: returns (leaks, and what the summaries learn about
 * the exits), branches and switches (refined by conditions and facts,
 * infeasible ways dropped), jumps; joins the result into the successors. */
#include "flow/flow.h"

/* `return NULL;`, or the return of a value known to be NULL on this path. */
static bool returns_null(const FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    if (blk->n_events == 0) return false;
    const IrEvent *ev = &blk->events[blk->n_events - 1];
    if (ev->kind != EV_RETURN) return false;
    const IrRef *v = &ev->u.ret.value;
    if (v->kind == REF_CONST) return v->value == 0;
    Place p;
    if (!flow_place_of(run, v, &p)) return false;
    const Fact *f = tuple_fact(t, &p);
    return f && f->kind == FACT_EQ && f->value == 0;
}

/* 0: returns constant 0, 1: a non-zero constant, 2: anything else */
static int return_class(const IrBlock *blk)
{
    if (blk->n_events == 0) return 2;
    const IrEvent *ev = &blk->events[blk->n_events - 1];
    if (ev->kind != EV_RETURN || ev->u.ret.value.kind != REF_CONST) return 2;
    return ev->u.ret.value.value == 0 ? 0 : 1;
}

static void note_return_class(FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    static const unsigned out_bits[] = {EXIT_OUT_RET_ZERO, EXIT_OUT_RET_NONZERO, EXIT_OUT_RET_OTHER};
    static const unsigned none_bits[] = {EXIT_NONE_RET_ZERO, EXIT_NONE_RET_NONZERO, EXIT_NONE_RET_OTHER};
    int c = return_class(blk);
    if (t->hs == HS_ESCAPED && t->esc == ESC_OUTPARAM) run->exit_mask |= out_bits[c];
    else if (t->hs == HS_FAILED || t->hs == HS_NONE || t->hs == HS_RELEASED) run->exit_mask |= none_bits[c];
    if (t->hs == HS_ESCAPED && (t->esc == ESC_STORE || t->esc == ESC_TRANSFER))
        run->exit_mask |= c == 0 ? EXIT_STORED_RET_ZERO : EXIT_STORED_RET_OTHER;
    if ((t->hs == HS_HELD || t->hs == HS_MAYBE) && c != 1) run->exit_mask |= EXIT_HELD_RET_NOT_NONZERO;
    static const unsigned rel_bits[] = {EXIT_REL_RET_ZERO, EXIT_REL_RET_NONZERO, EXIT_REL_RET_OTHER};
    static const unsigned kept_bits[] = {EXIT_KEPT_RET_ZERO, EXIT_KEPT_RET_NONZERO, EXIT_KEPT_RET_OTHER};
    if (t->hs == HS_RELEASED) run->exit_mask |= rel_bits[c];
    if (t->hs == HS_HELD || t->hs == HS_MAYBE) run->exit_mask |= kept_bits[c];
}

static void note_exit(FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    bool null_ret = returns_null(run, t, blk);
    note_return_class(run, t, blk);
    if ((t->hs == HS_HELD || t->hs == HS_MAYBE) && !null_ret) run->exit_mask |= EXIT_HELD_VALUE_RET;
    if (t->hs == HS_ESCAPED && (t->esc == ESC_STORE || t->esc == ESC_TRANSFER) && null_ret)
        run->exit_mask |= EXIT_STORED_NULL_RET;
    switch (t->hs) {
    case HS_HELD:
    case HS_MAYBE: run->exit_mask |= t->quiet ? EXIT_QUIET : EXIT_HELD; break;
    case HS_RELEASED: run->exit_mask |= EXIT_RELEASED; break;
    case HS_NONE:
    case HS_FAILED: run->exit_mask |= EXIT_NOTHING; break;
    case HS_ESCAPED:
        switch (t->esc) {
        case ESC_RETURN: run->exit_mask |= EXIT_ESC_RETURN; break;
        case ESC_OUTPARAM:
            run->exit_mask |= EXIT_ESC_OUT;
            if (run->esc_param == -1) run->esc_param = t->esc_param;
            else if (run->esc_param != t->esc_param) run->esc_param = -2;
            break;
        case ESC_STORE: run->exit_mask |= EXIT_ESC_STORE; break;
        case ESC_TRANSFER: run->exit_mask |= EXIT_ESC_TRANSFER; break;
        default: run->exit_mask |= EXIT_ESC_UNKNOWN; break;
        }
        break;
    }
}

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

static void exit_block(FlowRun *run, const Tuple *t, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    if (!run->reporting) return;
    int out_var;
    Tuple escaped;
    if (held_by_out_param(t, &out_var)) {
        escaped = *t;
        tuple_escape(&escaped, ESC_OUTPARAM, run->fn->vars[out_var].param_index);
        t = &escaped;
    }
    note_exit(run, t, blk);
    if (!flow_is_live(t) || t->quiet) return;
    int last = blk->n_events - 1;
    bool only_temp = true;
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind != PLACE_CALL) only_temp = false;
    if (only_temp && run->site_block >= 0) {
        flow_report(run, REP_LEAK_DISCARD, b, last, in_idx, t, NULL);
        return;
    }
    bool implicit = last >= 0 && blk->events[last].kind == EV_RETURN && blk->events[last].u.ret.implicit;
    flow_report(run, implicit ? REP_LEAK_END : REP_LEAK_RETURN, b, last, in_idx, t,
                flow_first_named_holder(t));
}

static void join_succ(FlowRun *run, const Tuple *t, int b, int in_idx, int si, bool choice)
{
    const IrBlock *blk = &run->fn->blocks[b];
    int target = blk->succ[si];
    if (target < 0 || target >= run->fn->n_blocks) return;
    Tuple n = *t;
    n.pred_block = b;
    n.pred_tuple = in_idx;
    n.pred_succ = si;
    n.pred_choice = choice;
    flow_join(run, target, &n);
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

static int switch_target(const IrBlock *blk, long long v)
{
    for (int i = 0; i < blk->n_cases; i++)
        if (v >= blk->cases[i].lo && v <= blk->cases[i].hi) return blk->cases[i].target;
    if (blk->default_target >= 0) return blk->default_target;
    int found = -1;
    for (int s = 0; s < blk->n_succ; s++) {
        bool is_case = false;
        for (int i = 0; i < blk->n_cases; i++) is_case |= blk->cases[i].target == blk->succ[s];
        if (!is_case) {
            if (found >= 0 && found != blk->succ[s]) return -1;
            found = blk->succ[s];
        }
    }
    return found;
}

void flow_terminate(FlowRun *run, const Tuple *t, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    switch (blk->term) {
    case TERM_RETURN: exit_block(run, t, b, in_idx); return;
    case TERM_NORETURN: return;
    case TERM_BRANCH:
        if (blk->n_succ == 2) {
            Tuple yes = *t, no = *t;
            const IrCond *cond = flow_branch_cond(run, b);
            flow_branch_unknown_deref(run, b, &yes);
            flow_branch_unknown_deref(run, b, &no);
            bool can_yes = flow_apply_cond(run, &yes, cond, true);
            bool can_no = flow_apply_cond(run, &no, cond, false);
            bool choice = can_yes && can_no && blk->succ[0] != blk->succ[1];
            if (can_yes) join_succ(run, &yes, b, in_idx, 0, choice);
            if (can_no) join_succ(run, &no, b, in_idx, 1, choice);
            return;
        }
        break;
    case TERM_SWITCH: {
        long long v;
        if (switch_known_value(run, t, blk, &v)) {
            int target = switch_target(blk, v);
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
