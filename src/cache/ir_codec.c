/* ir_codec.c — IrUnit to bytes and back (see ir_codec.h). The encoding
 * follows the structs of ir.h in declaration order; any change to ir.h
 * must bump CACHE_FORMAT_VERSION (cache_store.h), which the round-trip unit
 * test (tests/unit/test_cache.c) helps notice. */
#include "cache/ir_codec.h"

#include <limits.h>
#include <string.h>

/* ---- encoding ------------------------------------------------------------ */

static void put_loc(ByteBuf *b, const IrLoc *l)
{
    bytes_put_i64(b, l->line);
    bytes_put_i64(b, l->col);
    bytes_put_i64(b, l->end_line);
    bytes_put_i64(b, l->end_col);
}

static void put_ref(ByteBuf *b, const IrRef *r)
{
    bytes_put_i64(b, (int64_t)r->kind);
    bytes_put_i64(b, r->var);
    bytes_put_str(b, r->field);
    bytes_put_bool(b, r->via_pointer);
    bytes_put_i64(b, r->call);
    bytes_put_i64(b, r->value);
}

static void put_cond(ByteBuf *b, const IrCond *c)
{
    bytes_put_bool(b, c->known);
    put_ref(b, &c->ref);
    bytes_put_i64(b, (int64_t)c->op);
    bytes_put_i64(b, c->value);
    put_ref(b, &c->ref2);
}

static void put_call(ByteBuf *b, const IrCall *c)
{
    bytes_put_i64(b, c->id);
    bytes_put_i64(b, (int64_t)c->callee_kind);
    bytes_put_str(b, c->callee);
    put_ref(b, &c->base);
    bytes_put_u64(b, (uint64_t)c->nargs);
    for (int i = 0; i < c->nargs; i++) put_ref(b, &c->args[i]);
    bytes_put_bool(b, c->noreturn);
    put_loc(b, &c->loc);
    bytes_put_str(b, c->spelled);
    bytes_put_i64(b, c->callee_var);
    bytes_put_bool(b, c->callee_system);
    bytes_put_i64(b, c->callback_arg);
}

static void put_event(ByteBuf *b, const IrEvent *e)
{
    bytes_put_i64(b, (int64_t)e->kind);
    put_loc(b, &e->loc);
    switch (e->kind) {
    case EV_CALL: put_call(b, &e->u.call); break;
    case EV_ASSIGN:
        put_ref(b, &e->u.assign.lhs);
        put_ref(b, &e->u.assign.rhs);
        bytes_put_bool(b, e->u.assign.is_init);
        bytes_put_bool(b, e->u.assign.adds);
        bytes_put_i64(b, e->u.assign.add);
        bytes_put_str(b, e->u.assign.func);
        break;
    case EV_ASSIGN_COND:
        put_ref(b, &e->u.assign_cond.lhs);
        put_cond(b, &e->u.assign_cond.cond);
        break;
    case EV_USE: put_ref(b, &e->u.use.ref); break;
    case EV_RETURN:
        put_ref(b, &e->u.ret.value);
        bytes_put_bool(b, e->u.ret.implicit);
        break;
    case EV_SCOPE_END: bytes_put_i64(b, e->u.scope.var); break;
    case EV_FUNC_REF: bytes_put_str(b, e->u.func_ref.name); break;
    }
}

static void put_block(ByteBuf *b, const IrBlock *blk)
{
    bytes_put_i64(b, blk->id);
    bytes_put_u64(b, (uint64_t)blk->n_events);
    for (int e = 0; e < blk->n_events; e++) put_event(b, &blk->events[e]);
    bytes_put_i64(b, (int64_t)blk->term);
    put_cond(b, &blk->cond);
    bytes_put_str(b, blk->cond_text);
    put_ref(b, &blk->switch_on);
    bytes_put_u64(b, (uint64_t)blk->n_cases);
    for (int c = 0; c < blk->n_cases; c++) {
        bytes_put_i64(b, blk->cases[c].lo);
        bytes_put_i64(b, blk->cases[c].hi);
        bytes_put_i64(b, blk->cases[c].target);
    }
    bytes_put_i64(b, blk->default_target);
    bytes_put_u64(b, (uint64_t)blk->n_succ);
    for (int s = 0; s < blk->n_succ; s++) bytes_put_i64(b, blk->succ[s]);
    put_loc(b, &blk->term_loc);
}

