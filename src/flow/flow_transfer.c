/* flow_transfer.c — what the events of a block do to one tuple of the
 * resource-flow engine: assignments alias, move or overwrite the handle,
 * stores make it escape, returns hand it back, locals leave their scope;
 * uses and lost last holders are noted for the reporting pass
 * (flow_reporting.c decides what is a finding). Calls are in flow_calls.c
 * and terminators in flow_exits.c, the holder helpers they share in
 * flow_holders.c. Also the driver of one block. No CFG walking here. */
#include <string.h>

#include "flow/flow.h"

/* Copies the holders that lie inside record `src` to the same fields of `dst`. */
static bool copy_record_holders(Tuple *t, int src, int dst)
{
    bool any = false;
    int n = t->n_holders;
    for (int i = 0; i < n; i++) {
        if (t->holders[i].kind != PLACE_FIELD || t->holders[i].var != src) continue;
        Place q = t->holders[i];
        q.var = dst;
        if (!tuple_add_holder(t, &q)) return false;
        any = true;
    }
    return any;
}

/* x = y: what is known of y's value is known of x's (and x joins y as a
 * result whose test makes a quiet tuple loud). */
static void copy_value_facts(const FlowRun *run, Tuple *t, const IrRef *rhs, const Place *lhs)
{
    Place rp;
    if (!flow_place_of(run, rhs, &rp)) return;
    const Fact *f = tuple_fact(t, &rp);
    if (f && (f->kind == FACT_EQ || f->kind == FACT_NONZERO)) {
        Fact copy = *f;
        tuple_set_fact(run, t, lhs, (FactKind)copy.kind, copy.value, NULL, copy.tested);
    }
    for (int i = 0; i < t->n_pending; i++) {
        if (place_equal(&t->pending[i], &rp) && t->n_pending < 2) {
            t->pending[t->n_pending++] = *lhs;
            break;
        }
    }
}

/* `i++`, `i += K` on a variable known to hold a small constant: its new
 * value. Bounded (FLOW_COUNTER_LIMIT), so a loop that counts without end
 * loses the fact instead of growing it: every key's facts only weaken at
 * the loop head, and the fixpoint terminates. */
static bool counter_value(const Tuple *t, const Place *p, long long add, long long *out)
{
    const Fact *f = tuple_fact(t, p);
    if (!f || f->kind != FACT_EQ) return false;
    long long v = f->value + add;
    if (v > FLOW_COUNTER_LIMIT || v < -FLOW_COUNTER_LIMIT) return false;
    *out = v;
    return true;
}

/* `p = realloc(p, n)` over the only holder of the old block: a call of the
 * packs' "returns_arg" (it consumes argument N and returns its
 * replacement, NULL when it fails) whose value is stored into the very
 * place it consumed. When the call fails, the old handle is still held and
 * nothing points at it any more. That way goes on as its own tuple, with
 * the place known to be NULL: an exit it reaches reports the loss at the
 * call (flow_reporting.c); a failure way that ends the program (exit(),
 * abort(), a project function that never returns) reaches no exit. Only
 * for a handle known to be held (a block that may be NULL loses nothing)
 * and with no other holder (`old = p; p = realloc(p, n);` keeps it). */
static void fork_replace_failure(FlowRun *run, const Tuple *t, const IrRef *rhs, const Place *L, int b, int e,
                                 PendingStack *st)
{
    if (!st || run->param_var >= 0 || t->hs != HS_HELD || t->quiet || t->n_pending) return;
    if (rhs->kind != REF_CALL || rhs->call < 0 || rhs->call >= run->fn->n_calls) return;
    const IrCall *c = run->calls[rhs->call];
    int param = -1;
    bool never_null = false;
    if (!c || c->callee_kind != CALLEE_DIRECT || !match_returns_arg_ex(run->m, c, &param, &never_null) ||
        never_null)
        return;
    if (param < 0 || param >= c->nargs) return;
    Place A;
    if (!flow_place_of(run, &c->args[param], &A) || !place_equal(&A, L)) return;
    if (tuple_find_holder(t, L) < 0) return;
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind != PLACE_CALL && !place_equal(&t->holders[i], L)) return;
    Tuple fail = *t;
    tuple_forget_place(&fail, L);
    for (int i = fail.n_holders - 1; i >= 0; i--)
        if (fail.holders[i].kind == PLACE_CALL) tuple_remove_holder_at(&fail, i);
    if (fail.n_holders) return;
    tuple_set_fact(run, &fail, L, FACT_EQ, 0, NULL, false);
    fail.lost_block = b;
    fail.lost_event = e;
    fail.lost_place = *L;
    flow_pending_push(st, &fail, e + 1);
}

