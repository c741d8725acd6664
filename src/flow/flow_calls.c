/* flow_calls.c — what a call does to one tuple of the resource-flow engine:
 * the acquire site creates the handle (returned, through an out-parameter,
 * or initialised in place); other calls release it (perhaps refusing),
 * transfer it (perhaps only on success), alias it (helpers returning their
 * parameter) or borrow it. Uses, releases, overwritten holders and
 * dropped values are noted (flow_note) for the reporting pass, which
 * decides what is a finding. */
#include <string.h>

#include "flow/flow.h"

/* A release whose result the program tests may have refused (sqlite3_close
 * returning SQLITE_BUSY, curl_share_cleanup while in use): the refused way
 * keeps the handle, quietly (status 0 = released, by convention). */
static void maybe_refused(FlowRun *run, Tuple *t, int b, int e, PendingStack *st)
{
    const IrCall *c = &run->fn->blocks[b].events[e].u.call;
    if (t->hs == HS_RELEASED || !run->call_tested[c->id]) return;
    Place res = place_call(c->id);
    bool replacement = flow_call_returns_replacement(run, c);
    Tuple refused = *t;
    refused.quiet = 1;
    tuple_set_fact(run, &refused, &res, replacement ? FACT_EQ : FACT_NONZERO, 0, NULL, true);
    flow_pending_push(st, &refused, e + 1);
    tuple_set_fact(run, t, &res, replacement ? FACT_NONZERO : FACT_EQ, 0, NULL, true);
}

static void release(FlowRun *run, Tuple *t, int b, int e, int in_idx, const Place *h)
{
    flow_note(run, NOTE_RELEASE, b, e, in_idx, t, h);
    if (t->hs == HS_HELD || t->hs == HS_MAYBE) {
        t->hs = HS_RELEASED;
        t->rel_block = b;
        t->rel_event = e;
    }
}

/* p = malloc(...); ctx->mysql = p; mysql_init(p): the object p points to
 * is also reached through another pointer (a field, *out, a global, another
 * local) copied from p, or p was copied from one. The flow only follows
 * copies made after the acquire, so such an object is not followed at all:
 * it may be someone else's (sysbench mysql_drv_connect), or be closed
 * through the other pointer. */
static bool pointer_copied(const IrFunction *fn, int var)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind != EV_ASSIGN) continue;
            const IrRef *l = &ev->u.assign.lhs, *r = &ev->u.assign.rhs;
            if (r->kind == REF_VAR && r->var == var && !(l->kind == REF_VAR && l->var == var)) return true;
            if (l->kind == REF_VAR && l->var == var && (r->kind == REF_VAR || r->kind == REF_FIELD ||
                                                        r->kind == REF_DEREF) && r->var != var)
                return true;
        }
    return false;
}

/* mysql_init(&m) / mysql_init(p): with a non-NULL argument the call
 * initialises that object and returns it; the handle is the argument (and
 * the call's value, if used). Returns false when the argument is NULL. */
static bool in_place_target(FlowRun *run, Tuple *t, const IrCall *c)
{
    int i = run->acq.in_place_arg;
    if (i < 0 || i >= c->nargs) return false;
    const IrRef *a = &c->args[i];
    if (a->kind == REF_CONST || a->kind == REF_NONE) return false; /* NULL: allocates */
    Place p;
    IrRef r = *a;
    if (r.kind == REF_ADDR) r.kind = REF_VAR;
    else if (r.kind == REF_ADDR_FIELD) r.kind = REF_FIELD;
    if ((a->kind == REF_ADDR || a->kind == REF_ADDR_FIELD || a->kind == REF_VAR) &&
        place_from_ref(run->fn, &r, &p) && place_is_local(run->fn, &p) &&
        run->fn->vars[p.var].storage == VAR_LOCAL &&
        !(a->kind == REF_VAR && pointer_copied(run->fn, a->var))) {
        t->hs = HS_HELD;
        tuple_add_holder(t, &p);
        if (run->call_referenced[c->id]) {
            Place cp = place_call(c->id);
            tuple_add_holder(t, &cp);
        }
    } else {
        tuple_escape(t, ESC_UNKNOWN, -1); /* an object someone else owns */
    }
    return true;
}

