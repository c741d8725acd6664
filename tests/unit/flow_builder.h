/* flow_builder.h — builds IR functions by hand for the resource-flow and
 * match unit tests (no libclang): variables, blocks, events, terminators,
 * each event at the "current line" set with fb_line(). Fixed capacities
 * (enough for tests); everything lives in the unit's arena. */
#ifndef CONNLINT_FLOW_BUILDER_H
#define CONNLINT_FLOW_BUILDER_H

#include <stdarg.h>
#include <string.h>

#include "checks/registry.h"
#include "ir/ir.h"
#include "cli/rulepack.h"

#define FB_MAX_BLOCKS 64
#define FB_MAX_EVENTS 32
#define FB_MAX_VARS 32

typedef struct {
    IrUnit *u;
    IrFunction *fn;
    int line;
} Fb;

static inline Fb fb_new(const char *name)
{
    Fb b;
    b.u = ir_unit_new("/src/test.c");
    b.u->functions = arena_alloc(b.u->arena, sizeof(IrFunction));
    b.u->n_functions = 1;
    b.fn = &b.u->functions[0];
    b.fn->name = name;
    b.fn->file = "/src/test.c";
    b.fn->return_type = "int";
    b.fn->vars = arena_alloc(b.u->arena, FB_MAX_VARS * sizeof(IrVar));
    b.fn->blocks = arena_alloc(b.u->arena, FB_MAX_BLOCKS * sizeof(IrBlock));
    b.line = 1;
    return b;
}

static inline void fb_line(Fb *b, int line) { b->line = line; }

static inline IrLoc fb_loc(Fb *b, int col, int len)
{
    IrLoc l = {b->line, col, b->line, col + len};
    return l;
}

static inline int fb_var_full(Fb *b, const char *name, IrVarStorage st, bool ptr, bool rec)
{
    IrVar *v = &b->fn->vars[b->fn->n_vars];
    v->name = name;
    v->storage = st;
    v->param_index = st == VAR_PARAM ? b->fn->n_params++ : -1;
    v->type = ptr ? "void *" : rec ? "struct db_session" : "int";
    v->is_pointer = ptr;
    v->is_record = rec;
    v->loc = fb_loc(b, 5, (int)strlen(name));
    return b->fn->n_vars++;
}

static inline int fb_local(Fb *b, const char *name) { return fb_var_full(b, name, VAR_LOCAL, true, false); }
static inline int fb_int(Fb *b, const char *name) { return fb_var_full(b, name, VAR_LOCAL, false, false); }
static inline int fb_record(Fb *b, const char *name) { return fb_var_full(b, name, VAR_LOCAL, false, true); }
static inline int fb_param(Fb *b, const char *name) { return fb_var_full(b, name, VAR_PARAM, true, false); }
static inline int fb_global(Fb *b, const char *name) { return fb_var_full(b, name, VAR_GLOBAL, true, false); }

static inline int fb_block(Fb *b)
{
    IrBlock *blk = &b->fn->blocks[b->fn->n_blocks];
    blk->id = b->fn->n_blocks;
    blk->events = arena_alloc(b->u->arena, FB_MAX_EVENTS * sizeof(IrEvent));
    blk->succ = arena_alloc(b->u->arena, 8 * sizeof(int));
    blk->term = TERM_JUMP;
    blk->default_target = -1;
    return b->fn->n_blocks++;
}

