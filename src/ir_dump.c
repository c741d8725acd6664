/* ir_dump.c — the stable text form of a function's IR, printed by
 * `connlint --dump-cfg FILE[:FUNCTION]` and compared by the golden CFG
 * tests (fixtures/cfg). It only formats; it never looks at code.
 *
 * Format (one function):
 *
 *   function NAME (BASENAME:LINE:COL) returns 'TYPE'[ static][ in-header][ truncated]
 *     var I NAME KIND 'TYPE'[ pointer][ record][ cleanup=FN] @LINE:COL
 *     ...
 *     B0:
 *       LINE:COL EVENT
 *       ...
 *       TERMINATOR
 *     B1:
 *     ...
 *
 * KIND is `param#N`, `local` or `global` (file-scope, extern or static local).
 * Only the file's basename is printed, so the output does not depend on
 * where the sources are checked out.
 *
 * References (IrRef): `x` variable, `&x` its address, `x.f` / `x->a.b`
 * field path (`->` when the first step goes through a pointer), `&x->f`
 * address of a field, `*x` a place reached through pointer x (`*p`, `p[i]`),
 * `call#K` the value of call K, a number for a constant (NULL is 0),
 * `<other>` anything else, `<none>` no value. A variable whose name is not
 * unique in the function is printed `name#I` (I = its index in the vars).
 *
 * Events:
 *   call#K NAME(ARGS)            direct call; ` noreturn` when it never returns
 *   call#K BASE.FIELD(ARGS)      call through a function-pointer field
 *                                (`p->f(...)` when BASE is a pointer variable)
 *   call#K <indirect>(ARGS)      call through any other pointer
 *   assign LHS = RHS[ init]      copy (init: declaration with initialiser)
 *   assign-cond LHS = COND       flag derived from a condition
 *   use REF                      handle dereferenced
 *   return REF[ implicit]        leaving the function (implicit: closing brace)
 *   scope-end VAR                cleanup variable leaves its scope
 *   func-ref NAME                function name used as a value
 *
 * Conditions: `(REF OP VALUE)` with OP one of == != < <= > >=, or
 * `(unknown)` when the parse stage could not reduce it.
 *
 * Terminators:
 *   -> B1                                      jump
 *   branch COND "SOURCE TEXT" @L:C -> BT, BF   true successor first
 *   switch REF "SOURCE TEXT" @L:C: V -> B2; LO..HI -> B3; default -> B4 | no default -> B5
 *   return                                     (the last event is a return)
 *   noreturn                                   (ends in a call that never returns)
 *   indirect -> B2, B3                         computed goto: every address-taken label
 */
#include <string.h>

#include "ir.h"
#include "util.h"