static void acquire_event(FlowRun *run, Tuple *t, int b, int e, int in_idx)
{
    const IrCall *c = run->site_call;
    const IrBlock *blk = &run->fn->blocks[b];
    if (flow_is_live(t) && !flow_call_consumes(run, t, c)) {
        /* the same site again (a loop): does the new handle overwrite the old one? */
        Place target;
        bool have = false;
        int at = e;
        if (run->acq.result_arg < 0) {
            for (int k = e + 1; k < blk->n_events && !have; k++) {
                const IrEvent *ev = &blk->events[k];
                if (ev->kind == EV_ASSIGN && ev->u.assign.rhs.kind == REF_CALL &&
                    ev->u.assign.rhs.call == c->id) {
                    have = flow_place_of(run, &ev->u.assign.lhs, &target);
                    at = k;
                }
            }
        } else if (run->acq.result_arg < c->nargs) {
            have = flow_out_arg_place(run, &c->args[run->acq.result_arg], &target);
        }
        if (have && t->n_holders == 1 && place_equal(&t->holders[0], &target))
            flow_note(run, NOTE_OVERWRITE, b, at, in_idx, t, &target);
        /* while (PQgetResult(c) != NULL); — the previous value was only
         * tested, never stored: evaluating the call again drops it */
        if (!have && t->n_holders == 1 && t->holders[0].kind == PLACE_CALL && t->holders[0].call == c->id)
            flow_note(run, NOTE_DISCARD, b, e, in_idx, t, NULL);
    }
    t->hs = run->acq.failure == FAILURE_NEVER ? HS_HELD : HS_MAYBE;
    t->esc = ESC_NONE;
    t->esc_param = -1;
    t->quiet = 0;
    t->n_holders = 0;
    t->n_status = 0;
    t->n_pending = 0;
    t->rel_block = t->rel_event = -1;
    t->kept_block = t->kept_event = -1;
    t->lost_block = t->lost_event = -1;
    if (run->acq.result_arg < 0 && in_place_target(run, t, c)) return;
    if (run->acq.result_arg < 0) {
        if (!run->call_referenced[c->id]) {
            flow_note(run, NOTE_DISCARD, b, e, in_idx, t, NULL);
            tuple_escape(t, ESC_UNKNOWN, -1);
            return;
        }
        Place p = place_call(c->id);
        tuple_add_holder(t, &p);
        return;
    }
    if (run->acq.result_arg >= c->nargs) {
        tuple_escape(t, ESC_UNKNOWN, -1);
        return;
    }
    const IrRef *a = &c->args[run->acq.result_arg];
    Place p;
    if (flow_out_arg_place(run, a, &p)) {
        tuple_forget_place_facts(t, &p);
        tuple_add_holder(t, &p);
    } else if (a->kind == REF_VAR && a->var >= 0 && a->var < run->fn->n_vars &&
               run->fn->vars[a->var].storage == VAR_PARAM) {
        tuple_escape(t, ESC_OUTPARAM, run->fn->vars[a->var].param_index);
    } else {
        tuple_escape(t, ESC_STORE, -1);
    }
}

/* Another acquire writing into a holder through &x overwrites it. */
static void out_param_overwrite(FlowRun *run, Tuple *t, const IrCall *c, int b, int e, int in_idx)
{
    if (c->id < 0 || c->id >= run->fn->n_calls || !run->call_is_acq[c->id]) return;
    const AcquireMatch *am = &run->call_acq[c->id];
    if (am->result_arg < 0 || am->result_arg >= c->nargs) return;
    Place p;
    if (!flow_out_arg_place(run, &c->args[am->result_arg], &p)) return;
    int i = tuple_find_holder(t, &p);
    if (i < 0) return;
    bool was_live = flow_is_live(t) && !t->quiet;
    tuple_remove_holder_at(t, i);
    if (was_live && t->n_holders == 0) {
        flow_note(run, NOTE_OVERWRITE, b, e, in_idx, t, &p);
        tuple_escape(t, ESC_UNKNOWN, -1);
    }
}

