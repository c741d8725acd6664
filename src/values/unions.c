/* unions.c — the members of a union share one place (issue 12, form 6):
 * a handle stored into `u.first` and read as `u.second` is the same
 * handle. For every variable that is a union (or points to one), every
 * member access `u.m...` / `up->m...` is renamed to the member the
 * function names first, so the engine sees one place. Only the first step
 * of a field path is renamed (`u.a.x` and `u.b.x` become one place; the
 * members of a union nested inside a struct field are not). */
#include "values/unions.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The length of the first step of a field path ("a" of "a.b"). */
static size_t first_step(const char *field)
{
    size_t n = 0;
    while (field[n] && field[n] != '.') n++;
    return n;
}

static int rename_ref(Arena *a, const IrFunction *fn, const char **canon, IrRef *r)
{
    if ((r->kind != REF_FIELD && r->kind != REF_ADDR_FIELD) || !r->field || r->var < 0 || r->var >= fn->n_vars)
        return 0;
    const IrVar *v = &fn->vars[r->var];
    if (!v->is_union || (v->is_pointer && !r->via_pointer) || (!v->is_pointer && r->via_pointer)) return 0;
    size_t n = first_step(r->field);
    if (!canon[r->var]) {
        canon[r->var] = arena_strndup(a, r->field, n);
        return 0;
    }
    const char *c = canon[r->var];
    if (strlen(c) == n && strncmp(c, r->field, n) == 0) return 0;
    size_t rest = strlen(r->field + n);
    char *renamed = arena_alloc(a, strlen(c) + rest + 1);
    memcpy(renamed, c, strlen(c));
    memcpy(renamed + strlen(c), r->field + n, rest + 1);
    r->field = renamed;
    return 1;
}

static int rename_cond(Arena *a, const IrFunction *fn, const char **canon, IrCond *c)
{
    return rename_ref(a, fn, canon, &c->ref) + rename_ref(a, fn, canon, &c->ref2);
}

static int rename_function(Arena *a, IrFunction *fn, const char **canon)
{
    int n = 0;
    for (int b = 0; b < fn->n_blocks; b++) {
        IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_ASSIGN:
                n += rename_ref(a, fn, canon, &ev->u.assign.lhs);
                n += rename_ref(a, fn, canon, &ev->u.assign.rhs);
                break;
            case EV_ASSIGN_COND:
                n += rename_ref(a, fn, canon, &ev->u.assign_cond.lhs);
                n += rename_cond(a, fn, canon, &ev->u.assign_cond.cond);
                break;
            case EV_CALL:
                for (int i = 0; i < ev->u.call.nargs; i++) n += rename_ref(a, fn, canon, &ev->u.call.args[i]);
                n += rename_ref(a, fn, canon, &ev->u.call.base);
                break;
            case EV_USE: n += rename_ref(a, fn, canon, &ev->u.use.ref); break;
            case EV_RETURN: n += rename_ref(a, fn, canon, &ev->u.ret.value); break;
            default: break;
            }
        }
        if (blk->term == TERM_BRANCH) n += rename_cond(a, fn, canon, &blk->cond);
        if (blk->term == TERM_SWITCH) n += rename_ref(a, fn, canon, &blk->switch_on);
    }
    return n;
}

int values_merge_union_members(IrUnit **units, int n_units)
{
    int n = 0;
    for (int u = 0; u < n_units; u++) {
        IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int f = 0; f < unit->n_functions; f++) {
            IrFunction *fn = &unit->functions[f];
            bool any = false;
            for (int v = 0; v < fn->n_vars && !any; v++) any = fn->vars[v].is_union;
            if (!any) continue;
            const char **canon = xcalloc((size_t)fn->n_vars, sizeof(char *));
            n += rename_function(unit->arena, fn, canon);
            free(canon);
        }
    }
    return n;
}