static void put_var(ByteBuf *b, const IrVar *v)
{
    bytes_put_str(b, v->name);
    bytes_put_i64(b, (int64_t)v->storage);
    bytes_put_i64(b, v->param_index);
    bytes_put_str(b, v->type);
    bytes_put_bool(b, v->is_pointer);
    bytes_put_bool(b, v->is_record);
    bytes_put_bool(b, v->is_union);
    bytes_put_str(b, v->cleanup_fn);
    bytes_put_bool(b, v->has_static_value);
    bytes_put_i64(b, v->static_value);
    put_loc(b, &v->loc);
}

static void put_function(ByteBuf *b, const IrFunction *fn)
{
    bytes_put_str(b, fn->name);
    bytes_put_str(b, fn->file);
    bytes_put_bool(b, fn->is_static);
    bytes_put_bool(b, fn->in_header);
    bytes_put_i64(b, fn->n_params);
    bytes_put_str(b, fn->return_type);
    bytes_put_bool(b, fn->returns_pointer);
    put_loc(b, &fn->loc);
    put_loc(b, &fn->body);
    bytes_put_u64(b, (uint64_t)fn->n_vars);
    for (int i = 0; i < fn->n_vars; i++) put_var(b, &fn->vars[i]);
    bytes_put_i64(b, fn->n_calls);
    bytes_put_u64(b, (uint64_t)fn->n_blocks);
    for (int i = 0; i < fn->n_blocks; i++) put_block(b, &fn->blocks[i]);
    bytes_put_bool(b, fn->truncated);
    bytes_put_bool(b, fn->has_errors);
}

void ir_function_encode(ByteBuf *b, const IrFunction *fn) { put_function(b, fn); }

void ir_unit_encode(ByteBuf *b, const IrUnit *u)
{
    bytes_put_str(b, u->main_file);
    bytes_put_bool(b, u->parse_failed);
    bytes_put_bool(b, u->has_errors);
    bytes_put_u64(b, (uint64_t)u->n_functions);
    for (int i = 0; i < u->n_functions; i++) put_function(b, &u->functions[i]);
    bytes_put_u64(b, (uint64_t)u->n_global_refs);
    for (int i = 0; i < u->n_global_refs; i++) {
        bytes_put_str(b, u->global_refs[i].name);
        bytes_put_str(b, u->global_refs[i].file);
        put_loc(b, &u->global_refs[i].loc);
    }
    bytes_put_u64(b, (uint64_t)u->n_global_vars);
    for (int i = 0; i < u->n_global_vars; i++) {
        const IrGlobalVar *g = &u->global_vars[i];
        bytes_put_str(b, g->name);
        bytes_put_bool(b, g->is_static);
        bytes_put_bool(b, g->is_integer);
        bytes_put_bool(b, g->has_value);
        bytes_put_i64(b, g->value);
        bytes_put_str(b, g->init_func);
        bytes_put_bool(b, g->init_null);
        bytes_put_bool(b, g->tentative);
    }
    bytes_put_u64(b, (uint64_t)u->n_global_var_escapes);
    for (int i = 0; i < u->n_global_var_escapes; i++) bytes_put_str(b, u->global_var_escapes[i]);
    bytes_put_u64(b, (uint64_t)u->n_alloc_attrs);
    for (int i = 0; i < u->n_alloc_attrs; i++) {
        const IrAllocAttr *at = &u->alloc_attrs[i];
        bytes_put_i64(b, at->form);
        bytes_put_str(b, at->function);
        bytes_put_str(b, at->key);
        bytes_put_i64(b, at->arg);
        bytes_put_str(b, at->file);
        bytes_put_i64(b, at->line);
        bytes_put_i64(b, at->same_type_arg);
    }
    bytes_put_u64(b, (uint64_t)u->n_diags);
    for (int i = 0; i < u->n_diags; i++) {
        bytes_put_str(b, u->diags[i].file);
        bytes_put_i64(b, u->diags[i].line);
        bytes_put_i64(b, u->diags[i].col);
        bytes_put_str(b, u->diags[i].message);
        bytes_put_bool(b, u->diags[i].is_error);
    }
}