/* Summaries: `cell->params = *p` copies what parameter p points to, whole,
 * into a place that outlives the function. When the caller passes the
 * address of a struct whose fields hold handles, they are stored away (a
 * transfer by struct copy; the helper usually clears the caller's fields
 * next). Only noted here: p itself is not stored, so a handle passed as p
 * is still the caller's (FunctionSummary.takes_contents). */
static void note_contents_stored(FlowRun *run, const Tuple *t, const IrRef *lhs, const IrRef *rhs, bool lhs_local)
{
    if (run->param_var < 0 || rhs->kind != REF_DEREF || rhs->var != run->param_var || lhs_local) return;
    if (!flow_is_live(t) || !flow_lhs_stores_away(run, lhs)) return;
    Place p = {PLACE_VAR, run->param_var, NULL, -1};
    if (tuple_find_holder(t, &p) >= 0) run->contents_stored = true;
}

static void assign_event(FlowRun *run, Tuple *t, int b, int e, int in_idx, PendingStack *st)
{
    const IrEvent *ev = &run->fn->blocks[b].events[e];
    const IrRef *lhs = &ev->u.assign.lhs, *rhs = &ev->u.assign.rhs;
    Place L;
    bool lhs_place = flow_place_of(run, lhs, &L) && L.kind != PLACE_CALL;
    bool lhs_local = lhs_place && place_is_local(run->fn, &L);
    note_contents_stored(run, t, lhs, rhs, lhs_local);

    int h = t->hs == HS_NONE ? -1 : flow_ref_holder(run, t, rhs);
    /* summaries: `p = p->next` walks parameter p off the object the caller
     * passed (a list freed node by node through a copy: tmp = p; p =
     * p->next; free(tmp);). The member stands for the caller's struct
     * contents only where it is released, stored or returned; stored back
     * into p itself it is another object, so p no longer holds the handle. */
    if (h >= 0 && run->param_var >= 0 && rhs->kind == REF_FIELD && rhs->var == run->param_var && lhs_place &&
        L.kind == PLACE_VAR && L.var == run->param_var && place_equal(&t->holders[h], &L))
        h = -1;
    bool rhs_record = t->hs != HS_NONE && rhs->kind == REF_VAR && flow_record_holds(t, rhs->var);
    if (t->hs != HS_NONE && t->hs != HS_ESCAPED && rhs->kind == REF_ADDR && rhs->var >= 0 &&
        rhs->var < run->fn->n_vars && !(h >= 0 && run->fn->vars[rhs->var].is_record) &&
        (h >= 0 || flow_record_holds(t, rhs->var))) {
        /* pp = &conn, p = &ctx: reached through a pointer the analysis does
         * not follow (a session record's address, sp = &s, is followed) */
        tuple_escape(t, ESC_UNKNOWN, -1);
        return;
    }
    if (h >= 0 && lhs_place && place_equal(&t->holders[h], &L)) return; /* c = c */
    if (h >= 0 && run->param_var >= 0 && t->holders[h].kind == PLACE_VAR && t->holders[h].var == run->param_var &&
        lhs->var == run->param_var && (lhs->kind == REF_DEREF || (lhs->kind == REF_FIELD && lhs->via_pointer)))
        return; /* summary of list_init(n): n->next = n (an empty ring) keeps the
                   parameter inside itself, it stores it nowhere else */
    /* `p++`, `p += 16`, `*p++ = 1` on the pointer that holds a block: p
     * still points into it (a header in front of what is returned, freed
     * later as p - 16): the block is not lost, but where p points is no
     * longer followed. With another holder (q = p; while (*q) q++;) that
     * one still holds it and p is merely dropped, as any overwrite does. */
    if (ev->u.assign.adds && lhs_place && L.kind == PLACE_VAR && L.var >= 0 && L.var < run->fn->n_vars &&
        run->fn->vars[L.var].is_pointer && flow_is_live(t) && tuple_find_holder(t, &L) >= 0 &&
        t->n_holders == 1) {
        tuple_escape(t, ESC_UNKNOWN, -1);
        return;
    }

    bool status_copy = false;
    if (t->hs != HS_NONE && t->hs != HS_ESCAPED) {
        if (rhs->kind == REF_CALL && run->site_call && rhs->call == run->site_call->id) status_copy = true;
        Place rp;
        if (flow_place_of(run, rhs, &rp))
            for (int i = 0; i < t->n_status; i++)
                if (place_equal(&t->status[i], &rp)) status_copy = true;
    }

    long long counted = 0;
    bool counts = ev->u.assign.adds && lhs_place && counter_value(t, &L, ev->u.assign.add, &counted);
    if (lhs_local) fork_replace_failure(run, t, rhs, &L, b, e, st);
    bool was_live = flow_is_live(t) && !t->quiet;
    int holders_before = t->n_holders;
    Place held_by_call = {0};
    bool from_call = h >= 0 && t->holders[h].kind == PLACE_CALL;
    if (from_call) held_by_call = t->holders[h];

    if (lhs_place) {
        if (lhs_local) tuple_forget_place(t, &L);
        else tuple_forget_place_facts(t, &L);
    }

    if (h >= 0 || rhs_record) {
        if (lhs_local && L.kind == PLACE_VAR && rhs_record) {
            if (!copy_record_holders(t, rhs->var, L.var)) tuple_escape(t, ESC_UNKNOWN, -1);
        } else if (lhs_local && run->addr_taken[L.var]) {
            /* reachable through a pointer taken elsewhere (jp = &j): not followed */
            tuple_escape(t, ESC_UNKNOWN, -1);
        } else if (lhs_local && h >= 0) {
            if (from_call) {
                int ci = tuple_find_holder(t, &held_by_call);
                if (ci >= 0) tuple_remove_holder_at(t, ci);
            }
            if (!tuple_add_holder(t, &L)) tuple_escape(t, ESC_UNKNOWN, -1);
        } else {
            if (was_live && h >= 0 && !from_call && lhs->kind == REF_VAR && lhs->var >= 0 &&
                lhs->var < run->fn->n_vars && run->fn->vars[lhs->var].storage == VAR_GLOBAL)
                flow_record_global_store(run, b, e, lhs->var, -1); /* g = c (global_handles.c) */
            flow_escape_into(run, t, lhs);
        }
    } else if (was_live && holders_before > 0 && t->n_holders == 0) {
        /* `if (set_entry(o, s) != OK) goto fail; s = NULL;` with set_entry's
         * body not analysed: the program says set_entry took it (a
         * descriptor is cleared with -1: `ops->set_sock(o, fd); fd = -1;`) */
        if (!(t->handed && rhs->kind == REF_CONST && (rhs->value == 0 || rhs->value == -1)))
            flow_note(run, NOTE_OVERWRITE, b, e, in_idx, t, &L);
        tuple_escape(t, ESC_UNKNOWN, -1);
    }

    if (status_copy && lhs_local && L.kind == PLACE_VAR) tuple_add_status(t, &L);
    if (lhs_place && rhs->kind == REF_CONST) tuple_set_fact(run, t, &L, FACT_EQ, rhs->value, NULL, false);
    else if (counts) tuple_set_fact(run, t, &L, FACT_EQ, counted, NULL, false);
    else if (lhs_place) copy_value_facts(run, t, rhs, &L);
}