/* A function of the analysed sources whose summary says it borrows arg i. */
static bool known_borrower(const FlowRun *run, const IrCall *c, int i)
{
    if (!run->m->summaries || c->callee_kind != CALLEE_DIRECT || !c->callee) return false;
    const FunctionSummary *s = summary_lookup(run->m->summaries, c->callee, run->m->caller_file);
    return s && s->params && i < s->n_params && s->params[i] == PARAM_BORROWS;
}

/* What tells a maybe-release helper's released paths from its kept ones. */
static MaybeRule maybe_rule_of(const FlowRun *run, const IrCall *c, int i)
{
    MaybeRule none = {MAYBE_BY_NOTHING, -1, MAYBE_BY_NOTHING};
    if (!run->m->summaries || c->callee_kind != CALLEE_DIRECT || !c->callee || i >= SUMMARY_MAYBE_PARAMS)
        return none;
    const FunctionSummary *s = summary_lookup(run->m->summaries, c->callee, run->m->caller_file);
    return s ? s->maybe[i] : none;
}

/* Is argument q of the call known to be 0 (1), not 0 (0), or unknown (-1)? */
static int arg_is_zero(const FlowRun *run, const Tuple *t, const IrCall *c, int q)
{
    if (q < 0 || q >= c->nargs) return -1;
    const IrRef *a = &c->args[q];
    if (a->kind == REF_CONST) return a->value == 0;
    Place p;
    if (!flow_place_of(run, a, &p)) return -1;
    const Fact *f = tuple_fact(t, &p);
    if (f && f->kind == FACT_EQ) return f->value == 0;
    if (f && f->kind == FACT_NONZERO) return 0;
    return -1;
}

/* The result's fact on each half of a split maybe-release, when the
 * helper's result tells which half (released where it returns 0, say). */
static void result_facts(FlowRun *run, Tuple *released, Tuple *kept, const IrCall *c, const MaybeRule *r)
{
    if (r->ret != MAYBE_WHEN_RET_ZERO && r->ret != MAYBE_WHEN_RET_NONZERO) return;
    Place res = place_call(c->id);
    bool zero = r->ret == MAYBE_WHEN_RET_ZERO;
    tuple_set_fact(run, released, &res, zero ? FACT_EQ : FACT_NONZERO, 0, NULL, true);
    tuple_set_fact(run, kept, &res, zero ? FACT_NONZERO : FACT_EQ, 0, NULL, true);
}

/* A helper that releases its argument on some paths only (issue 12,
 * form 14). When another argument decides (close_unless_more(fd, 0)),
 * the call releases or borrows; when that argument's value is not known
 * here, both outcomes are followed, each with what it says of the
 * argument (a later `if (!more)` in the caller goes the matching way
 * only), and the kept one is loud: where nothing releases it afterwards,
 * it leaks (the path shows the helper and its parameter). When no
 * parameter decides (a refcount, a global, a value read inside the
 * helper), the kept half is quiet: refcount unref functions are
 * everywhere and their callers do not release the rest. If the result
 * tells which half (released where it returns 0, say), both halves carry
 * that fact, so a caller that tests it and releases the rest is neither a
 * double release nor a leak; the released half then stays loud (a later
 * release there is a double release). */
