/* fn_pointers.c — a call through a function pointer that can only hold
 * known functions is a call of one of them (issue 12, form 9).
 *
 * The pointer is a local variable, or a file-scope variable defined in the
 * analysed sources (a static one is seen from its own unit only). Its
 * possible targets are every function it is assigned: a local's
 * initialiser and assignments in its function; a file-scope one's
 * initialiser and the assignments of every function of the analysed
 * sources (`fp = f`, `fp = &f`, `fp = c ? f : g`, which the parse stage
 * splits into one assignment per arm). A null constant adds no target (a
 * call through it would not return anyway). The pointer is not followed
 * when anything else is assigned to it (a parameter, another pointer, a
 * call's value, a field), when its address is taken (in a function or in a
 * file-scope initialiser), when it is a parameter or a static local, or
 * when it has more than MAX_TARGETS targets.
 *
 * The rewrite: with one target the call becomes a direct call of it; with
 * several, the block is split before the call into a chain of branches the
 * analysis cannot decide ("fp == f"), one direct call per target, joining
 * after it — so a handle is released after the call only when every
 * target releases it, and stays held on the paths through a target that
 * does not. Every copy keeps the call's id: later references to the call's
 * value mean whichever copy ran. Struct members holding function pointers
 * (operation tables) are not followed here (rule packs' `member` entries
 * name them). Nothing here knows about resources. */
#include "values/fn_pointers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define MAX_TARGETS 8

typedef struct {
    const char *names[MAX_TARGETS];
    int n;
    bool unknown;
} Targets;

static void targets_add(Targets *t, const char *name)
{
    if (t->unknown) return;
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0) return;
    if (t->n == MAX_TARGETS) t->unknown = true;
    else t->names[t->n++] = name;
}

static void targets_merge(Targets *into, const Targets *from)
{
    if (from->unknown) into->unknown = true;
    for (int i = 0; i < from->n; i++) targets_add(into, from->names[i]);
}

/* What an assignment of the pointer adds: a function, nothing (a null
 * constant), or makes the targets unknown. */
static void targets_assign(Targets *t, const IrEvent *ev)
{
    if (ev->u.assign.adds) t->unknown = true;
    else if (ev->u.assign.func) targets_add(t, ev->u.assign.func);
    else if (!(ev->u.assign.rhs.kind == REF_CONST && ev->u.assign.rhs.value == 0)) t->unknown = true;
}

/* ---- every reference of a function -------------------------------------- */

typedef void (*RefVisit)(const IrFunction *fn, const IrRef *r, void *ctx);

static void visit_refs(const IrFunction *fn, RefVisit visit, void *ctx)
{
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) {
            visit(fn, &blk->cond.ref, ctx);
            visit(fn, &blk->cond.ref2, ctx);
        }
        if (blk->term == TERM_SWITCH) visit(fn, &blk->switch_on, ctx);
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_CALL:
                visit(fn, &ev->u.call.base, ctx);
                for (int i = 0; i < ev->u.call.nargs; i++) visit(fn, &ev->u.call.args[i], ctx);
                break;
            case EV_ASSIGN:
                visit(fn, &ev->u.assign.lhs, ctx);
                visit(fn, &ev->u.assign.rhs, ctx);
                break;
            case EV_ASSIGN_COND:
                visit(fn, &ev->u.assign_cond.lhs, ctx);
                visit(fn, &ev->u.assign_cond.cond.ref, ctx);
                visit(fn, &ev->u.assign_cond.cond.ref2, ctx);
                break;
            case EV_USE: visit(fn, &ev->u.use.ref, ctx); break;
            case EV_RETURN: visit(fn, &ev->u.ret.value, ctx); break;
            default: break;
            }
        }
    }
}

static bool is_address(const IrFunction *fn, const IrRef *r)
{
    return (r->kind == REF_ADDR || r->kind == REF_ADDR_FIELD) && r->var >= 0 && r->var < fn->n_vars;
}

/* A static local is declared inside the body (constants.c's test). */
static bool is_static_local(const IrFunction *fn, const IrVar *v)
{
    return v->loc.line >= fn->body.line && v->loc.line <= fn->body.end_line && v->loc.line > 0;
}

static bool is_file_scope(const IrFunction *fn, int var)
{
    if (var < 0 || var >= fn->n_vars) return false;
    const IrVar *v = &fn->vars[var];
    return v->storage == VAR_GLOBAL && v->name && !is_static_local(fn, v);
}

/* ---- file-scope pointers ------------------------------------------------ */

typedef struct {
    const char *name;
    int unit; /* static: the unit it belongs to; else -1 */
    Targets t;
} Global;

typedef VEC(Global) GlobalVec;

