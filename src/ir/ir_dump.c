/* ir_dump.c — the stable text form of a function's IR, printed by
 * `connlint --dump-cfg FILE[:FUNCTION]` and compared by the golden CFG
 * tests (fixtures/cfg). It only formats; it never looks at code.
 *
 * Format (one function):
 *
 *   function NAME (BASENAME:LINE:COL) returns 'TYPE'[ static][ in-header][ truncated][ has-errors]
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
 * `(unknown)` when the parse stage could not reduce it, or
 * `(unknown: REF == REF2)` / `(unknown: REF != REF2)` for a comparison of
 * two references (IrCond.ref2).
 *
 * Terminators:
 *   -> B1                                      jump
 *   branch COND "SOURCE TEXT" @L:C -> BT, BF   true successor first
 *   switch REF "SOURCE TEXT" @L:C: V -> B2; LO..HI -> B3; default -> B4 | no default -> B5
 *   return                                     (the last event is a return)
 *   noreturn                                   (ends in a call that never returns)
 *   indirect -> B2, B3                         computed goto: every address-taken label
 */
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "common/util.h"

/* The dump of one function: the output and which variable names are
 * shared by several variables (those print with their index). */
typedef struct {
    StrBuf sb;
    const IrFunction *fn;
    bool *shared;
} Dump;

static const char *basename_of(const char *path)
{
    if (!path) return "?";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

typedef struct {
    const char *name;
    int index;
} NamedVar;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const NamedVar *)a)->name, ((const NamedVar *)b)->name);
}

static void mark_shared_names(Dump *d)
{
    int n = d->fn->n_vars;
    d->shared = xcalloc((size_t)n + 1, sizeof(bool));
    NamedVar *v = xmalloc(sizeof(NamedVar) * ((size_t)n + 1));
    for (int i = 0; i < n; i++) {
        v[i].name = d->fn->vars[i].name ? d->fn->vars[i].name : "";
        v[i].index = i;
        if (!*v[i].name) d->shared[i] = true;
    }
    qsort(v, (size_t)n, sizeof(NamedVar), by_name);
    for (int i = 1; i < n; i++)
        if (strcmp(v[i - 1].name, v[i].name) == 0) d->shared[v[i - 1].index] = d->shared[v[i].index] = true;
    free(v);
}

static void put_var(Dump *d, int v)
{
    const IrFunction *fn = d->fn;
    if (v < 0 || v >= fn->n_vars) {
        sb_printf(&d->sb, "<bad var %d>", v);
        return;
    }
    const char *name = fn->vars[v].name ? fn->vars[v].name : "";
    if (d->shared[v]) sb_printf(&d->sb, "%s#%d", name, v);
    else sb_append(&d->sb, name);
}

static void put_ref(Dump *d, const IrRef *r)
{
    switch (r->kind) {
    case REF_NONE: sb_append(&d->sb, "<none>"); break;
    case REF_OTHER: sb_append(&d->sb, "<other>"); break;
    case REF_CONST: sb_printf(&d->sb, "%lld", r->value); break;
    case REF_CALL: sb_printf(&d->sb, "call#%d", r->call); break;
    case REF_VAR: put_var(d, r->var); break;
    case REF_ADDR:
        sb_append_char(&d->sb, '&');
        put_var(d, r->var);
        break;
    case REF_DEREF:
        sb_append_char(&d->sb, '*');
        put_var(d, r->var);
        break;
    case REF_FIELD:
    case REF_ADDR_FIELD:
        if (r->kind == REF_ADDR_FIELD) sb_append_char(&d->sb, '&');
        put_var(d, r->var);
        sb_append(&d->sb, r->via_pointer ? "->" : ".");
        sb_append(&d->sb, r->field ? r->field : "?");
        break;
    }
}

static const char *cmp_text(IrCmp op)
{
    static const char *const t[] = {"==", "!=", "<", "<=", ">", ">="};
    return (int)op >= 0 && (int)op < 6 ? t[op] : "?";
}

static void put_cond(Dump *d, const IrCond *c)
{
    if (!c->known && c->ref2.kind != REF_NONE) {
        sb_append(&d->sb, "(unknown: ");
        put_ref(d, &c->ref);
        sb_printf(&d->sb, " %s ", cmp_text(c->op));
        put_ref(d, &c->ref2);
        sb_append_char(&d->sb, ')');
        return;
    }
    if (!c->known) {
        sb_append(&d->sb, "(unknown)");
        return;
    }
    sb_append_char(&d->sb, '(');
    put_ref(d, &c->ref);
    sb_printf(&d->sb, " %s %lld)", cmp_text(c->op), c->value);
}

static void put_call(Dump *d, const IrCall *c)
{
    sb_printf(&d->sb, "call#%d ", c->id);
    if (c->callee_kind == CALLEE_DIRECT) {
        sb_append(&d->sb, c->callee ? c->callee : "?");
    } else if (c->callee_kind == CALLEE_MEMBER) {
        put_ref(d, &c->base);
        sb_append(&d->sb, c->base.kind == REF_VAR && c->base.via_pointer ? "->" : ".");
        sb_append(&d->sb, c->callee ? c->callee : "?");
    } else {
        sb_append(&d->sb, "<indirect>");
    }
    sb_append_char(&d->sb, '(');
    for (int i = 0; i < c->nargs; i++) {
        if (i) sb_append(&d->sb, ", ");
        put_ref(d, &c->args[i]);
    }
    sb_append_char(&d->sb, ')');
    if (c->noreturn) sb_append(&d->sb, " noreturn");
}