static const char *basename_of(const char *path)
{
    if (!path) return "?";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void put_var(StrBuf *sb, const IrFunction *fn, int v)
{
    if (v < 0 || v >= fn->n_vars) {
        sb_printf(sb, "<bad var %d>", v);
        return;
    }
    const char *name = fn->vars[v].name ? fn->vars[v].name : "";
    bool unique = *name != '\0';
    for (int i = 0; i < fn->n_vars && unique; i++)
        if (i != v && fn->vars[i].name && strcmp(fn->vars[i].name, name) == 0) unique = false;
    if (unique) sb_append(sb, name);
    else sb_printf(sb, "%s#%d", name, v);
}

static void put_ref(StrBuf *sb, const IrFunction *fn, const IrRef *r)
{
    switch (r->kind) {
    case REF_NONE: sb_append(sb, "<none>"); break;
    case REF_OTHER: sb_append(sb, "<other>"); break;
    case REF_CONST: sb_printf(sb, "%lld", r->value); break;
    case REF_CALL: sb_printf(sb, "call#%d", r->call); break;
    case REF_VAR: put_var(sb, fn, r->var); break;
    case REF_ADDR:
        sb_append_char(sb, '&');
        put_var(sb, fn, r->var);
        break;
    case REF_DEREF:
        sb_append_char(sb, '*');
        put_var(sb, fn, r->var);
        break;
    case REF_FIELD:
    case REF_ADDR_FIELD:
        if (r->kind == REF_ADDR_FIELD) sb_append_char(sb, '&');
        put_var(sb, fn, r->var);
        sb_append(sb, r->via_pointer ? "->" : ".");
        sb_append(sb, r->field ? r->field : "?");
        break;
    }
}

static const char *cmp_text(IrCmp op)
{
    static const char *const t[] = {"==", "!=", "<", "<=", ">", ">="};
    return (int)op >= 0 && (int)op < 6 ? t[op] : "?";
}

static void put_cond(StrBuf *sb, const IrFunction *fn, const IrCond *c)
{
    if (!c->known) {
        sb_append(sb, "(unknown)");
        return;
    }
    sb_append_char(sb, '(');
    put_ref(sb, fn, &c->ref);
    sb_printf(sb, " %s %lld)", cmp_text(c->op), c->value);
}

static void put_call(StrBuf *sb, const IrFunction *fn, const IrCall *c)
{
    sb_printf(sb, "call#%d ", c->id);
    if (c->callee_kind == CALLEE_DIRECT) {
        sb_append(sb, c->callee ? c->callee : "?");
    } else if (c->callee_kind == CALLEE_MEMBER) {
        put_ref(sb, fn, &c->base);
        sb_append(sb, c->base.kind == REF_VAR && c->base.via_pointer ? "->" : ".");
        sb_append(sb, c->callee ? c->callee : "?");
    } else {
        sb_append(sb, "<indirect>");
    }
    sb_append_char(sb, '(');
    for (int i = 0; i < c->nargs; i++) {
        if (i) sb_append(sb, ", ");
        put_ref(sb, fn, &c->args[i]);
    }
    sb_append_char(sb, ')');
    if (c->noreturn) sb_append(sb, " noreturn");
}

static void put_event(StrBuf *sb, const IrFunction *fn, const IrEvent *e)
{
    sb_printf(sb, "    %d:%d ", e->loc.line, e->loc.col);
    switch (e->kind) {
    case EV_CALL: put_call(sb, fn, &e->u.call); break;
    case EV_ASSIGN:
        sb_append(sb, "assign ");
        put_ref(sb, fn, &e->u.assign.lhs);
        sb_append(sb, " = ");
        put_ref(sb, fn, &e->u.assign.rhs);
        if (e->u.assign.is_init) sb_append(sb, " init");
        break;
    case EV_ASSIGN_COND:
        sb_append(sb, "assign-cond ");
        put_ref(sb, fn, &e->u.assign_cond.lhs);
        sb_append(sb, " = ");
        put_cond(sb, fn, &e->u.assign_cond.cond);
        break;
    case EV_USE:
        sb_append(sb, "use ");
        put_ref(sb, fn, &e->u.use.ref);
        break;
    case EV_RETURN:
        sb_append(sb, "return ");
        put_ref(sb, fn, &e->u.ret.value);
        if (e->u.ret.implicit) sb_append(sb, " implicit");
        break;
    case EV_SCOPE_END:
        sb_append(sb, "scope-end ");
        put_var(sb, fn, e->u.scope.var);
        break;
    case EV_FUNC_REF: sb_printf(sb, "func-ref %s", e->u.func_ref.name ? e->u.func_ref.name : "?"); break;
    }
    sb_append_char(sb, '\n');
}

static void put_succ_list(StrBuf *sb, const IrBlock *b)
{
    for (int i = 0; i < b->n_succ; i++) sb_printf(sb, "%sB%d", i ? ", " : "", b->succ[i]);
}

static void put_text(StrBuf *sb, const char *text)
{
    if (!text) return;
    sb_append(sb, " \"");
    sb_append(sb, text);
    sb_append_char(sb, '"');
}

static void put_terminator(StrBuf *sb, const IrFunction *fn, const IrBlock *b)
{
    sb_append(sb, "    ");
    switch (b->term) {
    case TERM_JUMP: sb_printf(sb, "-> B%d", b->n_succ ? b->succ[0] : -1); break;
    case TERM_BRANCH:
        sb_append(sb, "branch ");
        put_cond(sb, fn, &b->cond);
        put_text(sb, b->cond_text);
        sb_printf(sb, " @%d:%d -> ", b->term_loc.line, b->term_loc.col);
        put_succ_list(sb, b);
        break;
    case TERM_SWITCH:
        sb_append(sb, "switch ");
        put_ref(sb, fn, &b->switch_on);
        put_text(sb, b->cond_text);
        sb_printf(sb, " @%d:%d:", b->term_loc.line, b->term_loc.col);
        for (int i = 0; i < b->n_cases; i++) {
            const IrCase *c = &b->cases[i];
            if (c->lo == c->hi) sb_printf(sb, " %lld -> B%d;", c->lo, c->target);
            else sb_printf(sb, " %lld..%lld -> B%d;", c->lo, c->hi, c->target);
        }
        if (b->default_target >= 0) sb_printf(sb, " default -> B%d", b->default_target);
        else sb_printf(sb, " no default -> B%d", b->n_succ ? b->succ[b->n_succ - 1] : -1);
        break;
    case TERM_RETURN: sb_append(sb, "return"); break;
    case TERM_NORETURN: sb_append(sb, "noreturn"); break;
    case TERM_INDIRECT:
        sb_append(sb, "indirect -> ");
        put_succ_list(sb, b);
        break;
    }
    sb_append_char(sb, '\n');
}

static void put_header(StrBuf *sb, const IrFunction *fn)
{
    sb_printf(sb, "function %s (%s:%d:%d) returns '%s'", fn->name, basename_of(fn->file), fn->loc.line,
              fn->loc.col, fn->return_type ? fn->return_type : "?");
    if (fn->is_static) sb_append(sb, " static");
    if (fn->in_header) sb_append(sb, " in-header");
    if (fn->truncated) sb_append(sb, " truncated");
    sb_append_char(sb, '\n');
    for (int i = 0; i < fn->n_vars; i++) {
        const IrVar *v = &fn->vars[i];
        sb_printf(sb, "  var %d %s ", i, v->name ? v->name : "");
        if (v->storage == VAR_PARAM) sb_printf(sb, "param#%d", v->param_index);
        else sb_append(sb, v->storage == VAR_LOCAL ? "local" : "global");
        sb_printf(sb, " '%s'", v->type ? v->type : "?");
        if (v->is_pointer) sb_append(sb, " pointer");
        if (v->is_record) sb_append(sb, " record");
        if (v->cleanup_fn) sb_printf(sb, " cleanup=%s", v->cleanup_fn);
        sb_printf(sb, " @%d:%d\n", v->loc.line, v->loc.col);
    }
}

char *ir_dump_function(const IrFunction *fn)
{
    StrBuf sb;
    sb_init(&sb);
    put_header(&sb, fn);
    for (int i = 0; i < fn->n_blocks; i++) {
        const IrBlock *b = &fn->blocks[i];
        sb_printf(&sb, "  B%d:\n", b->id);
        for (int k = 0; k < b->n_events; k++) put_event(&sb, fn, &b->events[k]);
        put_terminator(&sb, fn, b);
    }
    return sb_take(&sb);
}