static void assign_cond_event(FlowRun *run, Tuple *t, int b, int e, PendingStack *st)
{
    const IrEvent *ev = &run->fn->blocks[b].events[e];
    const IrCond *cond = &ev->u.assign_cond.cond;
    Place L;
    bool lhs_place = flow_place_of(run, &ev->u.assign_cond.lhs, &L) && L.kind != PLACE_CALL;
    if (!lhs_place) return;
    if (place_is_local(run->fn, &L)) tuple_forget_place(t, &L);
    else tuple_forget_place_facts(t, &L);
    Tuple yes = *t, no = *t;
    bool can_yes = flow_apply_cond(run, &yes, cond, true);
    bool can_no = flow_apply_cond(run, &no, cond, false);
    if (can_yes && can_no) {
        if (yes.hs != no.hs) {
            tuple_set_fact(run, &yes, &L, FACT_EQ, 1, NULL, false);
            tuple_set_fact(run, &no, &L, FACT_EQ, 0, NULL, false);
            *t = yes;
            flow_pending_push(st, &no, e + 1);
        } else if (cond->known && cond->ref.kind != REF_CONST) {
            tuple_set_fact(run, t, &L, FACT_FLAG, 0, cond, false);
        }
    } else if (can_yes) {
        *t = yes;
        tuple_set_fact(run, t, &L, FACT_EQ, 1, NULL, false);
    } else if (can_no) {
        *t = no;
        tuple_set_fact(run, t, &L, FACT_EQ, 0, NULL, false);
    }
}

static void use_event(FlowRun *run, Tuple *t, int b, int e, int in_idx)
{
    const IrRef *r = &run->fn->blocks[b].events[e].u.use.ref;
    if (flow_ref_touches(run, t, r)) flow_note(run, NOTE_USE, b, e, in_idx, t, flow_first_named_holder(t));
}

/* A struct returned by value may carry the handle in an expression the IR
 * does not break down (a compound literal): stay silent then. */
static bool returns_record(const IrFunction *fn)
{
    const char *t = fn->return_type;
    return !fn->returns_pointer && t && !strchr(t, '*') && (strstr(t, "struct ") || strstr(t, "union "));
}