/* ---- decoding: every index is checked against what it indexes ----------- */

typedef struct {
    ByteReader *r;
    Arena *a;
    int n_vars, n_calls, n_blocks; /* of the function being read */
} Dec;

static int get_int(Dec *d) { return reader_int(d->r, INT_MIN, INT_MAX); }

static void get_loc(Dec *d, IrLoc *l)
{
    l->line = get_int(d);
    l->col = get_int(d);
    l->end_line = get_int(d);
    l->end_col = get_int(d);
}

static void get_ref(Dec *d, IrRef *r)
{
    r->kind = (IrRefKind)reader_int(d->r, REF_NONE, REF_OTHER);
    /* the index fields mean something for some kinds only (and are left
     * as they were built, often 0, for the others) */
    bool names_var = r->kind >= REF_VAR && r->kind <= REF_DEREF;
    r->var = names_var ? reader_int(d->r, -1, d->n_vars - 1) : get_int(d);
    r->field = reader_str(d->r, d->a);
    r->via_pointer = reader_bool(d->r);
    r->call = r->kind == REF_CALL ? reader_int(d->r, -1, d->n_calls - 1) : get_int(d);
    r->value = reader_i64(d->r);
}

static void get_cond(Dec *d, IrCond *c)
{
    c->known = reader_bool(d->r);
    get_ref(d, &c->ref);
    c->op = (IrCmp)reader_int(d->r, CMP_EQ, CMP_GE);
    c->value = reader_i64(d->r);
    get_ref(d, &c->ref2);
}

static void get_call(Dec *d, IrCall *c)
{
    c->id = reader_int(d->r, -1, d->n_calls - 1);
    c->callee_kind = (IrCalleeKind)reader_int(d->r, CALLEE_DIRECT, CALLEE_INDIRECT);
    c->callee = reader_str(d->r, d->a);
    get_ref(d, &c->base);
    c->nargs = reader_count(d->r);
    c->args = arena_alloc(d->a, sizeof(IrRef) * (size_t)(c->nargs + 1));
    for (int i = 0; i < c->nargs && !d->r->failed; i++) get_ref(d, &c->args[i]);
    c->noreturn = reader_bool(d->r);
    get_loc(d, &c->loc);
    c->spelled = reader_str(d->r, d->a);
    c->callee_var = reader_int(d->r, -1, d->n_vars - 1);
    c->callee_system = reader_bool(d->r);
    c->callback_arg = reader_int(d->r, 0, c->nargs);
}

static void get_event(Dec *d, IrEvent *e)
{
    e->kind = (IrEventKind)reader_int(d->r, EV_CALL, EV_FUNC_REF);
    get_loc(d, &e->loc);
    switch (e->kind) {
    case EV_CALL: get_call(d, &e->u.call); break;
    case EV_ASSIGN:
        get_ref(d, &e->u.assign.lhs);
        get_ref(d, &e->u.assign.rhs);
        e->u.assign.is_init = reader_bool(d->r);
        e->u.assign.adds = reader_bool(d->r);
        e->u.assign.add = reader_i64(d->r);
        e->u.assign.func = reader_str(d->r, d->a);
        break;
    case EV_ASSIGN_COND:
        get_ref(d, &e->u.assign_cond.lhs);
        get_cond(d, &e->u.assign_cond.cond);
        break;
    case EV_USE: get_ref(d, &e->u.use.ref); break;
    case EV_RETURN:
        get_ref(d, &e->u.ret.value);
        e->u.ret.implicit = reader_bool(d->r);
        break;
    case EV_SCOPE_END: e->u.scope.var = reader_int(d->r, -1, d->n_vars - 1); break;
    case EV_FUNC_REF: e->u.func_ref.name = reader_str(d->r, d->a); break;
    }
}

