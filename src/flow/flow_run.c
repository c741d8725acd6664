/* flow_run.c — the bookkeeping of one resource-flow run, below the event
 * and terminator semantics: setting a run up for a function (reverse
 * post-order, which calls acquire, which values are used or tested, which
 * `*p` are followed), the join of a tuple into a block's IN set, the
 * stack of tuples split inside a block, the notes the final pass leaves
 * for the reporting pass, and what a call means for the run's resource.
 * It runs no event (flow_transfer.c), drives no fixpoint (flow_engine.c)
 * and decides no finding (flow_reporting.c). */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

static void compute_rpo(FlowRun *run)
{
    const IrFunction *fn = run->fn;
    int n = fn->n_blocks;
    run->rpo = xcalloc((size_t)(n ? n : 1), sizeof(int));
    run->rpo_index = xmalloc((size_t)(n ? n : 1) * sizeof(int));
    for (int i = 0; i < n; i++) run->rpo_index[i] = -1;
    if (n == 0) return;
    /* iterative DFS: post-order into `post`, then reversed */
    int *post = xmalloc((size_t)n * sizeof(int));
    int *stack = xmalloc((size_t)n * sizeof(int));
    int *next = xcalloc((size_t)n, sizeof(int));
    char *seen = xcalloc((size_t)n, 1);
    int sp = 0, np = 0;
    stack[sp++] = 0;
    seen[0] = 1;
    while (sp > 0) {
        int b = stack[sp - 1];
        const IrBlock *blk = &fn->blocks[b];
        if (next[b] < blk->n_succ) {
            int s = blk->succ[next[b]++];
            if (s >= 0 && s < n && !seen[s]) {
                seen[s] = 1;
                stack[sp++] = s;
            }
        } else {
            post[np++] = b;
            sp--;
        }
    }
    for (int i = 0; i < np; i++) {
        run->rpo[i] = post[np - 1 - i];
        run->rpo_index[run->rpo[i]] = i;
    }
    run->n_rpo = np;
    free(post);
    free(stack);
    free(next);
    free(seen);
}

static void mark_ref(FlowRun *run, const IrRef *r)
{
    if (r->kind == REF_CALL && r->call >= 0 && r->call < run->fn->n_calls) run->call_referenced[r->call] = true;
}

static void scan_calls(FlowRun *run)
{
    const IrFunction *fn = run->fn;
    int nc = fn->n_calls > 0 ? fn->n_calls : 1;
    run->call_referenced = xcalloc((size_t)nc, sizeof(bool));
    run->call_is_acq = xcalloc((size_t)nc, sizeof(bool));
    run->call_acq = xcalloc((size_t)nc, sizeof(AcquireMatch));
    run->calls = xcalloc((size_t)nc, sizeof(IrCall *));
    run->call_block = xcalloc((size_t)nc, sizeof(int));
    run->call_event = xcalloc((size_t)nc, sizeof(int));
    run->addr_taken = xcalloc((size_t)(fn->n_vars > 0 ? fn->n_vars : 1), sizeof(bool));
    run->call_tested = xcalloc((size_t)nc, sizeof(bool));
    run->deref_place = xcalloc((size_t)(fn->n_vars > 0 ? fn->n_vars : 1), sizeof(bool));
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH && blk->cond.known) mark_ref(run, &blk->cond.ref);
        if (blk->term == TERM_SWITCH) mark_ref(run, &blk->switch_on);
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_CALL:
                for (int i = 0; i < ev->u.call.nargs; i++) mark_ref(run, &ev->u.call.args[i]);
                mark_ref(run, &ev->u.call.base);
                if (ev->u.call.id >= 0 && ev->u.call.id < fn->n_calls) {
                    int id = ev->u.call.id;
                    run->calls[id] = &ev->u.call;
                    run->call_block[id] = b;
                    run->call_event[id] = e;
                    if (run->m) run->call_is_acq[id] = match_acquire(run->m, &ev->u.call, &run->call_acq[id]);
                }
                break;
            case EV_ASSIGN:
                if ((ev->u.assign.rhs.kind == REF_ADDR || ev->u.assign.rhs.kind == REF_ADDR_FIELD) &&
                    ev->u.assign.rhs.var >= 0 && ev->u.assign.rhs.var < fn->n_vars)
                    run->addr_taken[ev->u.assign.rhs.var] = true;
                mark_ref(run, &ev->u.assign.rhs);
                mark_ref(run, &ev->u.assign.lhs);
                break;
            case EV_ASSIGN_COND: mark_ref(run, &ev->u.assign_cond.cond.ref); break;
            case EV_USE: mark_ref(run, &ev->u.use.ref); break;
            case EV_RETURN: mark_ref(run, &ev->u.ret.value); break;
            default: break;
            }
        }
    }
}