static void maybe_release(FlowRun *run, Tuple *t, const IrCall *c, int i, int b, int e, int in_idx,
                          const Place *hp, PendingStack *st)
{
    if (t->hs == HS_RELEASED) {
        t->quiet = 1;
        return;
    }
    MaybeRule r = maybe_rule_of(run, c, i);
    Place ap;
    if ((r.by == MAYBE_WHEN_PARAM_ZERO || r.by == MAYBE_WHEN_PARAM_NONZERO) && r.param < c->nargs) {
        int z = arg_is_zero(run, t, c, r.param);
        if (z >= 0) {
            if ((z == 1) == (r.by == MAYBE_WHEN_PARAM_ZERO)) release(run, t, b, e, in_idx, hp);
            return;
        }
    }
    /* the argument is a variable or a call's value, whose later tests the
     * halves can follow; an expression (`flags & F`, `n > 3`) tested again
     * later could not be matched, so then both halves stay quiet */
    if ((r.by == MAYBE_WHEN_PARAM_ZERO || r.by == MAYBE_WHEN_PARAM_NONZERO) && r.param < c->nargs &&
        flow_place_of(run, &c->args[r.param], &ap)) {
        Tuple released = *t;
        release(run, &released, b, e, in_idx, hp);
        bool zero = r.by == MAYBE_WHEN_PARAM_ZERO;
        tuple_set_fact(run, &released, &ap, zero ? FACT_EQ : FACT_NONZERO, 0, NULL, true);
        tuple_set_fact(run, t, &ap, zero ? FACT_NONZERO : FACT_EQ, 0, NULL, true);
        result_facts(run, &released, t, c, &r);
        t->kept_block = b;
        t->kept_event = e;
        flow_pending_push(st, &released, e + 1);
        return;
    }
    Tuple released = *t;
    released.hs = HS_RELEASED;
    released.rel_block = b;
    released.rel_event = e;
    if (r.ret == MAYBE_WHEN_RET_ZERO || r.ret == MAYBE_WHEN_RET_NONZERO) {
        result_facts(run, &released, t, c, &r);
    } else {
        /* nothing the caller can see tells the halves apart: neither is
         * reported (no double release on the released half either) */
        released.quiet = 1;
    }
    t->quiet = 1;
    flow_pending_push(st, &released, e + 1);
}

/* The argument is a struct (or its address) one of whose fields holds it. */
static bool container_arg(const Tuple *t, const IrRef *a)
{
    return (a->kind == REF_ADDR || a->kind == REF_VAR) && flow_record_holds(t, a->var);
}

/* obj = obj_new(conn): the handle is the object's when the result is not
 * NULL, and still ours when it is. Two tuples, told apart by a fact on the
 * result; the NULL one stays quiet until the program tests the result (a
 * leak only when an allocation fails, untested, is not worth a report). */
static void transfer_on_success(FlowRun *run, Tuple *t, const IrCall *c, PendingStack *st, int e,
                                bool on_zero)
{
    Place res = place_call(c->id);
    Tuple taken = *t;
    tuple_escape(&taken, ESC_TRANSFER, -1);
    if (on_zero) tuple_set_fact(run, &taken, &res, FACT_EQ, 0, NULL, true);
    else tuple_set_fact(run, &taken, &res, FACT_NONZERO, 0, NULL, true);
    flow_pending_push(st, &taken, e + 1);
    if (on_zero) tuple_set_fact(run, t, &res, FACT_NONZERO, 0, NULL, true);
    else tuple_set_fact(run, t, &res, FACT_EQ, 0, NULL, true);
    if (!t->quiet) {
        t->quiet = 1;
        t->n_pending = 1;
        t->pending[0] = res;
    }
}

/* close_conn(&conn) where conn is a pointer: such helpers usually set
 * *pc = NULL after releasing (repmgr close_connection), so the variable no
 * longer holds the handle; a second close_conn(&conn) or a NULL test is not
 * a misuse. (A real double release through such a helper is missed:
 * precision first.) */
