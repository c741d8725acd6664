/* constants.c — finds the whole-program constants of constants.h (unwritten
 * file-scope integers, functions that always return one constant) and
 * folds the IR's conditions, switch values and assigned values that read
 * them. Name tables are sorted arrays searched by bsearch; every pass is
 * linear in the IR's size, the function fold iterates a bounded number of
 * rounds. Nothing here knows about resources. */
#include "values/constants.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define FUNCTION_ROUNDS 4 /* returns of calls to constant functions, nested this deep */

typedef struct {
    const char *name;
    int unit;          /* static: the unit it belongs to; else -1 */
    bool known;        /* a constant: every definition agrees, nothing writes it */
    long long value;
} Named;

typedef VEC(Named) NamedVec;
typedef VEC(const char *) NameVec;

typedef struct {
    IrUnit **units;
    int n_units;
    NamedVec vars;     /* sorted by name */
    NamedVec funcs;    /* sorted by name */
    NameVec poisoned;  /* global names written or address-taken, sorted */
    const IrFunction *fn; /* the function `calls` indexes */
    const IrCall **calls;
    const IrFunction *local_fn; /* the function `local_known` describes */
    bool *local_known;   /* per variable of local_fn: a constant static local */
    long long *local_value;
} Consts;

static int named_cmp(const void *a, const void *b)
{
    const Named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool poisoned(const Consts *c, const char *name)
{
    return c->poisoned.len && bsearch(&name, c->poisoned.items, (size_t)c->poisoned.len, sizeof(const char *),
                                      name_cmp) != NULL;
}

/* The entry a use from unit `unit` reaches: that unit's static one first,
 * else the one with external linkage. */
static const Named *named_lookup(const NamedVec *v, const char *name, int unit)
{
    if (!name || v->len == 0) return NULL;
    int lo = 0, hi = v->len;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(v->items[mid].name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    const Named *external = NULL;
    for (int i = lo; i < v->len && strcmp(v->items[i].name, name) == 0; i++) {
        if (v->items[i].unit == unit) return &v->items[i];
        if (v->items[i].unit < 0) external = &v->items[i];
    }
    return external;
}

/* Sorts the definitions and merges those of one name and linkage: when
 * they disagree (or one has no known value) the name is no constant. */
static void named_finish(NamedVec *v)
{
    if (v->len == 0) return;
    qsort(v->items, (size_t)v->len, sizeof(Named), named_cmp);
    int out = 0;
    for (int i = 0; i < v->len; i++) {
        Named *last = out ? &v->items[out - 1] : NULL;
        const Named *n = &v->items[i];
        if (last && last->unit == n->unit && strcmp(last->name, n->name) == 0) {
            if (!n->known || last->value != n->value) last->known = false;
            continue;
        }
        v->items[out++] = *n;
    }
    v->len = out;
}

static void named_add(NamedVec *v, const char *name, int unit, bool known, long long value)
{
    Named n = {name, unit, known, value};
    VEC_PUSH(*v, n);
}

/* ---- which globals are written ------------------------------------------ */


/* A reference that lets someone write the variable later: its address. */
static void note_address(NameVec *out, const IrFunction *fn, const IrRef *r)
{
    if (r->kind != REF_ADDR && r->kind != REF_ADDR_FIELD) return;
    const char *name = ir_ref_global_name(fn, r);
    if (name) VEC_PUSH(*out, name);
}

static void note_cond(NameVec *out, const IrFunction *fn, const IrCond *c)
{
    note_address(out, fn, &c->ref);
    note_address(out, fn, &c->ref2);
}

static void scan_writes(NameVec *out, const IrFunction *fn)
{
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) note_cond(out, fn, &blk->cond);
        if (blk->term == TERM_SWITCH) note_address(out, fn, &blk->switch_on);
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            const char *written = NULL;
            switch (ev->kind) {
            case EV_ASSIGN:
                /* also a static local's initialiser: a name that is no
                 * file-scope constant wherever it is used */
                written = ir_ref_global_name(fn, &ev->u.assign.lhs);
                note_address(out, fn, &ev->u.assign.rhs);
                break;
            case EV_ASSIGN_COND:
                written = ir_ref_global_name(fn, &ev->u.assign_cond.lhs);
                note_cond(out, fn, &ev->u.assign_cond.cond);
                break;
            case EV_CALL:
                note_address(out, fn, &ev->u.call.base);
                for (int i = 0; i < ev->u.call.nargs; i++) note_address(out, fn, &ev->u.call.args[i]);
                break;
            case EV_USE: note_address(out, fn, &ev->u.use.ref); break;
            case EV_RETURN: note_address(out, fn, &ev->u.ret.value); break;
            default: break;
            }
            if (written) VEC_PUSH(*out, written);
        }
    }
}

