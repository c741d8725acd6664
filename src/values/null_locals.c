/* null_locals.c — `data = NULL; ... data = realloc(data, n);`: a local
 * pointer that holds NULL on every path to a call is passed as the
 * constant NULL, so a pack entry that means something only for a NULL
 * argument ("null_arg": realloc(NULL, n) allocates) sees it.
 *
 * A must-analysis over the CFG, per function: a local pointer is NULL
 * after `p = NULL` (or `p = q` while q is NULL) until any other assignment
 * to it; at a join it is NULL only when it is NULL on every reachable
 * predecessor; nothing is known at the entry. Only call arguments that are
 * the variable itself are rewritten, in reachable blocks. A variable whose
 * address is passed to a call (`sink(&p)`) is known at no call after the
 * first such call, nor at any call in a loop around it: every call forgets
 * it (a callee may keep the address and another one write through it).
 * Not followed: a variable whose address is taken otherwise (`q = &p`,
 * returned), or of a field (`&p->f`), parameters,
 * globals, fields, branch refinement (`if (p == NULL)` teaches nothing),
 * and functions where the variables to follow times the blocks exceed a
 * bound (nothing is rewritten there). */
#include "values/null_locals.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define NULL_LOCALS_MAX_CELLS (4L * 1000 * 1000)

static bool var_ok(const IrFunction *fn, int v)
{
    return v >= 0 && v < fn->n_vars;
}

static void poison_addr(const IrFunction *fn, const IrRef *r, bool *bad)
{
    if ((r->kind == REF_ADDR || r->kind == REF_ADDR_FIELD) && var_ok(fn, r->var)) bad[r->var] = true;
}

static void poison_cond(const IrFunction *fn, const IrCond *c, bool *bad)
{
    poison_addr(fn, &c->ref, bad);
    poison_addr(fn, &c->ref2, bad);
}

/* Which variables are followed: local pointers assigned the constant 0
 * somewhere, passed to a call somewhere, whose address is taken by no
 * more than call arguments (`sink(&p)`: marked in by_call).
 * Fills idx[v] (index among the followed, or -1); returns their number. */
static int pick_vars(const IrFunction *fn, int *idx, bool *by_call)
{
    bool *bad = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    bool *nulled = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    bool *passed = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) poison_cond(fn, &blk->cond, bad);
        if (blk->term == TERM_SWITCH) poison_addr(fn, &blk->switch_on, bad);
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_ASSIGN: {
                const IrRef *l = &ev->u.assign.lhs, *r = &ev->u.assign.rhs;
                poison_addr(fn, l, bad);
                poison_addr(fn, r, bad);
                if (l->kind == REF_VAR && var_ok(fn, l->var) && !ev->u.assign.adds && r->kind == REF_CONST &&
                    r->value == 0)
                    nulled[l->var] = true;
                break;
            }
            case EV_ASSIGN_COND: poison_cond(fn, &ev->u.assign_cond.cond, bad); break;
            case EV_CALL:
                poison_addr(fn, &ev->u.call.base, bad);
                for (int i = 0; i < ev->u.call.nargs; i++) {
                    const IrRef *a = &ev->u.call.args[i];
                    if (a->kind == REF_ADDR && var_ok(fn, a->var)) by_call[a->var] = true;
                    else poison_addr(fn, a, bad);
                    if (a->kind == REF_VAR && var_ok(fn, a->var)) passed[a->var] = true;
                }
                break;
            case EV_USE: poison_addr(fn, &ev->u.use.ref, bad); break;
            case EV_RETURN: poison_addr(fn, &ev->u.ret.value, bad); break;
            default: break;
            }
        }
    }
    int n = 0;
    for (int v = 0; v < fn->n_vars; v++) {
        const IrVar *x = &fn->vars[v];
        idx[v] = x->storage == VAR_LOCAL && x->is_pointer && !x->is_record && nulled[v] && passed[v] && !bad[v] ? n++ : -1;
    }
    free(bad);
    free(nulled);
    free(passed);
    return n;
}

/* One event's effect on the set of followed variables known NULL; a call
 * forgets the variables whose address some call is given. */
