/* flow_transfer.c — what each IR event and terminator does to one tuple of
 * the resource-flow engine: the acquire site creates the handle, calls
 * release / transfer / borrow it, assignments alias, move or overwrite it,
 * returns and stores make it escape, branches refine it (and drop infeasible
 * successors). Leaks, double releases and uses after release are recorded
 * through flow_report() (only in the final pass). No CFG walking here. */
#include <string.h>

#include "flow.h"

#define PENDING_MAX 16

typedef struct {
    Tuple t;
    int next_event;
} Pending;

typedef struct {
    Pending items[PENDING_MAX];
    int len;
} PendingStack;

static void pending_push(PendingStack *s, const Tuple *t, int next_event)
{
    if (s->len >= PENDING_MAX) return; /* dropping a split half only loses reports */
    s->items[s->len].t = *t;
    s->items[s->len].next_event = next_event;
    s->len++;
}

static bool is_live(const Tuple *t) { return t->hs == HS_HELD || t->hs == HS_MAYBE; }

static bool place_matches_ref_base(const Place *h, const IrRef *r)
{
    switch (r->kind) {
    case REF_VAR:
    case REF_ADDR:
    case REF_DEREF: return h->kind == PLACE_VAR && h->var == r->var;
    case REF_FIELD:
    case REF_ADDR_FIELD:
        if (h->kind == PLACE_FIELD && !r->via_pointer)
            return h->var == r->var && h->field && r->field && strcmp(h->field, r->field) == 0;
        return false;
    case REF_CALL: return h->kind == PLACE_CALL && h->call == r->call;
    default: return false;
    }
}

int flow_ref_holder(const FlowRun *run, const Tuple *t, const IrRef *r)
{
    if (r->kind == REF_DEREF) return -1;
    for (int i = 0; i < t->n_holders; i++) {
        const Place *h = &t->holders[i];
        if (place_matches_ref_base(h, r)) return i;
        /* summaries: a parameter p whose member p->f is released, stored or
         * returned stands for what the caller keeps in that struct */
        if (run->param_var >= 0 && r->kind == REF_FIELD && r->via_pointer && h->kind == PLACE_VAR &&
            h->var == r->var && h->var == run->param_var)
            return i;
    }
    return -1;
}

/* r names the handle or reads something inside what holds it. */
bool flow_ref_touches(const FlowRun *run, const Tuple *t, const IrRef *r)
{
    (void)run;
    for (int i = 0; i < t->n_holders; i++) {
        const Place *h = &t->holders[i];
        if (place_matches_ref_base(h, r)) return true;
        if ((r->kind == REF_FIELD || r->kind == REF_ADDR_FIELD) && h->var == r->var) {
            if (h->kind == PLACE_VAR) return true; /* s.f, p->f of the holder */
            if (h->kind == PLACE_FIELD && !r->via_pointer && r->field && h->field) {
                size_t n = strlen(h->field);
                if (strncmp(r->field, h->field, n) == 0 && r->field[n] == '.') return true;
            }
        }
        if (r->kind == REF_DEREF && h->kind == PLACE_VAR && h->var == r->var) return true;
    }
    return false;
}

static const Place *first_named_holder(const Tuple *t)
{
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind != PLACE_CALL) return &t->holders[i];
    return t->n_holders ? &t->holders[0] : NULL;
}

/* A release whose result the program tests may have refused (sqlite3_close
 * returning SQLITE_BUSY, curl_share_cleanup while in use): the refused way
 * keeps the handle, quietly (status 0 = released, by convention). */
static void maybe_refused(FlowRun *run, Tuple *t, int b, int e, PendingStack *st)
{
    const IrCall *c = &run->fn->blocks[b].events[e].u.call;
    if (t->hs == HS_RELEASED || !run->call_tested[c->id]) return;
    Place res = place_call(c->id);
    Tuple refused = *t;
    refused.quiet = 1;
    tuple_set_fact(run, &refused, &res, FACT_NONZERO, 0, NULL, true);
    pending_push(st, &refused, e + 1);
    tuple_set_fact(run, t, &res, FACT_EQ, 0, NULL, true);
}