/* Which calls' values are tested by a condition, directly or through the
 * variable they are stored in (`if (close(x) != OK)`, `rc = close(x); if (rc)`). */
static void scan_tested_calls(FlowRun *run)
{
    const IrFunction *fn = run->fn;
    bool *var_tested = xcalloc((size_t)(fn->n_vars > 0 ? fn->n_vars : 1), sizeof(bool));
    for (int pass = 0; pass < 2; pass++) {
        for (int b = 0; b < fn->n_blocks; b++) {
            const IrBlock *blk = &fn->blocks[b];
            const IrCond *conds[1] = {blk->term == TERM_BRANCH && blk->cond.known ? &blk->cond : NULL};
            for (int e = -1; e < blk->n_events; e++) {
                const IrCond *c = e < 0 ? conds[0] : NULL;
                const IrEvent *ev = e >= 0 ? &blk->events[e] : NULL;
                if (ev && ev->kind == EV_ASSIGN_COND && ev->u.assign_cond.cond.known) c = &ev->u.assign_cond.cond;
                if (pass == 0 && c) {
                    if (c->ref.kind == REF_CALL && c->ref.call >= 0 && c->ref.call < fn->n_calls)
                        run->call_tested[c->ref.call] = true;
                    if (c->ref.kind == REF_VAR && c->ref.var >= 0 && c->ref.var < fn->n_vars)
                        var_tested[c->ref.var] = true;
                }
                if (pass == 1 && ev && ev->kind == EV_ASSIGN && ev->u.assign.rhs.kind == REF_CALL &&
                    ev->u.assign.lhs.kind == REF_VAR && ev->u.assign.lhs.var >= 0 &&
                    ev->u.assign.lhs.var < fn->n_vars && var_tested[ev->u.assign.lhs.var] &&
                    ev->u.assign.rhs.call >= 0 && ev->u.assign.rhs.call < fn->n_calls)
                    run->call_tested[ev->u.assign.rhs.call] = true;
            }
        }
    }
    free(var_tested);
}

/* Loop counters (issue 12, form 4): the local variables a loop head
 * compares with a constant (`while (n > 0)`, `for (...; i < 1; ...)`),
 * with that constant. Set up once per run. */
static void find_loop_counters(FlowRun *run)
{
    const IrFunction *fn = run->fn;
    int nv = fn->n_vars > 0 ? fn->n_vars : 1;
    run->counter_bound = xcalloc((size_t)nv, sizeof(long long));
    run->is_counter = xcalloc((size_t)nv, sizeof(bool));
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (!run->back_target[b] || blk->term != TERM_BRANCH || !blk->cond.known) continue;
        const IrRef *r = &blk->cond.ref;
        if (r->kind != REF_VAR || blk->cond.ref2.kind != REF_NONE || r->var < 0 || r->var >= fn->n_vars) continue;
        if (fn->vars[r->var].storage == VAR_GLOBAL || run->is_counter[r->var]) continue;
        run->is_counter[r->var] = true;
        run->counter_bound[r->var] = blk->cond.value;
    }
}

/* A constant of a loop counter close enough to the loop's bound that the
 * loop ends within FLOW_LOOP_VALUES rounds. */
static bool near_bound(const FlowRun *run, const Fact *f)
{
    if (f->kind != FACT_EQ || f->place.kind != PLACE_VAR || f->place.var < 0 || f->place.var >= run->fn->n_vars ||
        !run->is_counter[f->place.var])
        return false;
    long long d = f->value - run->counter_bound[f->place.var];
    return d <= FLOW_LOOP_VALUES && d >= -FLOW_LOOP_VALUES;
}