static int global_cmp(const void *a, const void *b)
{
    const Global *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

static int first_of_name(const GlobalVec *v, const char *name)
{
    int lo = 0, hi = v->len;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(v->items[mid].name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The definition a use from unit `unit` reaches: that unit's static one,
 * else the one with external linkage. */
static Global *global_lookup(GlobalVec *v, const char *name, int unit)
{
    if (!name || v->len == 0) return NULL;
    Global *external = NULL;
    for (int i = first_of_name(v, name); i < v->len && strcmp(v->items[i].name, name) == 0; i++) {
        if (v->items[i].unit == unit) return &v->items[i];
        if (v->items[i].unit < 0) external = &v->items[i];
    }
    return external;
}

static void global_poison_name(GlobalVec *v, const char *name)
{
    for (int i = first_of_name(v, name); i < v->len && strcmp(v->items[i].name, name) == 0; i++)
        v->items[i].t.unknown = true;
}

typedef struct {
    GlobalVec *globals;
    int unit;
} GlobalScan;

static void global_addr_visit(const IrFunction *fn, const IrRef *r, void *ctx)
{
    GlobalScan *gs = ctx;
    if (is_address(fn, r) && fn->vars[r->var].storage == VAR_GLOBAL && fn->vars[r->var].name)
        global_poison_name(gs->globals, fn->vars[r->var].name);
}

static void scan_global_writes(GlobalVec *globals, int unit, const IrFunction *fn)
{
    GlobalScan gs = {globals, unit};
    visit_refs(fn, global_addr_visit, &gs);
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            const IrRef *lhs = ir_event_assigned(ev);
            if (!lhs || lhs->kind != REF_VAR || !is_file_scope(fn, lhs->var)) continue;
            Global *g = global_lookup(globals, fn->vars[lhs->var].name, unit);
            if (!g) continue;
            if (ev->kind == EV_ASSIGN) targets_assign(&g->t, ev);
            else g->t.unknown = true;
        }
}

static void collect_globals(GlobalVec *globals, IrUnit **units, int n_units)
{
    for (int u = 0; u < n_units; u++) {
        const IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int i = 0; i < unit->n_global_vars; i++) {
            const IrGlobalVar *gv = &unit->global_vars[i];
            Global g;
            memset(&g, 0, sizeof g);
            g.name = gv->name;
            g.unit = gv->is_static ? u : -1;
            if (gv->init_func) targets_add(&g.t, gv->init_func);
            else if (!gv->init_null) g.t.unknown = true;
            VEC_PUSH(*globals, g);
        }
    }
    if (globals->len == 0) return;
    qsort(globals->items, (size_t)globals->len, sizeof(Global), global_cmp);
    int out = 0; /* one entry per name and linkage: the union of its definitions */
    for (int i = 0; i < globals->len; i++) {
        Global *last = out ? &globals->items[out - 1] : NULL;
        if (last && last->unit == globals->items[i].unit && strcmp(last->name, globals->items[i].name) == 0)
            targets_merge(&last->t, &globals->items[i].t);
        else globals->items[out++] = globals->items[i];
    }
    globals->len = out;
    for (int u = 0; u < n_units; u++) {
        const IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int i = 0; i < unit->n_global_var_escapes; i++) global_poison_name(globals, unit->global_var_escapes[i]);
        for (int f = 0; f < unit->n_functions; f++) scan_global_writes(globals, u, &unit->functions[f]);
    }
}

/* ---- local pointers ----------------------------------------------------- */

static void local_addr_visit(const IrFunction *fn, const IrRef *r, void *ctx)
{
    Targets *locals = ctx;
    if (is_address(fn, r)) locals[r->var].unknown = true;
}

/* Per variable of fn: the targets of the locals (others: unknown). */
static Targets *collect_locals(const IrFunction *fn)
{
    Targets *t = xcalloc((size_t)(fn->n_vars ? fn->n_vars : 1), sizeof *t);
    for (int v = 0; v < fn->n_vars; v++) t[v].unknown = fn->vars[v].storage != VAR_LOCAL;
    visit_refs(fn, local_addr_visit, t);
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            const IrRef *lhs = ir_event_assigned(ev);
            if (!lhs || lhs->kind != REF_VAR || lhs->var < 0 || lhs->var >= fn->n_vars) continue;
            if (ev->kind == EV_ASSIGN) targets_assign(&t[lhs->var], ev);
            else t[lhs->var].unknown = true;
        }
    return t;
}

/* ---- the rewrite -------------------------------------------------------- */

typedef VEC(IrBlock) BlockVec;

static int new_block(BlockVec *bv)
{
    IrBlock nb;
    memset(&nb, 0, sizeof nb);
    nb.id = bv->len;
    nb.default_target = -1;
    VEC_PUSH(*bv, nb);
    return bv->len - 1;
}