static void released_through_address(const FlowRun *run, Tuple *t, const IrRef *a, int h)
{
    if (t->hs != HS_RELEASED || a->kind != REF_ADDR || h < 0 || h >= t->n_holders) return;
    if (a->var < 0 || a->var >= run->fn->n_vars || !run->fn->vars[a->var].is_pointer) return;
    tuple_remove_holder_at(t, h);
}

/* A deallocator of the packs' "deallocators" (the libc pack: any callee
 * ending in "free") called on p after the release of p where the acquire
 * initialised the caller's own memory in place (mysql_init(p), then
 * mysql_close(p)): the release let go of what the library allocated, the
 * storage is still the caller's to free (sysbench, kamailio). */
static bool frees_in_place_storage(const FlowRun *run, const IrCall *c)
{
    const IrCall *site = run->site_call;
    int i = run->acq.in_place_arg;
    if (!site || run->acq.result_arg >= 0 || i < 0 || i >= site->nargs) return false;
    if (site->args[i].kind == REF_CONST || site->args[i].kind == REF_NONE) return false;
    return match_is_deallocator(run->m, c);
}

/* configure(c) returning c: the call's value is the same handle. A library
 * function of the packs' "returns_arg" (the libc pack: realloc moves its
 * first argument into the block it returns, a context grown in place into
 * a bigger one, as hiredis's async layer does): the value holds what the
 * argument held. */
static void alias_returned_param(const FlowRun *run, Tuple *t, const IrCall *c)
{
    if (c->callee_kind != CALLEE_DIRECT || !c->callee) return;
    if (t->hs == HS_NONE || t->hs == HS_ESCAPED) return;
    int param = -1;
    if (!match_returns_arg(run->m, c, &param)) {
        if (!run->m->summaries) return;
        const FunctionSummary *s = summary_lookup(run->m->summaries, c->callee, run->m->caller_file);
        if (s) param = s->returns_param;
    }
    if (param < 0 || param >= c->nargs) return;
    if (flow_ref_holder(run, t, &c->args[param]) < 0) return;
    Place p = place_call(c->id);
    tuple_add_holder(t, &p);
}

/* &h->f of a pointer variable h holding the handle: the address of a
 * member of the block itself (an embedded list or tree node). */
static bool interior_of_holder(const Tuple *t, const IrRef *r)
{
    if (r->kind != REF_ADDR_FIELD || !r->via_pointer) return false;
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind == PLACE_VAR && t->holders[i].var == r->var) return true;
    return false;
}