static inline IrEvent *fb_event(Fb *b, int blk, IrEventKind kind)
{
    IrBlock *bl = &b->fn->blocks[blk];
    IrEvent *e = &bl->events[bl->n_events++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->loc = fb_loc(b, 5, 10);
    return e;
}

/* fb_call(b, blk, "PQfinish", 1, ir_ref_var(c)) — returns the call id */
static inline int fb_call_v(Fb *b, int blk, IrCalleeKind kind, const char *callee, IrRef base, int nargs,
                            va_list ap)
{
    IrEvent *e = fb_event(b, blk, EV_CALL);
    IrCall *c = &e->u.call;
    c->id = b->fn->n_calls++;
    c->callee_kind = kind;
    c->callee = callee;
    c->base = base;
    c->nargs = nargs;
    c->args = arena_alloc(b->u->arena, (size_t)(nargs + 1) * sizeof(IrRef));
    for (int i = 0; i < nargs; i++) c->args[i] = va_arg(ap, IrRef);
    c->loc = fb_loc(b, 12, 20);
    e->loc = c->loc;
    return c->id;
}

static inline int fb_call(Fb *b, int blk, const char *callee, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    int id = fb_call_v(b, blk, CALLEE_DIRECT, callee, ir_ref_none(), nargs, ap);
    va_end(ap);
    return id;
}

static inline int fb_member_call(Fb *b, int blk, const char *field, IrRef base, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    int id = fb_call_v(b, blk, CALLEE_MEMBER, field, base, nargs, ap);
    va_end(ap);
    return id;
}

static inline void fb_noreturn_call(Fb *b, int blk, const char *callee)
{
    va_list ap; /* unused: no arguments */
    IrEvent *e = fb_event(b, blk, EV_CALL);
    (void)ap;
    e->u.call.id = b->fn->n_calls++;
    e->u.call.callee_kind = CALLEE_DIRECT;
    e->u.call.callee = callee;
    e->u.call.base = ir_ref_none();
    e->u.call.noreturn = true;
    e->u.call.loc = fb_loc(b, 5, 6);
    b->fn->blocks[blk].term = TERM_NORETURN;
    b->fn->blocks[blk].n_succ = 0;
}

static inline void fb_assign(Fb *b, int blk, IrRef lhs, IrRef rhs)
{
    IrEvent *e = fb_event(b, blk, EV_ASSIGN);
    e->u.assign.lhs = lhs;
    e->u.assign.rhs = rhs;
}

static inline IrCond fb_cond(IrRef ref, IrCmp op, long long value)
{
    IrCond c = ir_cond_make(ref, op, value);
    c.ref2 = ir_ref_none();
    return c;
}

static inline IrCond fb_unknown_cond(void)
{
    IrCond c = ir_cond_unknown();
    c.ref = ir_ref_other();
    c.ref2 = ir_ref_none();
    return c;
}

/* a == b / a != b between two references (known is false) */
static inline IrCond fb_pair_cond(IrRef a, IrCmp op, IrRef b)
{
    IrCond c = fb_unknown_cond();
    c.ref = a;
    c.op = op;
    c.ref2 = b;
    return c;
}

static inline void fb_assign_cond(Fb *b, int blk, IrRef lhs, IrCond cond)
{
    IrEvent *e = fb_event(b, blk, EV_ASSIGN_COND);
    e->u.assign_cond.lhs = lhs;
    e->u.assign_cond.cond = cond;
}

static inline void fb_use(Fb *b, int blk, IrRef ref)
{
    IrEvent *e = fb_event(b, blk, EV_USE);
    e->u.use.ref = ref;
}

static inline void fb_scope_end(Fb *b, int blk, int var)
{
    IrEvent *e = fb_event(b, blk, EV_SCOPE_END);
    e->u.scope.var = var;
}

static inline void fb_return(Fb *b, int blk, IrRef value)
{
    IrEvent *e = fb_event(b, blk, EV_RETURN);
    e->u.ret.value = value;
    b->fn->blocks[blk].term = TERM_RETURN;
    b->fn->blocks[blk].n_succ = 0;
}

static inline void fb_return_implicit(Fb *b, int blk)
{
    IrEvent *e = fb_event(b, blk, EV_RETURN);
    e->u.ret.value = ir_ref_none();
    e->u.ret.implicit = true;
    e->loc = fb_loc(b, 1, 1);
    b->fn->blocks[blk].term = TERM_RETURN;
    b->fn->blocks[blk].n_succ = 0;
}

static inline void fb_jump(Fb *b, int blk, int to)
{
    IrBlock *bl = &b->fn->blocks[blk];
    bl->term = TERM_JUMP;
    bl->succ[0] = to;
    bl->n_succ = 1;
    bl->term_loc = fb_loc(b, 5, 4);
}

static inline void fb_branch(Fb *b, int blk, IrCond cond, const char *text, int yes, int no)
{
    IrBlock *bl = &b->fn->blocks[blk];
    bl->term = TERM_BRANCH;
    bl->cond = cond;
    bl->cond_text = text;
    bl->succ[0] = yes;
    bl->succ[1] = no;
    bl->n_succ = 2;
    bl->term_loc = fb_loc(b, 9, text ? (int)strlen(text) : 1);
}

/* cases: pairs (value, target); default_target may be -1 */
static inline void fb_switch(Fb *b, int blk, IrRef on, int n_cases, const long long *values,
                             const int *targets, int default_target, int after)
{
    IrBlock *bl = &b->fn->blocks[blk];
    bl->term = TERM_SWITCH;
    bl->switch_on = on;
    bl->cases = arena_alloc(b->u->arena, (size_t)(n_cases + 1) * sizeof(IrCase));
    bl->succ = arena_alloc(b->u->arena, (size_t)(n_cases + 1) * sizeof(int));
    bl->n_cases = n_cases;
    bl->n_succ = 0;
    for (int i = 0; i < n_cases; i++) {
        bl->cases[i].lo = bl->cases[i].hi = values[i];
        bl->cases[i].target = targets[i];
        bl->succ[bl->n_succ++] = targets[i];
    }
    bl->default_target = default_target;
    bl->succ[bl->n_succ++] = default_target >= 0 ? default_target : after;
    bl->term_loc = fb_loc(b, 5, 6);
}

static inline IrRef fb_deref(int var)
{
    IrRef r = ir_ref_var(var);
    r.kind = REF_DEREF;
    return r;
}

static inline IrRef fb_addr_field(int var, const char *field)
{
    IrRef r = ir_ref_field(var, field, false);
    r.kind = REF_ADDR_FIELD;
    return r;
}

static inline IrRef fb_via(int var)
{
    IrRef r = ir_ref_var(var);
    r.via_pointer = true;
    return r;
}

#endif