static void set_branch(Arena *a, IrBlock *blk, const char *var, const char *target, IrLoc loc, int yes, int no)
{
    blk->term = TERM_BRANCH;
    blk->cond = ir_cond_unknown();
    size_t len = strlen(var) + strlen(target) + 5;
    char *text = arena_alloc(a, len);
    snprintf(text, len, "%s == %s", var, target);
    blk->cond_text = text;
    blk->switch_on = ir_ref_none();
    blk->cases = NULL;
    blk->n_cases = 0;
    blk->default_target = -1;
    blk->succ = arena_alloc(a, 2 * sizeof(int));
    blk->succ[0] = yes;
    blk->succ[1] = no;
    blk->n_succ = 2;
    blk->term_loc = loc;
}

/* Splits block b at its call event e into one direct call per target. */
static void split_call(Arena *a, BlockVec *bv, int b, int e, const IrFunction *fn, const Targets *t)
{
    int rest = new_block(bv);
    IrBlock *blk = &bv->items[b], *r = &bv->items[rest];
    const IrEvent call_ev = blk->events[e];
    int id = r->id;
    *r = *blk; /* the events after the call and the block's own ending */
    r->id = id;
    r->events = blk->events + e + 1;
    r->n_events = blk->n_events - e - 1;
    blk->n_events = e;
    const char *var = fn->vars[call_ev.u.call.callee_var].name;
    int copies[MAX_TARGETS], tests[MAX_TARGETS];
    tests[0] = b;
    for (int i = 0; i < t->n; i++) {
        copies[i] = new_block(bv);
        IrBlock *c = &bv->items[copies[i]];
        c->events = arena_alloc(a, sizeof(IrEvent));
        c->events[0] = call_ev;
        c->events[0].u.call.callee_kind = CALLEE_DIRECT;
        c->events[0].u.call.callee = t->names[i];
        c->n_events = 1;
        c->term = TERM_JUMP;
        c->succ = arena_alloc(a, sizeof(int));
        c->succ[0] = rest;
        c->n_succ = 1;
        c->term_loc = call_ev.u.call.loc;
    }
    for (int i = 1; i + 1 < t->n; i++) tests[i] = new_block(bv);
    for (int i = 0; i + 1 < t->n; i++) {
        int no = i + 2 < t->n ? tests[i + 1] : copies[i + 1];
        set_branch(a, &bv->items[tests[i]], var, t->names[i], call_ev.u.call.loc, copies[i], no);
    }
}

static const Targets *call_targets(const IrFunction *fn, const IrCall *c, const Targets *locals, GlobalVec *globals,
                                   int unit)
{
    if (c->callee_kind != CALLEE_INDIRECT || c->callee_var < 0 || c->callee_var >= fn->n_vars) return NULL;
    const Targets *t = NULL;
    if (fn->vars[c->callee_var].storage == VAR_LOCAL) t = &locals[c->callee_var];
    else if (is_file_scope(fn, c->callee_var)) {
        const Global *g = global_lookup(globals, fn->vars[c->callee_var].name, unit);
        t = g ? &g->t : NULL;
    }
    return t && !t->unknown && t->n > 0 ? t : NULL;
}

static int resolve_function(Arena *a, IrFunction *fn, GlobalVec *globals, int unit)
{
    if (fn->truncated) return 0;
    Targets *locals = collect_locals(fn);
    BlockVec bv = {0};
    for (int b = 0; b < fn->n_blocks; b++) VEC_PUSH(bv, fn->blocks[b]);
    int rewritten = 0, split = 0;
    for (int b = 0; b < bv.len; b++) {
        for (int e = 0; e < bv.items[b].n_events; e++) {
            IrEvent *ev = &bv.items[b].events[e];
            if (ev->kind != EV_CALL) continue;
            const Targets *t = call_targets(fn, &ev->u.call, locals, globals, unit);
            if (!t) continue;
            rewritten++;
            if (t->n == 1) {
                ev->u.call.callee_kind = CALLEE_DIRECT;
                ev->u.call.callee = t->names[0];
                continue;
            }
            split_call(a, &bv, b, e, fn, t);
            split++;
            break; /* the rest of the block is a new block, visited later */
        }
    }
    if (split) {
        fn->blocks = arena_alloc(a, sizeof(IrBlock) * (size_t)bv.len);
        memcpy(fn->blocks, bv.items, sizeof(IrBlock) * (size_t)bv.len);
        fn->n_blocks = bv.len;
    }
    VEC_FREE(bv);
    free(locals);
    return rewritten;
}

int values_resolve_fn_pointers(IrUnit **units, int n_units)
{
    GlobalVec globals = {0};
    collect_globals(&globals, units, n_units);
    int n = 0;
    for (int u = 0; u < n_units; u++) {
        IrUnit *unit = units[u];
        if (!unit || unit->parse_failed) continue;
        for (int f = 0; f < unit->n_functions; f++) n += resolve_function(unit->arena, &unit->functions[f], &globals, u);
    }
    VEC_FREE(globals);
    return n;
}
