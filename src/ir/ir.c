/* ir.c — IR unit lifetime and the IR constructors (references, locations,
 * conditions) the parse stage and the unit tests build IR with. See ir.h; the text dump
 * is in ir_dump.c. */
#include "ir/ir.h"

#include <string.h>

#include "common/util.h"

IrUnit *ir_unit_new(const char *main_file)
{
    Arena *a = arena_new();
    IrUnit *u = arena_alloc(a, sizeof(IrUnit));
    u->arena = a;
    u->main_file = arena_strdup(a, main_file);
    return u;
}

void ir_unit_free(IrUnit *u)
{
    if (u) arena_free(u->arena);
}

static IrRef ref_make(IrRefKind kind, int var)
{
    IrRef r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.var = var;
    r.call = -1;
    return r;
}

IrRef ir_ref_none(void) { return ref_make(REF_NONE, -1); }
IrRef ir_ref_var(int var) { return ref_make(REF_VAR, var); }
IrRef ir_ref_addr(int var) { return ref_make(REF_ADDR, var); }
IrRef ir_ref_other(void) { return ref_make(REF_OTHER, -1); }

IrRef ir_ref_field(int var, const char *field, bool via_pointer)
{
    IrRef r = ref_make(REF_FIELD, var);
    r.field = field;
    r.via_pointer = via_pointer;
    return r;
}

IrRef ir_ref_const(long long value)
{
    IrRef r = ref_make(REF_CONST, -1);
    r.value = value;
    return r;
}

IrRef ir_ref_call(int call_id)
{
    IrRef r = ref_make(REF_CALL, -1);
    r.call = call_id;
    return r;
}

bool ir_ref_equal(const IrRef *a, const IrRef *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case REF_NONE:
    case REF_OTHER: return true;
    case REF_VAR:
    case REF_ADDR:
    case REF_DEREF: return a->var == b->var;
    case REF_FIELD:
    case REF_ADDR_FIELD:
        return a->var == b->var && a->via_pointer == b->via_pointer && a->field && b->field &&
               strcmp(a->field, b->field) == 0;
    case REF_CALL: return a->call == b->call;
    case REF_CONST: return a->value == b->value;
    }
    return false;
}

bool ir_ref_is_testable(const IrRef *r)
{
    return r->kind == REF_VAR || r->kind == REF_FIELD || r->kind == REF_CALL;
}

IrLoc ir_loc_none(void)
{
    IrLoc l = {0, 0, 0, 0};
    return l;
}

IrCond ir_cond_unknown(void)
{
    IrCond k;
    memset(&k, 0, sizeof k);
    k.known = false;
    k.ref = ir_ref_none();
    return k;
}

IrCond ir_cond_make(IrRef ref, IrCmp op, long long value)
{
    IrCond k;
    memset(&k, 0, sizeof k);
    k.known = ir_ref_is_testable(&ref) || ref.kind == REF_CONST;
    k.ref = k.known ? ref : ir_ref_none();
    k.op = op;
    k.value = value;
    return k;
}

const char *ir_ref_global_name(const IrFunction *fn, const IrRef *r)
{
    if (r->var < 0 || r->var >= fn->n_vars || fn->vars[r->var].storage != VAR_GLOBAL) return NULL;
    switch (r->kind) {
    case REF_VAR:
    case REF_ADDR:
    case REF_FIELD:
    case REF_ADDR_FIELD:
    case REF_DEREF: return fn->vars[r->var].name;
    default: return NULL;
    }
}

const IrRef *ir_event_assigned(const IrEvent *ev)
{
    if (ev->kind == EV_ASSIGN) return &ev->u.assign.lhs;
    if (ev->kind == EV_ASSIGN_COND) return &ev->u.assign_cond.lhs;
    return NULL;
}