void flow_call_event(FlowRun *run, Tuple *t, int b, int e, int in_idx, PendingStack *st)
{
    const IrCall *c = &run->fn->blocks[b].events[e].u.call;
    if (b == run->site_block && e == run->site_event) {
        acquire_event(run, t, b, e, in_idx);
        return;
    }
    for (int i = 0; i < c->nargs; i++) {
        Place p;
        if (flow_out_arg_place(run, &c->args[i], &p)) tuple_forget_place_facts(t, &p);
    }
    tuple_forget_global_facts(run, t);
    if (t->hs != HS_HELD && t->hs != HS_MAYBE && t->hs != HS_RELEASED) return;
    flow_status_translated(run, t, c);
    alias_returned_param(run, t, c);
    if (c->callee_kind == CALLEE_MEMBER) {
        int h = flow_ref_holder(run, t, &c->base);
        if (h >= 0 && flow_field_release(run, c)) {
            Place hp = t->holders[h];
            maybe_refused(run, t, b, e, st);
            release(run, t, b, e, in_idx, &hp);
            return;
        }
    }
    for (int i = 0; i < c->nargs; i++) {
        int h = flow_ref_holder(run, t, &c->args[i]);
        if (h < 0 && container_arg(t, &c->args[i]) && t->hs != HS_RELEASED) {
            /* &ctx / ctx where ctx.db holds it: only a summary that releases
             * or takes the struct's contents changes anything */
            ArgEffect eff = flow_arg_effect(run, c, i);
            if (eff == ARG_RELEASE) {
                release(run, t, b, e, in_idx, NULL);
                return;
            }
            if (eff == ARG_TRANSFER || eff == ARG_MAYBE_RELEASE || eff == ARG_TRANSFER_ON_SUCCESS ||
                eff == ARG_TRANSFER_ON_ZERO || (c->args[i].kind == REF_ADDR && match_takes_contents(run->m, c, i))) {
                tuple_escape(t, ESC_UNKNOWN, -1);
                return;
            }
            continue;
        }
        if (h < 0 && interior_of_holder(t, &c->args[i]) && t->hs != HS_RELEASED &&
            flow_arg_effect(run, c, i) == ARG_TRANSFER) {
            /* list_add(&owner->items, &it->link): the node embedded in the
             * handle is stored away, and the handle with it (container_of) */
            flow_note(run, NOTE_USE, b, e, in_idx, t, flow_first_named_holder(t));
            tuple_escape(t, ESC_TRANSFER, -1);
            return;
        }
        if (h < 0) {
            if (flow_ref_touches(run, t, &c->args[i]))
                flow_note(run, NOTE_USE, b, e, in_idx, t, flow_first_named_holder(t));
            continue;
        }
        Place hp = t->holders[h];
        ArgEffect eff = flow_arg_effect(run, c, i);
        if (eff != ARG_BORROW && run->param_var >= 0 && c->args[i].kind == REF_FIELD)
            run->container_release = true;
        switch (eff) {
        case ARG_RELEASE:
            maybe_refused(run, t, b, e, st);
            release(run, t, b, e, in_idx, &hp);
            released_through_address(run, t, &c->args[i], h);
            return;
        case ARG_MAYBE_RELEASE:
            maybe_release(run, t, c, i, b, e, in_idx, &hp, st);
            return;
        case ARG_TRANSFER:
            flow_note(run, NOTE_USE, b, e, in_idx, t, &hp);
            if (flow_is_live(t) && !t->quiet && c->callee_kind == CALLEE_DIRECT && c->args[i].kind == REF_VAR)
                flow_record_global_store(run, b, e, -1, i); /* set(c): a setter? (global_handles.c) */
            tuple_escape(t, ESC_TRANSFER, -1);
            return;
        case ARG_TRANSFER_ON_SUCCESS:
        case ARG_TRANSFER_ON_ZERO:
            flow_note(run, NOTE_USE, b, e, in_idx, t, &hp);
            if (t->hs == HS_RELEASED) return;
            transfer_on_success(run, t, c, st, e, eff == ARG_TRANSFER_ON_ZERO);
            return;
        case ARG_BORROW:
            if (t->hs == HS_RELEASED && frees_in_place_storage(run, c)) {
                tuple_remove_holder_at(t, h);
                continue;
            }
            if (t->hs == HS_RELEASED && (c->args[i].kind == REF_ADDR || c->args[i].kind == REF_ADDR_FIELD)) {
                /* get_reply(c, &r) after free(r): refills r, not a use */
                tuple_remove_holder_at(t, h);
                continue;
            }
            flow_note(run, NOTE_USE, b, e, in_idx, t, &hp);
            if (c->args[i].kind == REF_VAR && t->hs != HS_RELEASED && c->id >= 0 && c->id < run->fn->n_calls &&
                run->call_tested[c->id] && match_callee_unknown(run->m, c))
                t->handed = 1;
            if (hp.kind == PLACE_CALL && c->args[i].kind == REF_CALL && t->hs != HS_RELEASED &&
                !known_borrower(run, c, i)) {
                /* wrap(acquire()): the caller never sees the handle; unless
                 * wrap is ours and only borrows, wrap may own it now */
                tuple_escape(t, ESC_UNKNOWN, -1);
                return;
            }
            break;
        }
    }
    out_param_overwrite(run, t, c, b, e, in_idx);
}