/* `return reply->integer;` from a function returning a number: a member
 * read through the handle, not the handle (a pointer member, or a struct
 * returned by value, may still carry it away). */
static bool scalar_member(const IrFunction *fn, const IrRef *v)
{
    if (v->kind != REF_FIELD || fn->returns_pointer) return false;
    const char *t = fn->return_type;
    return t && !strchr(t, '*') && !strstr(t, "struct ") && !strstr(t, "union ") && strcmp(t, "void") != 0;
}

static void return_event(FlowRun *run, Tuple *t, int b, int e)
{
    (void)b;
    (void)e;
    const IrRef *v = &run->fn->blocks[b].events[e].u.ret.value;
    if (t->hs == HS_NONE || t->hs == HS_ESCAPED) return;
    if (v->kind == REF_DEREF) return;
    bool returned = flow_ref_holder(run, t, v) >= 0 || (flow_ref_touches(run, t, v) && !scalar_member(run->fn, v)) ||
                    (v->kind == REF_VAR && flow_record_holds(t, v->var)) ||
                    (v->kind == REF_OTHER && returns_record(run->fn)); /* (struct s){ .c = c } */
    if (returned) tuple_escape(t, ESC_RETURN, -1);
}

/* A local that leaves its scope (SPEC §1: "goes out of scope at the end of
 * its block"): a cleanup variable's cleanup releases it; any other local and
 * its fields stop holding, and the last holder of a live handle leaving is a
 * leak here — at the block's closing brace, or at the break, continue or
 * goto that leaves the block. */
static void scope_end_event(FlowRun *run, Tuple *t, int b, int e, int in_idx)
{
    int v = run->fn->blocks[b].events[e].u.scope.var;
    if (v < 0 || v >= run->fn->n_vars) return;
    /* what was known of its value no longer matters: room for facts that
     * do (a logging macro's block-local level variables, say) */
    Place gone = {PLACE_VAR, v, NULL, -1};
    tuple_forget_facts_on(t, &gone);
    if (run->fn->vars[v].cleanup_fn) {
        Place p = {PLACE_VAR, v, NULL, -1};
        int i = tuple_find_holder(t, &p);
        if (i < 0) return;
        if (flow_is_live(t)) {
            /* the cleanup attribute releases it (assumed: precision first) */
            t->hs = HS_RELEASED;
            t->rel_block = b;
            t->rel_event = e;
        } else {
            tuple_remove_holder_at(t, i);
        }
        return;
    }
    bool was_live = flow_is_live(t) && !t->quiet;
    int holders_before = t->n_holders;
    Place last = {0};
    bool removed = false;
    for (int i = t->n_holders - 1; i >= 0; i--) {
        const Place *h = &t->holders[i];
        if ((h->kind == PLACE_VAR || h->kind == PLACE_FIELD) && h->var == v) {
            if (!removed) last = *h;
            removed = true;
            tuple_remove_holder_at(t, i);
        }
    }
    if (removed && was_live && holders_before > 0 && t->n_holders == 0 && !run->addr_taken[v]) {
        flow_note(run, NOTE_OUT_OF_SCOPE, b, e, in_idx, t, &last);
        tuple_escape(t, ESC_UNKNOWN, -1);
    }
}

/* Runs one event; returns false when the tuple's path dies here. */
static void run_event(FlowRun *run, Tuple *t, int b, int e, int in_idx, PendingStack *st)
{
    switch (run->fn->blocks[b].events[e].kind) {
    case EV_CALL: flow_call_event(run, t, b, e, in_idx, st); break;
    case EV_ASSIGN: assign_event(run, t, b, e, in_idx, st); break;
    case EV_ASSIGN_COND: assign_cond_event(run, t, b, e, st); break;
    case EV_USE: use_event(run, t, b, e, in_idx); break;
    case EV_RETURN: return_event(run, t, b, e); break;
    case EV_SCOPE_END: scope_end_event(run, t, b, e, in_idx); break;
    case EV_FUNC_REF: break;
    }
}

void flow_transfer_block(FlowRun *run, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    PendingStack st;
    st.len = 0;
    /* one copy per tuple and block: the IN list may grow (a self loop)
     * while it runs, and the events change it; the terminator may then
     * use the copy as its scratch */
    Pending p;
    p.t = run->in[b].items[in_idx];
    p.next_event = 0;
    for (;;) {
        for (int e = p.next_event; e < blk->n_events; e++) run_event(run, &p.t, b, e, in_idx, &st);
        flow_terminate(run, &p.t, b, in_idx);
        if (st.len == 0) break;
        p = st.items[--st.len];
    }
}
