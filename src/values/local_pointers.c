/* local_pointers.c — a pointer to a local variable is that variable
 * (issue 12, form 7): when a local pointer `pp` is only ever assigned the
 * address of one local `x` (`T **pp = &x;`), and nothing takes pp's own
 * address, then `*pp` (and `pp[i]`) is `x` and `pp` passed on is `&x`.
 * The IR is rewritten so: the reads of `*pp` become `x`, the reads of
 * `pp` become `&x`, and the assignments `pp = &x` drop out (they no longer
 * take x's address, so x keeps its facts and a handle in x is no longer
 * "reached through a pointer the analysis does not follow").
 * Not followed: a pointer assigned from several places, or conditionally
 * from a non-address value; pointers to fields (`&s.f`); pointers held in
 * structs or globals. */
#include "values/local_pointers.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* per var: the local it points to (>= 0), -1 unknown yet, -2 not followed */
enum { TARGET_NONE = -1, TARGET_MANY = -2 };

static void note_target(int *target, int v, int x)
{
    if (target[v] == TARGET_MANY) return;
    if (target[v] == TARGET_NONE) target[v] = x;
    else if (target[v] != x) target[v] = TARGET_MANY;
}

static void poison_addr(int *target, const IrFunction *fn, const IrRef *r)
{
    if ((r->kind == REF_ADDR || r->kind == REF_ADDR_FIELD) && r->var >= 0 && r->var < fn->n_vars)
        target[r->var] = TARGET_MANY;
}

static void poison_cond(int *target, const IrFunction *fn, const IrCond *c)
{
    poison_addr(target, fn, &c->ref);
    poison_addr(target, fn, &c->ref2);
}

static bool is_local(const IrFunction *fn, int v)
{
    return v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_LOCAL;
}

/* Which local pointers point at exactly one local, always. */
static void find_targets(const IrFunction *fn, int *target)
{
    for (int v = 0; v < fn->n_vars; v++)
        target[v] = is_local(fn, v) && fn->vars[v].is_pointer ? TARGET_NONE : TARGET_MANY;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) poison_cond(target, fn, &blk->cond);
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_ASSIGN: {
                const IrRef *l = &ev->u.assign.lhs, *r = &ev->u.assign.rhs;
                if (l->kind == REF_VAR && l->var >= 0 && l->var < fn->n_vars) {
                    if (r->kind == REF_ADDR && is_local(fn, r->var) && r->var != l->var &&
                        !fn->vars[r->var].is_record)
                        note_target(target, l->var, r->var);
                    else
                        target[l->var] = TARGET_MANY;
                }
                /* the address of the pointer itself, or of a field: not followed */
                if (r->kind == REF_ADDR_FIELD) poison_addr(target, fn, r);
                if (r->kind == REF_ADDR && r->var >= 0 && r->var < fn->n_vars && fn->vars[r->var].is_pointer)
                    target[r->var] = TARGET_MANY;
                break;
            }
            case EV_ASSIGN_COND:
                if (ev->u.assign_cond.lhs.var >= 0 && ev->u.assign_cond.lhs.var < fn->n_vars)
                    target[ev->u.assign_cond.lhs.var] = TARGET_MANY;
                poison_cond(target, fn, &ev->u.assign_cond.cond);
                break;
            case EV_CALL:
                for (int i = 0; i < ev->u.call.nargs; i++) poison_addr(target, fn, &ev->u.call.args[i]);
                poison_addr(target, fn, &ev->u.call.base);
                break;
            case EV_USE: poison_addr(target, fn, &ev->u.use.ref); break;
            case EV_RETURN: poison_addr(target, fn, &ev->u.ret.value); break;
            default: break;
            }
        }
    }
    /* a target that is itself such a pointer would need chains: not followed */
    for (int v = 0; v < fn->n_vars; v++)
        if (target[v] >= 0 && target[target[v]] >= 0) target[v] = TARGET_MANY;
}

static int rewrite_ref(const int *target, IrRef *r)
{
    if (r->var < 0 || target[r->var] < 0) return 0;
    int x = target[r->var];
    switch (r->kind) {
    case REF_DEREF: r->kind = REF_VAR; break;
    case REF_VAR: r->kind = REF_ADDR; break;
    case REF_FIELD:
        if (!r->via_pointer) return 0;
        r->via_pointer = false; /* (*pp).f, pp->f: x.f */
        break;
    case REF_ADDR_FIELD:
        if (!r->via_pointer) return 0;
        r->via_pointer = false;
        break;
    default: return 0;
    }
    r->var = x;
    return 1;
}

static int rewrite_cond(const int *target, IrCond *c)
{
    return rewrite_ref(target, &c->ref) + rewrite_ref(target, &c->ref2);
}

static int rewrite_function(IrFunction *fn, const int *target)
{
    int n = 0;
    for (int b = 0; b < fn->n_blocks; b++) {
        IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) n += rewrite_cond(target, &blk->cond);
        if (blk->term == TERM_SWITCH) n += rewrite_ref(target, &blk->switch_on);
        for (int e = 0; e < blk->n_events; e++) {
            IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_ASSIGN: {
                IrRef *l = &ev->u.assign.lhs;
                if (l->kind == REF_VAR && l->var >= 0 && target[l->var] >= 0) {
                    /* pp = &x: no longer an event that matters */
                    *l = ir_ref_other();
                    ev->u.assign.rhs = ir_ref_other();
                    n++;
                    break;
                }
                n += rewrite_ref(target, l) + rewrite_ref(target, &ev->u.assign.rhs);
                break;
            }
            case EV_ASSIGN_COND: n += rewrite_cond(target, &ev->u.assign_cond.cond); break;
            case EV_CALL:
                /* args live in the arena; rewriting them in place is fine */
                for (int i = 0; i < ev->u.call.nargs; i++) n += rewrite_ref(target, &ev->u.call.args[i]);
                n += rewrite_ref(target, &ev->u.call.base);
                break;
            case EV_USE: n += rewrite_ref(target, &ev->u.use.ref); break;
            case EV_RETURN: n += rewrite_ref(target, &ev->u.ret.value); break;
            default: break;
            }
        }
    }
    return n;
}

int values_follow_local_pointers(IrUnit **units, int n_units)
{
    int n = 0;
    for (int u = 0; u < n_units; u++) {
        IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int f = 0; f < unit->n_functions; f++) {
            IrFunction *fn = &unit->functions[f];
            if (fn->n_vars == 0) continue;
            int *target = xmalloc(sizeof(int) * (size_t)fn->n_vars);
            find_targets(fn, target);
            bool any = false;
            for (int v = 0; v < fn->n_vars && !any; v++) any = target[v] >= 0;
            if (any) n += rewrite_function(fn, target);
            free(target);
        }
    }
    return n;
}
