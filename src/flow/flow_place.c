/* flow_place.c — places of the resource-flow engine: a variable, a field
 * path of a local record, the value of a call not yet stored, or `*p` of an
 * out-parameter the run follows; their equality and nesting, and the place
 * an IR ref names. The bottom of the engine: no tuples, no events. */
#include <string.h>

#include "flow/flow.h"

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool place_equal(const Place *a, const Place *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case PLACE_VAR: return a->var == b->var;
    case PLACE_FIELD: return a->var == b->var && str_eq(a->field, b->field);
    case PLACE_CALL: return a->call == b->call;
    case PLACE_DEREF: return a->var == b->var;
    }
    return false;
}

Place place_call(int call_id)
{
    Place p = {PLACE_CALL, -1, NULL, call_id};
    return p;
}

/* VAR x, FIELD x.f (not through a pointer) and CALL values are places.
 * fn may be NULL (then var indexes are not bounds-checked). */
bool place_from_ref(const IrFunction *fn, const IrRef *r, Place *out)
{
    memset(out, 0, sizeof *out);
    out->var = -1;
    out->call = -1;
    switch (r->kind) {
    case REF_VAR:
        if (r->var < 0 || (fn && r->var >= fn->n_vars)) return false;
        out->kind = PLACE_VAR;
        out->var = r->var;
        return true;
    case REF_FIELD:
        if (r->via_pointer || !r->field || r->var < 0 || (fn && r->var >= fn->n_vars)) return false;
        out->kind = PLACE_FIELD;
        out->var = r->var;
        out->field = r->field;
        return true;
    case REF_CALL:
        out->kind = PLACE_CALL;
        out->call = r->call;
        return true;
    default: return false;
    }
}

bool place_is_local(const IrFunction *fn, const Place *p)
{
    if (p->kind == PLACE_CALL) return true;
    if (p->var < 0 || p->var >= fn->n_vars) return false;
    return fn->vars[p->var].storage != VAR_GLOBAL;
}

/* q is p or lies inside p (p = x, q = x.f; p = x.a, q = x.a.b). */
bool place_inside(const Place *q, const Place *p)
{
    if (place_equal(q, p)) return true;
    if (q->kind != PLACE_FIELD || q->var != p->var) return false;
    if (p->kind == PLACE_VAR) return true;
    if (p->kind != PLACE_FIELD || !p->field || !q->field) return false;
    size_t n = strlen(p->field);
    return strncmp(q->field, p->field, n) == 0 && q->field[n] == '.';
}

bool flow_deref_followed(const FlowRun *run, int var)
{
    return run->follow_deref && run->deref_place && var >= 0 && var < run->fn->n_vars && run->deref_place[var];
}

bool flow_place_of(const FlowRun *run, const IrRef *r, Place *out)
{
    if (r->kind != REF_DEREF) return place_from_ref(run->fn, r, out);
    memset(out, 0, sizeof *out);
    out->var = -1;
    out->call = -1;
    if (!flow_deref_followed(run, r->var)) return false;
    out->kind = PLACE_DEREF;
    out->var = r->var;
    return true;
}