static void release(FlowRun *run, Tuple *t, int b, int e, int in_idx, const Place *h)
{
    if (t->hs == HS_RELEASED) {
        if (!t->quiet) flow_report(run, REP_DOUBLE_RELEASE, b, e, in_idx, t, h);
        return;
    }
    if (t->hs == HS_HELD || t->hs == HS_MAYBE) {
        t->hs = HS_RELEASED;
        t->rel_block = b;
        t->rel_event = e;
    }
}

/* The place an out-parameter argument writes: &x, &x.f of a local. */
static bool out_arg_place(const FlowRun *run, const IrRef *a, Place *p)
{
    IrRef r = *a;
    if (r.kind == REF_ADDR) r.kind = REF_VAR;
    else if (r.kind == REF_ADDR_FIELD) r.kind = REF_FIELD;
    else return false;
    return place_from_ref(run->fn, &r, p) && place_is_local(run->fn, p);
}

/* Where a handle stored into `lhs` (not a local place) goes. */
static void escape_into(FlowRun *run, Tuple *t, const IrRef *lhs)
{
    const IrFunction *fn = run->fn;
    int v = lhs->var;
    bool param = v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_PARAM;
    bool global = v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_GLOBAL;
    if (lhs->kind == REF_DEREF && param) tuple_escape(t, ESC_OUTPARAM, fn->vars[v].param_index);
    else if (global || ((lhs->kind == REF_FIELD || lhs->kind == REF_DEREF) && (param || lhs->via_pointer)))
        tuple_escape(t, ESC_STORE, -1);
    else
        tuple_escape(t, ESC_UNKNOWN, -1);
}