static int get_target(Dec *d) { return reader_int(d->r, -1, d->n_blocks - 1); }

static void get_block(Dec *d, IrBlock *blk)
{
    blk->id = get_int(d);
    blk->n_events = reader_count(d->r);
    blk->events = arena_alloc(d->a, sizeof(IrEvent) * (size_t)(blk->n_events + 1));
    for (int e = 0; e < blk->n_events && !d->r->failed; e++) get_event(d, &blk->events[e]);
    blk->term = (IrTermKind)reader_int(d->r, TERM_JUMP, TERM_INDIRECT);
    get_cond(d, &blk->cond);
    blk->cond_text = reader_str(d->r, d->a);
    get_ref(d, &blk->switch_on);
    blk->n_cases = reader_count(d->r);
    blk->cases = arena_alloc(d->a, sizeof(IrCase) * (size_t)(blk->n_cases + 1));
    for (int c = 0; c < blk->n_cases && !d->r->failed; c++) {
        blk->cases[c].lo = reader_i64(d->r);
        blk->cases[c].hi = reader_i64(d->r);
        blk->cases[c].target = get_target(d);
    }
    blk->default_target = get_target(d);
    blk->n_succ = reader_count(d->r);
    blk->succ = arena_alloc(d->a, sizeof(int) * (size_t)(blk->n_succ + 1));
    for (int s = 0; s < blk->n_succ && !d->r->failed; s++) blk->succ[s] = get_target(d);
    get_loc(d, &blk->term_loc);
}

static void get_var(Dec *d, IrVar *v)
{
    v->name = reader_str(d->r, d->a);
    v->storage = (IrVarStorage)reader_int(d->r, VAR_LOCAL, VAR_GLOBAL);
    v->param_index = get_int(d);
    v->type = reader_str(d->r, d->a);
    v->is_pointer = reader_bool(d->r);
    v->is_record = reader_bool(d->r);
    v->is_union = reader_bool(d->r);
    v->cleanup_fn = reader_str(d->r, d->a);
    v->has_static_value = reader_bool(d->r);
    v->static_value = get_int(d);
    get_loc(d, &v->loc);
}

static void get_function(Dec *d, IrFunction *fn)
{
    fn->name = reader_str(d->r, d->a);
    fn->file = reader_str(d->r, d->a);
    fn->is_static = reader_bool(d->r);
    fn->in_header = reader_bool(d->r);
    fn->n_params = reader_int(d->r, 0, INT_MAX);
    fn->return_type = reader_str(d->r, d->a);
    fn->returns_pointer = reader_bool(d->r);
    get_loc(d, &fn->loc);
    get_loc(d, &fn->body);
    fn->n_vars = reader_count(d->r);
    d->n_vars = fn->n_vars;
    fn->vars = arena_alloc(d->a, sizeof(IrVar) * (size_t)(fn->n_vars + 1));
    for (int i = 0; i < fn->n_vars && !d->r->failed; i++) get_var(d, &fn->vars[i]);
    fn->n_calls = reader_int(d->r, 0, INT_MAX);
    d->n_calls = fn->n_calls;
    /* blocks refer to each other by index: the count comes first */
    fn->n_blocks = reader_count(d->r);
    d->n_blocks = fn->n_blocks;
    fn->blocks = arena_alloc(d->a, sizeof(IrBlock) * (size_t)(fn->n_blocks + 1));
    for (int i = 0; i < fn->n_blocks && !d->r->failed; i++) get_block(d, &fn->blocks[i]);
    fn->truncated = reader_bool(d->r);
    fn->has_errors = reader_bool(d->r);
}