/* Do a and b hold different constants, near its bound, in a loop counter? */
static bool counter_differs(const FlowRun *run, const Tuple *a, const Tuple *b)
{
    for (int i = 0; i < b->n_facts; i++) {
        const Fact *fb = &b->facts[i];
        if (!near_bound(run, fb)) continue;
        const Fact *fa = tuple_fact(a, &fb->place);
        if (fa && near_bound(run, fa) && fa->value != fb->value) return true;
    }
    return false;
}

void flow_run_init(FlowRun *run, const MatchContext *m, const IrFunction *fn)
{
    memset(run, 0, sizeof *run);
    run->m = m;
    run->fn = fn;
    run->param_var = -1;
    run->site_block = run->site_event = -1;
    int n = fn->n_blocks > 0 ? fn->n_blocks : 1;
    run->in = xcalloc((size_t)n, sizeof(TupleList));
    run->dirty = xcalloc((size_t)n, sizeof(bool));
    run->visit_mark = xcalloc((size_t)n, sizeof(int));
    run->path_pos = xmalloc((size_t)n * sizeof(int));
    for (int b = 0; b < n; b++) run->path_pos[b] = -1;
    compute_rpo(run);
    scan_calls(run);
    scan_tested_calls(run);
    flow_find_deref_places(run);
    run->back_target = xcalloc((size_t)n, sizeof(bool));
    for (int b = 0; b < fn->n_blocks; b++) {
        if (run->rpo_index[b] < 0) continue;
        for (int k = 0; k < fn->blocks[b].n_succ; k++) {
            int s = fn->blocks[b].succ[k];
            if (s >= 0 && s < fn->n_blocks && run->rpo_index[s] >= 0 && run->rpo_index[s] <= run->rpo_index[b])
                run->back_target[s] = true;
        }
    }
    find_loop_counters(run);
    run->n_pred = xcalloc((size_t)n, sizeof(int));
    run->pred_left = xcalloc((size_t)n, sizeof(int));
    run->done = xcalloc((size_t)n, sizeof(bool));
    run->kept = xcalloc((size_t)n, sizeof(bool));
    run->kept_note = xcalloc((size_t)n + 1, sizeof(int));
    run->kept_store = xcalloc((size_t)n + 1, sizeof(int));
    run->n_kept_note = xcalloc((size_t)n, sizeof(int));
    run->n_kept_store = xcalloc((size_t)n, sizeof(int));
    for (int b = 0; b < fn->n_blocks; b++) {
        if (run->rpo_index[b] < 0) continue;
        for (int k = 0; k < fn->blocks[b].n_succ; k++) {
            int s = fn->blocks[b].succ[k];
            if (s >= 0 && s < fn->n_blocks) run->n_pred[s]++;
        }
    }
}

void flow_run_free(FlowRun *run)
{
    for (int b = 0; b < run->fn->n_blocks; b++) tuple_list_free(&run->in[b]);
    free(run->in);
    if (run->shared_in) {
        for (int b = 0; b < run->fn->n_blocks; b++) tuple_list_free(&run->shared_in[b]);
        free(run->shared_in);
    }
    free(run->dirty);
    free(run->visit_mark);
    free(run->path_pos);
    flow_path_memo_free(run);
    free(run->back_target);
    free(run->counter_bound);
    free(run->is_counter);
    free(run->rpo);
    free(run->rpo_index);
    free(run->call_referenced);
    free(run->call_is_acq);
    free(run->call_acq);
    free(run->calls);
    free(run->call_block);
    free(run->call_event);
    free(run->addr_taken);
    free(run->deref_place);
    free(run->deref_test);
    free(run->call_tested);
    free(run->reports.items);
    free(run->global_stores.items);
    free(run->notes.items);
    free(run->n_pred);
    free(run->pred_left);
    free(run->done);
    free(run->kept);
    free(run->kept_note);
    free(run->kept_store);
    free(run->n_kept_note);
    free(run->n_kept_store);
    free(run->kept_notes.items);
    free(run->kept_stores.items);
    memset(run, 0, sizeof *run);
}

static bool union_holders(Tuple *into, const Tuple *from)
{
    bool changed = false;
    for (int i = 0; i < from->n_holders; i++) {
        if (tuple_find_holder(into, &from->holders[i]) >= 0) continue;
        if (tuple_add_holder(into, &from->holders[i])) changed = true;
    }
    return changed;
}