/* ---- the acquire site ------------------------------------------------ */

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
        run->fn->vars[p.var].storage == VAR_LOCAL) {
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
    if (is_live(t) && !t->quiet) {
        /* the same site again (a loop): does the new handle overwrite the old one? */
        Place target;
        bool have = false;
        int at = e;
        if (run->acq.result_arg < 0) {
            for (int k = e + 1; k < blk->n_events && !have; k++) {
                const IrEvent *ev = &blk->events[k];
                if (ev->kind == EV_ASSIGN && ev->u.assign.rhs.kind == REF_CALL &&
                    ev->u.assign.rhs.call == c->id) {
                    have = place_from_ref(run->fn, &ev->u.assign.lhs, &target);
                    at = k;
                }
            }
        } else if (run->acq.result_arg < c->nargs) {
            have = out_arg_place(run, &c->args[run->acq.result_arg], &target);
        }
        if (have && t->n_holders == 1 && place_equal(&t->holders[0], &target))
            flow_report(run, REP_LEAK_OVERWRITE, b, at, in_idx, t, &target);
    }
    t->hs = run->acq.failure == FAILURE_NEVER ? HS_HELD : HS_MAYBE;
    t->esc = ESC_NONE;
    t->esc_param = -1;
    t->quiet = 0;
    t->n_holders = 0;
    t->n_status = 0;
    t->n_pending = 0;
    t->rel_block = t->rel_event = -1;
    if (run->acq.result_arg < 0 && in_place_target(run, t, c)) return;
    if (run->acq.result_arg < 0) {
        if (!run->call_referenced[c->id]) {
            flow_report(run, REP_LEAK_DISCARD, b, e, in_idx, t, NULL);
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
    if (out_arg_place(run, a, &p)) {
        tuple_forget_place_facts(t, &p);
        tuple_add_holder(t, &p);
    } else if (a->kind == REF_VAR && a->var >= 0 && a->var < run->fn->n_vars &&
               run->fn->vars[a->var].storage == VAR_PARAM) {
        tuple_escape(t, ESC_OUTPARAM, run->fn->vars[a->var].param_index);
    } else {
        tuple_escape(t, ESC_STORE, -1);
    }
}

/* ---- calls ------------------------------------------------------------ */

/* Another acquire writing into a holder through &x overwrites it. */
static void out_param_overwrite(FlowRun *run, Tuple *t, const IrCall *c, int b, int e, int in_idx)
{
    if (c->id < 0 || c->id >= run->fn->n_calls || !run->call_is_acq[c->id]) return;
    const AcquireMatch *am = &run->call_acq[c->id];
    if (am->result_arg < 0 || am->result_arg >= c->nargs) return;
    Place p;
    if (!out_arg_place(run, &c->args[am->result_arg], &p)) return;
    int i = tuple_find_holder(t, &p);
    if (i < 0) return;
    bool was_live = is_live(t) && !t->quiet;
    tuple_remove_holder_at(t, i);
    if (was_live && t->n_holders == 0) {
        flow_report(run, REP_LEAK_OVERWRITE, b, e, in_idx, t, &p);
        tuple_escape(t, ESC_UNKNOWN, -1);
    }
}

static bool record_holds(const Tuple *t, int var);

/* A function of the analysed sources whose summary says it borrows arg i. */
static bool known_borrower(const FlowRun *run, const IrCall *c, int i)
{
    if (!run->m->summaries || c->callee_kind != CALLEE_DIRECT || !c->callee) return false;
    const FunctionSummary *s = summary_lookup(run->m->summaries, c->callee, run->m->caller_file);
    return s && s->params && i < s->n_params && s->params[i] == PARAM_BORROWS;
}

/* The argument is a struct (or its address) one of whose fields holds it. */
static bool container_arg(const Tuple *t, const IrRef *a)
{
    return (a->kind == REF_ADDR || a->kind == REF_VAR) && record_holds(t, a->var);
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
    pending_push(st, &taken, e + 1);
    if (on_zero) tuple_set_fact(run, t, &res, FACT_NONZERO, 0, NULL, true);
    else tuple_set_fact(run, t, &res, FACT_EQ, 0, NULL, true);
    if (!t->quiet) {
        t->quiet = 1;
        t->n_pending = 1;
        t->pending[0] = res;
    }
}

/* configure(c) returning c: the call's value is the same handle. */
static void alias_returned_param(const FlowRun *run, Tuple *t, const IrCall *c)
{
    if (!run->m->summaries || c->callee_kind != CALLEE_DIRECT || !c->callee) return;
    if (t->hs == HS_NONE || t->hs == HS_ESCAPED) return;
    const FunctionSummary *s = summary_lookup(run->m->summaries, c->callee, run->m->caller_file);
    if (!s || s->returns_param < 0 || s->returns_param >= c->nargs) return;
    if (flow_ref_holder(run, t, &c->args[s->returns_param]) < 0) return;
    Place p = place_call(c->id);
    tuple_add_holder(t, &p);
}

static void call_event(FlowRun *run, Tuple *t, int b, int e, int in_idx, PendingStack *st)
{
    const IrCall *c = &run->fn->blocks[b].events[e].u.call;
    if (b == run->site_block && e == run->site_event) {
        acquire_event(run, t, b, e, in_idx);
        return;
    }
    for (int i = 0; i < c->nargs; i++) {
        Place p;
        if (out_arg_place(run, &c->args[i], &p)) tuple_forget_place_facts(t, &p);
    }
    tuple_forget_global_facts(run, t);
    if (t->hs != HS_HELD && t->hs != HS_MAYBE && t->hs != HS_RELEASED) return;
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
                eff == ARG_TRANSFER_ON_ZERO) {
                tuple_escape(t, ESC_UNKNOWN, -1);
                return;
            }
            continue;
        }
        if (h < 0) {
            if (t->hs == HS_RELEASED && !t->quiet && flow_ref_touches(run, t, &c->args[i]))
                flow_report(run, REP_USE_AFTER_RELEASE, b, e, in_idx, t, first_named_holder(t));
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
            return;
        case ARG_MAYBE_RELEASE:
            if (t->hs != HS_RELEASED) {
                /* a helper that releases on some paths only (its summary
                 * says maybe): both outcomes are followed, neither is
                 * reported (no leak on the kept half, no double release on
                 * the released half): precision first */
                Tuple released = *t;
                released.hs = HS_RELEASED;
                released.quiet = 1;
                released.rel_block = b;
                released.rel_event = e;
                pending_push(st, &released, e + 1);
            }
            t->quiet = 1;
            return;
        case ARG_TRANSFER:
            if (t->hs == HS_RELEASED && !t->quiet)
                flow_report(run, REP_USE_AFTER_RELEASE, b, e, in_idx, t, &hp);
            tuple_escape(t, ESC_TRANSFER, -1);
            return;
        case ARG_TRANSFER_ON_SUCCESS:
        case ARG_TRANSFER_ON_ZERO:
            if (t->hs == HS_RELEASED) {
                if (!t->quiet) flow_report(run, REP_USE_AFTER_RELEASE, b, e, in_idx, t, &hp);
                return;
            }
            transfer_on_success(run, t, c, st, e, eff == ARG_TRANSFER_ON_ZERO);
            return;
        case ARG_BORROW:
            if (t->hs == HS_RELEASED && (c->args[i].kind == REF_ADDR || c->args[i].kind == REF_ADDR_FIELD)) {
                /* get_reply(c, &r) after free(r): refills r, not a use */
                tuple_remove_holder_at(t, h);
                continue;
            }
            if (t->hs == HS_RELEASED && !t->quiet) {
                flow_report(run, REP_USE_AFTER_RELEASE, b, e, in_idx, t, &hp);
            } else if (hp.kind == PLACE_CALL && c->args[i].kind == REF_CALL && t->hs != HS_RELEASED &&
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

/* ---- assignments ------------------------------------------------------- */

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

static bool record_holds(const Tuple *t, int var)
{
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind == PLACE_FIELD && t->holders[i].var == var) return true;
    return false;
}

/* x = y: what is known of y's value is known of x's (and x joins y as a
 * result whose test makes a quiet tuple loud). */
static void copy_value_facts(const FlowRun *run, Tuple *t, const IrRef *rhs, const Place *lhs)
{
    Place rp;
    if (!place_from_ref(run->fn, rhs, &rp)) return;
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

static void assign_event(FlowRun *run, Tuple *t, int b, int e, int in_idx)
{
    const IrEvent *ev = &run->fn->blocks[b].events[e];
    const IrRef *lhs = &ev->u.assign.lhs, *rhs = &ev->u.assign.rhs;
    Place L;
    bool lhs_place = place_from_ref(run->fn, lhs, &L) && L.kind != PLACE_CALL;
    bool lhs_local = lhs_place && place_is_local(run->fn, &L);

    int h = t->hs == HS_NONE ? -1 : flow_ref_holder(run, t, rhs);
    bool rhs_record = t->hs != HS_NONE && rhs->kind == REF_VAR && record_holds(t, rhs->var);
    if (t->hs != HS_NONE && t->hs != HS_ESCAPED && rhs->kind == REF_ADDR && rhs->var >= 0 &&
        rhs->var < run->fn->n_vars && !(h >= 0 && run->fn->vars[rhs->var].is_record) &&
        (h >= 0 || record_holds(t, rhs->var))) {
        /* pp = &conn, p = &ctx: reached through a pointer the analysis does
         * not follow (a session record's address, sp = &s, is followed) */
        tuple_escape(t, ESC_UNKNOWN, -1);
        return;
    }
    if (h >= 0 && lhs_place && place_equal(&t->holders[h], &L)) return; /* c = c */

    bool status_copy = false;
    if (t->hs != HS_NONE && t->hs != HS_ESCAPED) {
        if (rhs->kind == REF_CALL && run->site_call && rhs->call == run->site_call->id) status_copy = true;
        Place rp;
        if (place_from_ref(run->fn, rhs, &rp))
            for (int i = 0; i < t->n_status; i++)
                if (place_equal(&t->status[i], &rp)) status_copy = true;
    }

    bool was_live = is_live(t) && !t->quiet;
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
            escape_into(run, t, lhs);
        }
    } else if (was_live && holders_before > 0 && t->n_holders == 0) {
        flow_report(run, REP_LEAK_OVERWRITE, b, e, in_idx, t, &L);
        tuple_escape(t, ESC_UNKNOWN, -1);
    }

    if (status_copy && lhs_local && L.kind == PLACE_VAR) tuple_add_status(t, &L);
    if (lhs_place && rhs->kind == REF_CONST) tuple_set_fact(run, t, &L, FACT_EQ, rhs->value, NULL, false);
    else if (lhs_place) copy_value_facts(run, t, rhs, &L);
}

static void assign_cond_event(FlowRun *run, Tuple *t, int b, int e, PendingStack *st)
{
    const IrEvent *ev = &run->fn->blocks[b].events[e];
    const IrCond *cond = &ev->u.assign_cond.cond;
    Place L;
    bool lhs_place = place_from_ref(run->fn, &ev->u.assign_cond.lhs, &L) && L.kind != PLACE_CALL;
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
            pending_push(st, &no, e + 1);
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
    if (t->hs == HS_RELEASED && !t->quiet && flow_ref_touches(run, t, r))
        flow_report(run, REP_USE_AFTER_RELEASE, b, e, in_idx, t, first_named_holder(t));
}

/* A struct returned by value may carry the handle in an expression the IR
 * does not break down (a compound literal): stay silent then. */
static bool returns_record(const IrFunction *fn)
{
    const char *t = fn->return_type;
    return !fn->returns_pointer && t && !strchr(t, '*') && (strstr(t, "struct ") || strstr(t, "union "));
}

static void return_event(FlowRun *run, Tuple *t, int b, int e)
{
    (void)b;
    (void)e;
    const IrRef *v = &run->fn->blocks[b].events[e].u.ret.value;
    if (t->hs == HS_NONE || t->hs == HS_ESCAPED) return;
    if (v->kind == REF_DEREF) return;
    bool returned = flow_ref_holder(run, t, v) >= 0 || flow_ref_touches(run, t, v) ||
                    (v->kind == REF_VAR && record_holds(t, v->var)) ||
                    (v->kind == REF_OTHER && returns_record(run->fn)); /* (struct s){ .c = c } */
    if (returned) tuple_escape(t, ESC_RETURN, -1);
}

static void scope_end_event(FlowRun *run, Tuple *t, int b, int e)
{
    int v = run->fn->blocks[b].events[e].u.scope.var;
    if (v < 0 || v >= run->fn->n_vars) return;
    Place p = {PLACE_VAR, v, NULL, -1};
    int i = tuple_find_holder(t, &p);
    if (i < 0) return;
    if (run->fn->vars[v].cleanup_fn && is_live(t)) {
        /* the cleanup attribute releases it (assumed: precision first) */
        t->hs = HS_RELEASED;
        t->rel_block = b;
        t->rel_event = e;
    } else {
        tuple_remove_holder_at(t, i);
    }
}

/* Runs one event; returns false when the tuple's path dies here. */
static void run_event(FlowRun *run, Tuple *t, int b, int e, int in_idx, PendingStack *st)
{
    switch (run->fn->blocks[b].events[e].kind) {
    case EV_CALL: call_event(run, t, b, e, in_idx, st); break;
    case EV_ASSIGN: assign_event(run, t, b, e, in_idx); break;
    case EV_ASSIGN_COND: assign_cond_event(run, t, b, e, st); break;
    case EV_USE: use_event(run, t, b, e, in_idx); break;
    case EV_RETURN: return_event(run, t, b, e); break;
    case EV_SCOPE_END: scope_end_event(run, t, b, e); break;
    case EV_FUNC_REF: break;
    }
}

/* ---- terminators -------------------------------------------------------- */

/* `return NULL;`, or the return of a value known to be NULL on this path. */
static bool returns_null(const FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    if (blk->n_events == 0) return false;
    const IrEvent *ev = &blk->events[blk->n_events - 1];
    if (ev->kind != EV_RETURN) return false;
    const IrRef *v = &ev->u.ret.value;
    if (v->kind == REF_CONST) return v->value == 0;
    Place p;
    if (!place_from_ref(run->fn, v, &p)) return false;
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

static void exit_block(FlowRun *run, const Tuple *t, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    if (!run->reporting) return;
    note_exit(run, t, blk);
    if (!is_live(t) || t->quiet) return;
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
                first_named_holder(t));
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
    if (!place_from_ref(run->fn, &blk->switch_on, &p)) return false;
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

static void terminate(FlowRun *run, const Tuple *t, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    switch (blk->term) {
    case TERM_RETURN: exit_block(run, t, b, in_idx); return;
    case TERM_NORETURN: return;
    case TERM_BRANCH:
        if (blk->n_succ == 2) {
            Tuple yes = *t, no = *t;
            bool can_yes = flow_apply_cond(run, &yes, &blk->cond, true);
            bool can_no = flow_apply_cond(run, &no, &blk->cond, false);
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

void flow_transfer_block(FlowRun *run, int b, int in_idx)
{
    const IrBlock *blk = &run->fn->blocks[b];
    PendingStack st;
    st.len = 0;
    pending_push(&st, &run->in[b].items[in_idx], 0);
    while (st.len > 0) {
        Pending p = st.items[--st.len];
        for (int e = p.next_event; e < blk->n_events; e++) run_event(run, &p.t, b, e, in_idx, &st);
        terminate(run, &p.t, b, in_idx);
    }
}