IrUnit *ir_unit_decode(ByteReader *r)
{
    Arena *a = arena_new();
    IrUnit *u = arena_alloc(a, sizeof(IrUnit));
    u->arena = a;
    Dec d = {r, a, 0, 0, 0};
    u->main_file = reader_str(r, a);
    u->parse_failed = reader_bool(r);
    u->has_errors = reader_bool(r);
    u->n_functions = reader_count(r);
    u->functions = arena_alloc(a, sizeof(IrFunction) * (size_t)(u->n_functions + 1));
    for (int i = 0; i < u->n_functions && !r->failed; i++) get_function(&d, &u->functions[i]);
    u->n_global_refs = reader_count(r);
    u->global_refs = arena_alloc(a, sizeof(IrGlobalRef) * (size_t)(u->n_global_refs + 1));
    for (int i = 0; i < u->n_global_refs && !r->failed; i++) {
        u->global_refs[i].name = reader_str(r, a);
        u->global_refs[i].file = reader_str(r, a);
        get_loc(&d, &u->global_refs[i].loc);
    }
    u->n_global_vars = reader_count(r);
    u->global_vars = arena_alloc(a, sizeof(IrGlobalVar) * (size_t)(u->n_global_vars + 1));
    for (int i = 0; i < u->n_global_vars && !r->failed; i++) {
        IrGlobalVar *g = &u->global_vars[i];
        g->name = reader_str(r, a);
        g->is_static = reader_bool(r);
        g->is_integer = reader_bool(r);
        g->has_value = reader_bool(r);
        g->value = reader_i64(r);
        g->init_func = reader_str(r, a);
        g->init_null = reader_bool(r);
        g->tentative = reader_bool(r);
    }
    u->n_global_var_escapes = reader_count(r);
    u->global_var_escapes = arena_alloc(a, sizeof(char *) * (size_t)(u->n_global_var_escapes + 1));
    for (int i = 0; i < u->n_global_var_escapes && !r->failed; i++) u->global_var_escapes[i] = reader_str(r, a);
    u->n_alloc_attrs = reader_count(r);
    u->alloc_attrs = arena_alloc(a, sizeof(IrAllocAttr) * (size_t)(u->n_alloc_attrs + 1));
    for (int i = 0; i < u->n_alloc_attrs && !r->failed; i++) {
        IrAllocAttr *at = &u->alloc_attrs[i];
        int form = get_int(&d);
        at->form = form >= IR_ATTR_OWNERSHIP_RETURNS && form <= IR_ATTR_MALLOC_DEALLOC ? (IrAttrForm)form
                                                                                      : IR_ATTR_OWNERSHIP_RETURNS;
        if (form != (int)at->form) r->failed = true;
        at->function = reader_str(r, a);
        at->key = reader_str(r, a);
        at->arg = get_int(&d);
        at->file = reader_str(r, a);
        at->line = get_int(&d);
        at->same_type_arg = reader_int(r, -1, 1 << 20);
        if (!at->function || !at->key || !at->file) r->failed = true;
    }
    u->n_diags = reader_count(r);
    u->diags = arena_alloc(a, sizeof(IrDiag) * (size_t)(u->n_diags + 1));
    for (int i = 0; i < u->n_diags && !r->failed; i++) {
        u->diags[i].file = reader_str(r, a);
        u->diags[i].line = get_int(&d);
        u->diags[i].col = get_int(&d);
        u->diags[i].message = reader_str(r, a);
        u->diags[i].is_error = reader_bool(r);
    }
    if (r->failed || !u->main_file) {
        arena_free(a);
        return NULL;
    }
    return u;
}