bool flow_join(FlowRun *run, int block, const Tuple *t)
{
    if (run->settled) return false; /* the fixpoint is reached: nothing new */
    TupleList *l = &run->in[block];
    /* Tuples that differ in the constant a loop counter holds near its
     * bound are kept apart (n = 3, 2, 1, 0 of `while (n > 0) n--;`), up to
     * FLOW_LOOP_VALUES of them per key, so the loop's test decides each
     * round and the value after the loop is known. Beyond that the next
     * one is merged as any other (facts only weaken), so the fixpoint
     * still terminates; a counter far from its bound (`i < 1000`) is
     * merged at once, as before. */
    int apart = -1, n_apart = 0;
    for (int i = 0; i < l->len; i++) {
        if (tuple_same_key(&l->items[i], t)) {
            if (counter_differs(run, &l->items[i], t)) {
                if (apart < 0) apart = i;
                n_apart++;
                continue;
            }
            if (!tuple_intersect_facts(&l->items[i], t)) return false;
            run->dirty[block] = true;
            return true;
        }
    }
    if (apart >= 0 && (n_apart >= FLOW_LOOP_VALUES || l->len >= FLOW_MAX_TUPLES)) {
        if (!tuple_intersect_facts(&l->items[apart], t)) return false;
        run->dirty[block] = true;
        return true;
    }
    if (l->len >= FLOW_MAX_TUPLES) {
        /* too many distinct states: merge into one with the same handle state */
        for (int i = 0; i < l->len; i++) {
            Tuple *o = &l->items[i];
            if (o->hs != t->hs || o->esc != t->esc) continue;
            bool grew = union_holders(o, t);
            if (grew) o->holders_merged = 1;
            bool narrowed = tuple_intersect_facts(o, t); /* both must run */
            bool changed = grew || narrowed;
            if (t->quiet && !o->quiet) {
                o->quiet = 1;
                changed = true;
            }
            if (changed) run->dirty[block] = true;
            return changed;
        }
    }
    tuple_list_push(l, t);
    run->dirty[block] = true;
    return true;
}

void flow_note(FlowRun *run, NoteKind kind, int block, int event, int in_idx, const Tuple *t,
               const Place *holder)
{
    /* the fixpoint's sweeps: what happens is not final yet, unless the
     * block's IN tuples are (noting) */
    if (!run->settled && !run->noting) return;
    FlowNote n;
    memset(&n, 0, sizeof n);
    n.kind = kind;
    n.block = block;
    n.event = event;
    n.in_tuple = in_idx;
    n.t = *t;
    if (holder) {
        n.holder = *holder;
        n.has_holder = true;
    }
    if (run->noting) VEC_PUSH(run->kept_notes, n);
    else VEC_PUSH(run->notes, n);
}

/* ---- what calls mean, for this run's resource --------------------------- */

ArgEffect flow_arg_effect(FlowRun *run, const IrCall *call, int arg)
{
    if (run->acq.res) return match_arg_effect(run->m, call, arg, run->acq.res);
    const Resource *which = NULL;
    ArgEffect e = match_arg_effect_any(run->m, call, arg, &which);
    if (which && !run->found_res) run->found_res = which;
    return e;
}

bool flow_field_release(FlowRun *run, const IrCall *call)
{
    if (run->acq.res) return match_field_release(run->m, call, run->acq.res);
    const Resource *res = match_field_release_any(run->m, call);
    if (res && !run->found_res) run->found_res = res;
    return res != NULL;
}

void flow_record_global_store(FlowRun *run, int block, int event, int var, int arg)
{
    if (run->param_var >= 0) return;
    if (run->noting) {
        /* recorded (once each) when the final pass reaches the block */
        FlowGlobalStore k = {block, event, var, arg};
        VEC_PUSH(run->kept_stores, k);
        return;
    }
    if (!run->settled) return;
    for (int i = 0; i < run->global_stores.len; i++) {
        const FlowGlobalStore *g = &run->global_stores.items[i];
        if (g->block == block && g->event == event && g->var == var && g->arg == arg) return;
    }
    FlowGlobalStore g = {block, event, var, arg};
    VEC_PUSH(run->global_stores, g);
}

void flow_pending_push(PendingStack *s, const Tuple *t, int next_event)
{
    if (s->len >= PENDING_MAX) return; /* dropping a split half only loses reports */
    s->items[s->len].t = *t;
    s->items[s->len].next_event = next_event;
    s->len++;
}