static void put_event(Dump *d, const IrEvent *e)
{
    sb_printf(&d->sb, "    %d:%d ", e->loc.line, e->loc.col);
    switch (e->kind) {
    case EV_CALL: put_call(d, &e->u.call); break;
    case EV_ASSIGN:
        sb_append(&d->sb, "assign ");
        put_ref(d, &e->u.assign.lhs);
        sb_append(&d->sb, " = ");
        put_ref(d, &e->u.assign.rhs);
        if (e->u.assign.is_init) sb_append(&d->sb, " init");
        break;
    case EV_ASSIGN_COND:
        sb_append(&d->sb, "assign-cond ");
        put_ref(d, &e->u.assign_cond.lhs);
        sb_append(&d->sb, " = ");
        put_cond(d, &e->u.assign_cond.cond);
        break;
    case EV_USE:
        sb_append(&d->sb, "use ");
        put_ref(d, &e->u.use.ref);
        break;
    case EV_RETURN:
        sb_append(&d->sb, "return ");
        put_ref(d, &e->u.ret.value);
        if (e->u.ret.implicit) sb_append(&d->sb, " implicit");
        break;
    case EV_SCOPE_END:
        sb_append(&d->sb, "scope-end ");
        put_var(d, e->u.scope.var);
        break;
    case EV_FUNC_REF: sb_printf(&d->sb, "func-ref %s", e->u.func_ref.name ? e->u.func_ref.name : "?"); break;
    }
    sb_append_char(&d->sb, '\n');
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

static void put_terminator(Dump *d, const IrBlock *b)
{
    sb_append(&d->sb, "    ");
    switch (b->term) {
    case TERM_JUMP: sb_printf(&d->sb, "-> B%d", b->n_succ ? b->succ[0] : -1); break;
    case TERM_BRANCH:
        sb_append(&d->sb, "branch ");
        put_cond(d, &b->cond);
        put_text(&d->sb, b->cond_text);
        sb_printf(&d->sb, " @%d:%d -> ", b->term_loc.line, b->term_loc.col);
        put_succ_list(&d->sb, b);
        break;
    case TERM_SWITCH:
        sb_append(&d->sb, "switch ");
        put_ref(d, &b->switch_on);
        put_text(&d->sb, b->cond_text);
        sb_printf(&d->sb, " @%d:%d:", b->term_loc.line, b->term_loc.col);
        for (int i = 0; i < b->n_cases; i++) {
            const IrCase *c = &b->cases[i];
            if (c->lo == c->hi) sb_printf(&d->sb, " %lld -> B%d;", c->lo, c->target);
            else sb_printf(&d->sb, " %lld..%lld -> B%d;", c->lo, c->hi, c->target);
        }
        if (b->default_target >= 0) sb_printf(&d->sb, " default -> B%d", b->default_target);
        else sb_printf(&d->sb, " no default -> B%d", b->n_succ ? b->succ[b->n_succ - 1] : -1);
        break;
    case TERM_RETURN: sb_append(&d->sb, "return"); break;
    case TERM_NORETURN: sb_append(&d->sb, "noreturn"); break;
    case TERM_INDIRECT:
        sb_append(&d->sb, "indirect -> ");
        put_succ_list(&d->sb, b);
        break;
    }
    sb_append_char(&d->sb, '\n');
}

static void put_header(Dump *d)
{
    sb_printf(&d->sb, "function %s (%s:%d:%d) returns '%s'", d->fn->name, basename_of(d->fn->file), d->fn->loc.line,
              d->fn->loc.col, d->fn->return_type ? d->fn->return_type : "?");
    if (d->fn->is_static) sb_append(&d->sb, " static");
    if (d->fn->in_header) sb_append(&d->sb, " in-header");
    if (d->fn->truncated) sb_append(&d->sb, " truncated");
    if (d->fn->has_errors) sb_append(&d->sb, " has-errors");
    sb_append_char(&d->sb, '\n');
    for (int i = 0; i < d->fn->n_vars; i++) {
        const IrVar *v = &d->fn->vars[i];
        sb_printf(&d->sb, "  var %d %s ", i, v->name ? v->name : "");
        if (v->storage == VAR_PARAM) sb_printf(&d->sb, "param#%d", v->param_index);
        else sb_append(&d->sb, v->storage == VAR_LOCAL ? "local" : "global");
        sb_printf(&d->sb, " '%s'", v->type ? v->type : "?");
        if (v->is_pointer) sb_append(&d->sb, " pointer");
        if (v->is_record) sb_append(&d->sb, " record");
        if (v->cleanup_fn) sb_printf(&d->sb, " cleanup=%s", v->cleanup_fn);
        sb_printf(&d->sb, " @%d:%d\n", v->loc.line, v->loc.col);
    }
}

char *ir_dump_function(const IrFunction *fn)
{
    Dump d;
    sb_init(&d.sb);
    d.fn = fn;
    mark_shared_names(&d);
    put_header(&d);
    for (int i = 0; i < fn->n_blocks; i++) {
        const IrBlock *b = &fn->blocks[i];
        sb_printf(&d.sb, "  B%d:\n", b->id);
        for (int k = 0; k < b->n_events; k++) put_event(&d, &b->events[k]);
        put_terminator(&d, b);
    }
    free(d.shared);
    return sb_take(&d.sb);
}