static void collect_variables(Consts *c)
{
    for (int u = 0; u < c->n_units; u++) {
        const IrUnit *unit = c->units[u];
        if (unit->parse_failed) continue;
        for (int i = 0; i < unit->n_global_var_escapes; i++) VEC_PUSH(c->poisoned, unit->global_var_escapes[i]);
        for (int f = 0; f < unit->n_functions; f++) scan_writes(&c->poisoned, &unit->functions[f]);
    }
    if (c->poisoned.len) qsort(c->poisoned.items, (size_t)c->poisoned.len, sizeof(const char *), name_cmp);
    for (int u = 0; u < c->n_units; u++) {
        const IrUnit *unit = c->units[u];
        if (unit->parse_failed) continue;
        for (int i = 0; i < unit->n_global_vars; i++) {
            const IrGlobalVar *g = &unit->global_vars[i];
            if (g->tentative) continue; /* `int x;`: not read as a constant here */
            bool known = g->is_integer && g->has_value && !poisoned(c, g->name);
            named_add(&c->vars, g->name, g->is_static ? u : -1, known, g->value);
        }
    }
    named_finish(&c->vars);
}

/* ---- values of references ----------------------------------------------- */

/* A static local is declared inside the body: never a file-scope constant. */
static bool is_static_local(const IrFunction *fn, const IrVar *v)
{
    return v->loc.line >= fn->body.line && v->loc.line <= fn->body.end_line && v->loc.line > 0;
}

static bool var_value(const Consts *c, int unit, const IrFunction *fn, const IrRef *r, long long *out)
{
    if (r->kind != REF_VAR || r->var < 0 || r->var >= fn->n_vars) return false;
    const IrVar *v = &fn->vars[r->var];
    if (v->storage != VAR_GLOBAL || v->is_pointer || v->is_record) return false;
    if (is_static_local(fn, v)) {
        if (c->local_fn != fn || !c->local_known[r->var]) return false;
        *out = c->local_value[r->var];
        return true;
    }
    const Named *n = named_lookup(&c->vars, v->name, unit);
    if (!n || !n->known) return false;
    *out = n->value;
    return true;
}

/* Per call id, the call of the function being folded (built once per
 * function: conditions name calls by id). */
static void index_calls(Consts *c, const IrFunction *fn)
{
    c->fn = fn;
    free(c->calls);
    c->calls = xcalloc((size_t)(fn->n_calls > 0 ? fn->n_calls : 1), sizeof(IrCall *));
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind == EV_CALL && ev->u.call.id >= 0 && ev->u.call.id < fn->n_calls)
                c->calls[ev->u.call.id] = &ev->u.call;
        }
}

static bool call_value(const Consts *c, int unit, const IrFunction *fn, const IrRef *r, long long *out)
{
    if (r->kind != REF_CALL || c->funcs.len == 0 || c->fn != fn || r->call < 0 || r->call >= fn->n_calls)
        return false;
    const IrCall *call = c->calls[r->call];
    if (!call || call->callee_kind != CALLEE_DIRECT || !call->callee) return false;
    const Named *n = named_lookup(&c->funcs, call->callee, unit);
    if (!n || !n->known) return false;
    *out = n->value;
    return true;
}

static bool ref_value(const Consts *c, int unit, const IrFunction *fn, const IrRef *r, long long *out)
{
    if (r->kind == REF_CONST) {
        *out = r->value;
        return true;
    }
    return var_value(c, unit, fn, r, out) || call_value(c, unit, fn, r, out);
}

/* ---- functions that always return one constant -------------------------- */

static bool function_value(Consts *c, int unit, const IrFunction *fn, long long *out)
{
    if (fn->truncated || fn->has_errors || fn->returns_pointer) return false;
    index_calls(c, fn);
    bool any = false;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            if (ev->kind != EV_RETURN) continue;
            long long v;
            if (ev->u.ret.implicit || !ref_value(c, unit, fn, &ev->u.ret.value, &v)) return false;
            if (any && v != *out) return false;
            *out = v;
            any = true;
        }
    }
    return any;
}

static void collect_functions(Consts *c)
{
    for (int round = 0; round < FUNCTION_ROUNDS; round++) {
        NamedVec next = {0};
        for (int u = 0; u < c->n_units; u++) {
            const IrUnit *unit = c->units[u];
            if (unit->parse_failed) continue;
            for (int f = 0; f < unit->n_functions; f++) {
                const IrFunction *fn = &unit->functions[f];
                long long v = 0;
                bool known = function_value(c, u, fn, &v);
                named_add(&next, fn->name, fn->is_static ? u : -1, known, v);
            }
        }
        named_finish(&next);
        bool same = next.len == c->funcs.len;
        for (int i = 0; same && i < next.len; i++)
            same = next.items[i].known == c->funcs.items[i].known && next.items[i].value == c->funcs.items[i].value;
        VEC_FREE(c->funcs);
        c->funcs = next;
        if (same) break;
    }
}

/* ---- static locals that keep their initial value ------------------------ */

static void unknown_if_addr(const IrFunction *fn, const IrRef *r, bool *known)
{
    if ((r->kind == REF_ADDR || r->kind == REF_ADDR_FIELD) && r->var >= 0 && r->var < fn->n_vars)
        known[r->var] = false;
}

static void unknown_if_addr_cond(const IrFunction *fn, const IrCond *cond, bool *known)
{
    unknown_if_addr(fn, &cond->ref, known);
    unknown_if_addr(fn, &cond->ref2, known);
}