static void transfer(const IrFunction *fn, const IrEvent *ev, const int *idx, const int *forget,
                     unsigned char *known)
{
    if (ev->kind == EV_CALL) {
        for (const int *k = forget; *k >= 0; k++) known[*k] = 0;
        return;
    }
    const IrRef *l = ev->kind == EV_ASSIGN        ? &ev->u.assign.lhs
                     : ev->kind == EV_ASSIGN_COND ? &ev->u.assign_cond.lhs
                                                  : NULL;
    if (!l || l->kind != REF_VAR || !var_ok(fn, l->var) || idx[l->var] < 0) return;
    bool is_null = false;
    if (ev->kind == EV_ASSIGN && !ev->u.assign.adds) {
        const IrRef *r = &ev->u.assign.rhs;
        if (r->kind == REF_CONST && r->value == 0) is_null = true;
        else if (r->kind == REF_VAR && var_ok(fn, r->var) && idx[r->var] >= 0 && known[idx[r->var]]) is_null = true;
    }
    known[idx[l->var]] = is_null;
}

static int rewrite_block(IrBlock *blk, const IrFunction *fn, const int *idx, const int *forget,
                         unsigned char *known)
{
    int n = 0;
    for (int e = 0; e < blk->n_events; e++) {
        IrEvent *ev = &blk->events[e];
        if (ev->kind == EV_CALL)
            for (int i = 0; i < ev->u.call.nargs; i++) {
                IrRef *a = &ev->u.call.args[i];
                if (a->kind == REF_VAR && var_ok(fn, a->var) && idx[a->var] >= 0 && known[idx[a->var]]) {
                    *a = ir_ref_const(0); /* args live in the arena: rewritten in place */
                    n++;
                }
            }
        transfer(fn, ev, idx, forget, known);
    }
    return n;
}

static int fold_function(IrFunction *fn)
{
    if (fn->n_vars == 0 || fn->n_blocks == 0 || fn->truncated) return 0;
    int *idx = xmalloc(sizeof(int) * (size_t)fn->n_vars);
    bool *by_call = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    int nv = pick_vars(fn, idx, by_call);
    if (nv == 0 || (long)nv * fn->n_blocks > NULL_LOCALS_MAX_CELLS) {
        free(by_call);
        free(idx);
        return 0;
    }
    /* forget: the followed indices every call forgets, ended by -1 */
    int *forget = xmalloc(sizeof(int) * ((size_t)nv + 1));
    int nf = 0;
    for (int v = 0; v < fn->n_vars; v++)
        if (by_call[v] && idx[v] >= 0) forget[nf++] = idx[v];
    forget[nf] = -1;
    int nb = fn->n_blocks;
    /* in[b]: known NULL at the entry of b; starts full (the top of a must
     * analysis) except at the entry block; reached[b]: some path gets there */
    unsigned char *in = xmalloc((size_t)nb * (size_t)nv);
    memset(in, 1, (size_t)nb * (size_t)nv);
    memset(in, 0, (size_t)nv);
    bool *reached = xcalloc((size_t)nb, sizeof(bool));
    bool *queued = xcalloc((size_t)nb, sizeof(bool));
    int *work = xmalloc(sizeof(int) * (size_t)nb);
    unsigned char *out = xmalloc((size_t)nv);
    int top = 0;
    reached[0] = true;
    work[top++] = 0;
    queued[0] = true;
    while (top > 0) {
        int b = work[--top];
        queued[b] = false;
        const IrBlock *blk = &fn->blocks[b];
        memcpy(out, in + (size_t)b * nv, (size_t)nv);
        for (int e = 0; e < blk->n_events; e++) transfer(fn, &blk->events[e], idx, forget, out);
        for (int s = 0; s < blk->n_succ; s++) {
            int t = blk->succ[s];
            if (t < 0 || t >= nb) continue;
            unsigned char *ti = in + (size_t)t * nv;
            bool changed = false;
            if (!reached[t]) { /* block 0 is reached from the start */
                reached[t] = true;
                memcpy(ti, out, (size_t)nv);
                changed = true;
            } else
                for (int k = 0; k < nv; k++)
                    if (ti[k] && !out[k]) {
                        ti[k] = 0;
                        changed = true;
                    }
            if (changed && !queued[t]) {
                queued[t] = true;
                work[top++] = t;
            }
        }
    }
    int n = 0;
    for (int b = 0; b < nb; b++) {
        if (!reached[b]) continue;
        memcpy(out, in + (size_t)b * nv, (size_t)nv);
        n += rewrite_block(&fn->blocks[b], fn, idx, forget, out);
    }
    free(out);
    free(work);
    free(queued);
    free(reached);
    free(in);
    free(forget);
    free(by_call);
    free(idx);
    return n;
}

int values_fold_null_locals(IrUnit **units, int n_units)
{
    int n = 0;
    for (int u = 0; u < n_units; u++) {
        IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int f = 0; f < unit->n_functions; f++) n += fold_function(&unit->functions[f]);
    }
    return n;
}
