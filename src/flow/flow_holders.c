/* flow_holders.c — which places hold the handle of one tuple, as the
 * event and terminator files ask it: the holder a ref names, whether a ref
 * touches what holds it, the first holder with a name (for messages),
 * where an out-parameter argument writes, where a store into a non-local
 * goes. Pure functions of the run and the tuple; no events, no CFG. */
#include <string.h>

#include "flow/flow.h"

bool flow_is_live(const Tuple *t) { return t->hs == HS_HELD || t->hs == HS_MAYBE; }

static bool place_matches_ref_base(const Place *h, const IrRef *r)
{
    switch (r->kind) {
    case REF_VAR:
    case REF_ADDR: return h->kind == PLACE_VAR && h->var == r->var;
    case REF_DEREF: /* *c where c holds it; *out where *out holds it */
        return (h->kind == PLACE_VAR || h->kind == PLACE_DEREF) && h->var == r->var;
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
    if (r->kind == REF_DEREF) {
        /* `*out` of a followed out-parameter (flow_outparam.c) */
        for (int i = 0; i < t->n_holders; i++)
            if (t->holders[i].kind == PLACE_DEREF && t->holders[i].var == r->var) return i;
        return -1;
    }
    for (int i = 0; i < t->n_holders; i++) {
        const Place *h = &t->holders[i];
        if (place_matches_ref_base(h, r)) return i;
        /* summaries: a parameter p whose member p->f (or, for a struct
         * passed by value, p.f) is released, stored or returned stands for
         * what the caller keeps in that struct */
        if (run->param_var >= 0 && r->kind == REF_FIELD && h->kind == PLACE_VAR && h->var == r->var &&
            h->var == run->param_var && (r->via_pointer || run->fn->vars[h->var].is_record))
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

const Place *flow_first_named_holder(const Tuple *t)
{
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind != PLACE_CALL) return &t->holders[i];
    return t->n_holders ? &t->holders[0] : NULL;
}

/* The place an out-parameter argument writes: &x, &x.f of a local. */
bool flow_out_arg_place(const FlowRun *run, const IrRef *a, Place *p)
{
    IrRef r = *a;
    if (r.kind == REF_ADDR) r.kind = REF_VAR;
    else if (r.kind == REF_ADDR_FIELD) r.kind = REF_FIELD;
    else return false;
    return flow_place_of(run, &r, p) && place_is_local(run->fn, p);
}

/* Is `lhs` a place that outlives the function: a global, or a field or
 * pointee reached through a parameter or another pointer? */
bool flow_lhs_stores_away(const FlowRun *run, const IrRef *lhs)
{
    const IrFunction *fn = run->fn;
    int v = lhs->var;
    bool param = v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_PARAM;
    bool global = v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_GLOBAL;
    return global || ((lhs->kind == REF_FIELD || lhs->kind == REF_DEREF) && (param || lhs->via_pointer));
}

/* Where a handle stored into `lhs` (not a local place) goes. */
void flow_escape_into(FlowRun *run, Tuple *t, const IrRef *lhs)
{
    const IrFunction *fn = run->fn;
    int v = lhs->var;
    bool param = v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_PARAM;
    bool global = v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_GLOBAL;
    if (lhs->kind == REF_DEREF && param) tuple_escape(t, ESC_OUTPARAM, fn->vars[v].param_index);
    else if (flow_lhs_stores_away(run, lhs)) {
        tuple_escape(t, ESC_STORE, -1);
        if (!param && !global && lhs->kind == REF_FIELD && v >= 0 && v < fn->n_vars &&
            fn->vars[v].storage == VAR_LOCAL && fn->vars[v].is_pointer)
            t->store_var = (short)v;
    }
    else
        tuple_escape(t, ESC_UNKNOWN, -1);
}

bool flow_record_holds(const Tuple *t, int var)
{
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind == PLACE_FIELD && t->holders[i].var == var) return true;
    return false;
}