/* `static int flag = 10;` inside a function, never assigned, incremented or
 * address-taken anywhere in it (nothing outside the function can name it),
 * holds 10 whenever the function reads it (the parse stage records the
 * initial value: IrVar.has_static_value). Fills c->local_known and
 * c->local_value for fn's variables. */
static void collect_static_locals(Consts *c, const IrFunction *fn)
{
    free(c->local_known);
    free(c->local_value);
    size_t n = (size_t)(fn->n_vars > 0 ? fn->n_vars : 1);
    c->local_fn = fn;
    c->local_known = xcalloc(n, sizeof(bool));
    c->local_value = xcalloc(n, sizeof(long long));
    bool any = false;
    for (int i = 0; i < fn->n_vars; i++) {
        const IrVar *v = &fn->vars[i];
        c->local_known[i] = v->storage == VAR_GLOBAL && v->has_static_value && !v->is_pointer && !v->is_record &&
                            is_static_local(fn, v);
        c->local_value[i] = v->static_value;
        any = any || c->local_known[i];
    }
    for (int b = 0; any && b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) unknown_if_addr_cond(fn, &blk->cond, c->local_known);
        if (blk->term == TERM_SWITCH) unknown_if_addr(fn, &blk->switch_on, c->local_known);
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            const IrRef *lhs = NULL;
            switch (ev->kind) {
            case EV_ASSIGN:
                lhs = &ev->u.assign.lhs;
                unknown_if_addr(fn, &ev->u.assign.rhs, c->local_known);
                break;
            case EV_ASSIGN_COND:
                lhs = &ev->u.assign_cond.lhs;
                unknown_if_addr_cond(fn, &ev->u.assign_cond.cond, c->local_known);
                break;
            case EV_CALL:
                unknown_if_addr(fn, &ev->u.call.base, c->local_known);
                for (int i = 0; i < ev->u.call.nargs; i++) unknown_if_addr(fn, &ev->u.call.args[i], c->local_known);
                break;
            case EV_USE: unknown_if_addr(fn, &ev->u.use.ref, c->local_known); break;
            case EV_RETURN: unknown_if_addr(fn, &ev->u.ret.value, c->local_known); break;
            default: break;
            }
            /* any write: `flag = x`, `flag++`, `flag += 2`, `flag = a < b` */
            if (lhs && lhs->var >= 0 && lhs->var < fn->n_vars) c->local_known[lhs->var] = false;
        }
    }
}

/* ---- folding ------------------------------------------------------------ */

static int fold_ref(const Consts *c, int unit, const IrFunction *fn, IrRef *r, bool calls_too)
{
    long long v;
    if (r->kind == REF_VAR ? !var_value(c, unit, fn, r, &v)
                           : !(calls_too && call_value(c, unit, fn, r, &v)))
        return 0;
    *r = ir_ref_const(v);
    return 1;
}

/* `ref OP value`, and `a == b` / `a != b` when both sides are constants. */
static int fold_cond(const Consts *c, int unit, const IrFunction *fn, IrCond *cond)
{
    if (cond->known) return fold_ref(c, unit, fn, &cond->ref, true);
    long long a, b;
    if (cond->ref2.kind == REF_NONE || !ref_value(c, unit, fn, &cond->ref, &a) ||
        !ref_value(c, unit, fn, &cond->ref2, &b))
        return 0;
    cond->known = true;
    cond->ref = ir_ref_const(a);
    cond->value = b;
    cond->ref2 = ir_ref_none();
    return 1;
}

static int fold_function(Consts *c, int unit, IrFunction *fn)
{
    int n = 0;
    index_calls(c, fn);
    collect_static_locals(c, fn);
    for (int b = 0; b < fn->n_blocks; b++) {
        IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) n += fold_cond(c, unit, fn, &blk->cond);
        if (blk->term == TERM_SWITCH) n += fold_ref(c, unit, fn, &blk->switch_on, true);
        for (int e = 0; e < blk->n_events; e++) {
            IrEvent *ev = &blk->events[e];
            if (ev->kind == EV_ASSIGN_COND) n += fold_cond(c, unit, fn, &ev->u.assign_cond.cond);
            /* `x = staticFive;` (not calls: their value links a handle to x) */
            if (ev->kind == EV_ASSIGN) n += fold_ref(c, unit, fn, &ev->u.assign.rhs, false);
        }
    }
    return n;
}

int values_fold_constants(IrUnit **units, int n_units)
{
    Consts c;
    memset(&c, 0, sizeof c);
    c.units = units;
    c.n_units = n_units;
    collect_variables(&c);
    collect_functions(&c);
    int folded = 0;
    for (int u = 0; u < n_units; u++) {
        IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int f = 0; f < unit->n_functions; f++) folded += fold_function(&c, u, &unit->functions[f]);
    }
    VEC_FREE(c.vars);
    VEC_FREE(c.funcs);
    VEC_FREE(c.poisoned);
    free(c.calls);
    free(c.local_known);
    free(c.local_value);
    return folded;
}
