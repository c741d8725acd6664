/* parse_expr.c — expressions to events: calls (inner first, with their
 * callee and reduced arguments), uses of dereferenced handles, function
 * names used as values, increments; values reduced to IrRef (var, &var,
 * field, deref, call, constant, other); the variables of the function.
 * Chains of one operator (`a + b + ...`, `a, b, ...`) are walked
 * iteratively; other nesting counts against PARSE_MAX_DEPTH. Conditions
 * are in parse_cond.c, assignments and returns in parse_sink.c. */
#include <stdlib.h>
#include <string.h>

#include "parse/parse_globals.h"
#include "parse/parse_internal.h"

IrEvent parse_event(IrEventKind kind, IrLoc loc)
{
    IrEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.loc = loc;
    return ev;
}

bool parse_too_deep(Builder *b, int depth)
{
    if (depth <= PARSE_MAX_DEPTH) return false;
    b->truncated = true;
    return true;
}

char *cursor_spelling(CXCursor c)
{
    CXString s = clang_getCursorSpelling(c);
    const char *p = clang_getCString(s);
    char *r = xstrdup(p ? p : "");
    clang_disposeString(s);
    return r;
}

/* ---- variables ---- */

static bool is_global_decl(CXCursor decl)
{
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(decl);
    if (sc == CX_SC_Static || sc == CX_SC_Extern) return true;
    CXCursor parent = clang_getCursorSemanticParent(decl);
    return clang_getCursorKind(parent) == CXCursor_TranslationUnit;
}

int var_for_decl(Builder *b, CXCursor decl)
{
    int v = cursormap_get(&b->var_map, decl);
    if (v >= 0) return v;
    IrVar var;
    memset(&var, 0, sizeof var);
    var.name = arena_cxstring(b->arena, clang_getCursorSpelling(decl));
    CXType t = clang_getCursorType(decl);
    var.type = arena_cxstring(b->arena, clang_getTypeSpelling(t));
    CXType ct = clang_getCanonicalType(t);
    var.is_pointer = ct.kind == CXType_Pointer;
    var.is_record = ct.kind == CXType_Record;
    CXType rt = var.is_pointer ? clang_getCanonicalType(clang_getPointeeType(ct)) : ct;
    var.is_union = rt.kind == CXType_Record && clang_getCursorKind(clang_getTypeDeclaration(rt)) == CXCursor_UnionDecl;
    var.param_index = -1;
    IrLoc loc = loc_of_cursor(decl);
    unsigned line, col;
    clang_getExpansionLocation(clang_getCursorLocation(decl), NULL, &line, &col, NULL);
    loc.line = (int)line;
    loc.col = (int)col;
    var.loc = loc;
    if (clang_getCursorKind(decl) == CXCursor_ParmDecl) {
        var.storage = VAR_PARAM;
        var.param_index = b->locals.len;
        VEC_PUSH(b->locals, var);
        v = b->locals.len - 1;
    } else if (is_global_decl(decl)) {
        var.storage = VAR_GLOBAL;
        /* a static local of integer type: its initial value (a constant
         * while the function never changes it, src/values/constants.c) */
        if (clang_getCursorKind(clang_getCursorSemanticParent(decl)) != CXCursor_TranslationUnit &&
            clang_Cursor_getStorageClass(decl) == CX_SC_Static && parse_integer_scalar(t))
            var.has_static_value = parse_var_initial_value(decl, &var.static_value);
        VEC_PUSH(b->globals, var);
        v = GLOBAL_VAR_BASE + b->globals.len - 1;
    } else {
        var.storage = VAR_LOCAL;
        var.cleanup_fn = cleanup_function(b->arena, b->tu, decl);
        VEC_PUSH(b->locals, var);
        v = b->locals.len - 1;
    }
    cursormap_put(&b->var_map, decl, v);
    return v;
}

static void emit_use(Builder *b, int var, IrLoc loc)
{
    for (int i = 0; i < b->used_vars.len; i++)
        if (b->used_vars.items[i] == var) return;
    VEC_PUSH(b->used_vars, var);
    IrEvent ev = parse_event(EV_USE, loc);
    ev.u.use.ref = ir_ref_var(var);
    bb_emit(b, ev);
}

static void emit_func_ref(Builder *b, CXCursor fn, IrLoc loc)
{
    IrEvent ev = parse_event(EV_FUNC_REF, loc);
    ev.u.func_ref.name = arena_cxstring(b->arena, clang_getCursorSpelling(fn));
    bb_emit(b, ev);
}

void emit_assign_event(Builder *b, IrRef lhs, IrRef rhs, bool is_init, IrLoc loc)
{
    IrEvent ev = parse_event(EV_ASSIGN, loc);
    ev.u.assign.lhs = lhs;
    ev.u.assign.rhs = rhs;
    ev.u.assign.is_init = is_init;
    bb_emit(b, ev);
}

/* `x++`, `x -= K`: the variable's old value plus a constant. */
void emit_add_event(Builder *b, IrRef place, long long add, IrLoc loc)
{
    IrEvent ev = parse_event(EV_ASSIGN, loc);
    ev.u.assign.lhs = place;
    ev.u.assign.rhs = ir_ref_other();
    ev.u.assign.adds = place.kind == REF_VAR;
    ev.u.assign.add = add;
    bb_emit(b, ev);
}

/* ---- small classifiers ---- */

bool cursor_children2(CXCursor c, CXCursor *l, CXCursor *r)
{
    CursorVec k = {0};
    cursor_children(c, &k);
    bool ok = k.len == 2;
    if (ok) {
        *l = k.items[0];
        *r = k.items[1];
    }
    VEC_FREE(k);
    return ok;
}

CXCursor cursor_first_expr(CXCursor c)
{
    CursorVec k = {0};
    cursor_children(c, &k);
    CXCursor r = clang_getNullCursor();
    for (int i = 0; i < k.len; i++)
        if (clang_isExpression(clang_getCursorKind(k.items[i]))) {
            r = k.items[i];
            break;
        }
    VEC_FREE(k);
    return r;
}

/* GNU `a ?: b`: libclang 14 shows it as an UnexposedExpr whose first three
 * children are the same expression `a` (common, condition, true value),
 * then `b`. */
bool split_gnu_conditional(CXCursor c, CXCursor *common, CXCursor *alt)
{
    if (clang_getCursorKind(c) != CXCursor_UnexposedExpr) return false;
    CursorVec k = {0};
    cursor_children(c, &k);
    bool hit = k.len == 4;
    if (hit) {
        IrLoc a = loc_of_cursor(k.items[0]), b1 = loc_of_cursor(k.items[1]), b2 = loc_of_cursor(k.items[2]);
        hit = !memcmp(&a, &b1, sizeof a) && !memcmp(&a, &b2, sizeof a);
        *common = k.items[0];
        *alt = k.items[3];
    }
    VEC_FREE(k);
    return hit;
}

const char *builder_binary_op(Builder *b, CXCursor c, char buf[8])
{
    return binary_op(b->tu, b->macros, c, buf);
}

/* __builtin_expect(e, v) and friends: the value is e */
bool is_builtin_expect(CXCursor c, CXCursor *arg)
{
    if (clang_getCursorKind(c) != CXCursor_CallExpr) return false;
    char *name = cursor_spelling(c);
    bool hit = !strcmp(name, "__builtin_expect") || !strcmp(name, "__builtin_expect_with_probability");
    free(name);
    if (!hit) return false;
    CursorVec k = {0};
    cursor_children(c, &k);
    hit = k.len >= 2;
    if (hit) *arg = k.items[1];
    VEC_FREE(k);
    return hit;
}

/* ---- values ---- */

static IrRef eval_declref(Builder *b, CXCursor c)
{
    CXCursor d = clang_getCursorReferenced(c);
    enum CXCursorKind k = clang_getCursorKind(d);
    long long v;
    if (k == CXCursor_EnumConstantDecl) return ir_ref_const(clang_getEnumConstantDeclValue(d));
    if (k == CXCursor_FunctionDecl) {
        emit_func_ref(b, d, loc_of_cursor(c));
        return ir_ref_other();
    }
    if (k == CXCursor_VarDecl || k == CXCursor_ParmDecl) {
        if (k == CXCursor_VarDecl && const_eval(c, &v)) return ir_ref_const(v);
        return ir_ref_var(var_for_decl(b, d));
    }
    return ir_ref_other();
}

/* x.f, p->f, p->a.b: walks the chain of member accesses down to its root. */
static IrRef eval_member(Builder *b, CXCursor c, bool under_addr, int depth)
{
    VEC(char *) names = {0};
    bool arrow = false;
    CXCursor node = c;
    while (clang_getCursorKind(node) == CXCursor_MemberRefExpr) {
        CXCursor base = cursor_first_expr(node);
        if (clang_Cursor_isNull(base)) break;
        VEC_PUSH(names, cursor_spelling(node));
        arrow = clang_getCanonicalType(clang_getCursorType(base)).kind == CXType_Pointer;
        node = cursor_strip(base, false);
    }
    IrRef r = ir_ref_other();
    int var = -1;
    if (names.len && clang_getCursorKind(node) == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(node);
        if (clang_getCursorKind(d) == CXCursor_VarDecl || clang_getCursorKind(d) == CXCursor_ParmDecl)
            var = var_for_decl(b, d);
    }
    if (var >= 0) {
        StrBuf sb;
        sb_init(&sb);
        for (int i = names.len - 1; i >= 0; i--) {
            sb_append(&sb, names.items[i]);
            if (i) sb_append_char(&sb, '.');
        }
        r = ir_ref_field(var, arena_strdup(b->arena, sb.data), arrow);
        sb_free(&sb);
        if (arrow && !under_addr) emit_use(b, var, loc_of_cursor(c));
    } else if (names.len) {
        IrRef root = expr_eval(b, node, depth + 1);
        if (root.kind == REF_DEREF) r = root; /* (*p).f, p[i].f */
    }
    for (int i = 0; i < names.len; i++) free(names.items[i]);
    VEC_FREE(names);
    return r;
}

static IrRef eval_unary(Builder *b, CXCursor c, int depth)
{
    char buf[8];
    bool postfix;
    const char *op = unary_op(b->tu, b->macros, c, buf, &postfix);
    CXCursor arg = cursor_first_expr(c);
    if (clang_Cursor_isNull(arg)) return ir_ref_other();
    long long v;
    if (const_eval(c, &v)) return ir_ref_const(v); /* -1, ~0, !0, also inside macros */
    if (!strcmp(op, "&")) {
        CXCursor in = cursor_strip(arg, false);
        enum CXCursorKind k = clang_getCursorKind(in);
        if (k == CXCursor_DeclRefExpr) {
            IrRef r = eval_declref(b, in);
            if (r.kind == REF_VAR) r.kind = REF_ADDR;
            else r = ir_ref_other();
            return r;
        }
        if (k == CXCursor_MemberRefExpr) {
            IrRef r = eval_member(b, in, true, depth);
            if (r.kind == REF_FIELD) r.kind = REF_ADDR_FIELD;
            else r = ir_ref_other();
            return r;
        }
        expr_eval(b, arg, depth + 1);
        return ir_ref_other();
    }
    if (!strcmp(op, "*")) {
        CXCursor sum = cursor_strip(arg, true), base, offset;
        char bb[8];
        const char *sop = clang_getCursorKind(sum) == CXCursor_BinaryOperator ? builder_binary_op(b, sum, bb) : "";
        if ((!strcmp(sop, "+") || !strcmp(sop, "-")) && cursor_children2(sum, &base, &offset) &&
            clang_getCursorKind(cursor_strip(base, true)) == CXCursor_DeclRefExpr &&
            clang_getCanonicalType(clang_getCursorType(cursor_strip(base, true))).kind == CXType_Pointer) {
            /* *(p + i), *(p - 1): an element through p, as p[i] is */
            IrRef r = expr_eval(b, base, depth + 1);
            expr_eval(b, offset, depth + 1);
            if (r.kind != REF_VAR) return ir_ref_other();
            emit_use(b, r.var, loc_of_cursor(c));
            r.kind = REF_DEREF;
            return r;
        }
        IrRef r = expr_eval(b, arg, depth + 1);
        if (r.kind != REF_VAR) return ir_ref_other();
        emit_use(b, r.var, loc_of_cursor(c));
        r.kind = REF_DEREF;
        return r;
    }
    if (!strcmp(op, "++") || !strcmp(op, "--")) {
        IrRef place = expr_eval(b, arg, depth + 1);
        emit_add_event(b, place, op[0] == '+' ? 1 : -1, loc_of_cursor(c));
        return postfix ? ir_ref_other() : place;
    }
    if (!strcmp(op, "__extension__")) return expr_eval(b, arg, depth + 1);
    expr_eval(b, arg, depth + 1);
    return ir_ref_other();
}

static IrRef eval_subscript(Builder *b, CXCursor c, int depth)
{
    CXCursor base, index;
    if (!cursor_children2(c, &base, &index)) return ir_ref_other();
    int element = arrays_element_var(b, c);
    if (element >= 0) return ir_ref_var(element);
    IrRef r = expr_eval(b, base, depth + 1);
    expr_eval(b, index, depth + 1);
    if (r.kind != REF_VAR) return ir_ref_other();
    emit_use(b, r.var, loc_of_cursor(c));
    r.kind = REF_DEREF;
    return r;
}

/* a && b, a || b as a value: branches that join again. */
static IrRef eval_logical(Builder *b, CXCursor c, int depth)
{
    int t = bb_new(b), f = bb_new(b), join = bb_new(b);
    cond_build(b, c, t, f, depth);
    b->cur = t;
    bb_jump(b, join);
    b->cur = f;
    bb_jump(b, join);
    b->cur = join;
    return ir_ref_other();
}

/* Chain filters: the same operator as the first; any arithmetic,
 * bitwise or comparison operator. */
bool op_same(const char *op, const char *first)
{
    return strcmp(op, first) == 0;
}

static bool arithmetic_op(const char *op, const char *first)
{
    (void)first;
    return *op && strcmp(op, "&&") && strcmp(op, "||") && strcmp(op, ",") && strcmp(op, "=");
}

void chain_operands(Builder *b, CXCursor c, OpFilter keep, const char *first, CursorVec *out)
{
    CursorVec rights = {0};
    CXCursor node = c;
    char buf[8];
    for (;;) {
        CXCursor l, r;
        if (clang_getCursorKind(node) != CXCursor_BinaryOperator || !cursor_children2(node, &l, &r)) break;
        if (!keep(builder_binary_op(b, node, buf), first)) break;
        VEC_PUSH(rights, r);
        node = cursor_strip(l, false);
    }
    out->len = 0;
    VEC_PUSH(*out, node);
    for (int i = rights.len - 1; i >= 0; i--) VEC_PUSH(*out, rights.items[i]);
    VEC_FREE(rights);
}

static IrRef eval_binary(Builder *b, CXCursor c, int depth)
{
    char buf[8];
    const char *op = builder_binary_op(b, c, buf);
    CXCursor l, r;
    if (!cursor_children2(c, &l, &r)) return ir_ref_other();
    if (!strcmp(op, "&&") || !strcmp(op, "||")) return eval_logical(b, c, depth);
    if (!strcmp(op, "=")) {
        IrRef place = expr_eval(b, l, depth + 1);
        expr_assign_to(b, place, r, false, loc_of_cursor(c), depth + 1);
        return place;
    }
    long long v;
    if (const_eval(c, &v)) return ir_ref_const(v);
    if (!*op) { /* operator not recognised: evaluate both sides */
        expr_eval(b, l, depth + 1);
        expr_eval(b, r, depth + 1);
        return ir_ref_other();
    }
    CursorVec ops = {0};
    bool comma = !strcmp(op, ",");
    chain_operands(b, c, comma ? op_same : arithmetic_op, op, &ops);
    IrRef last = ir_ref_other();
    for (int i = 0; i < ops.len; i++) last = expr_eval(b, ops.items[i], depth + 1);
    VEC_FREE(ops);
    return comma ? last : ir_ref_other();
}

static IrRef eval_compound_assign(Builder *b, CXCursor c, int depth)
{
    CXCursor l, r;
    if (!cursor_children2(c, &l, &r)) return ir_ref_other();
    expr_eval(b, r, depth + 1);
    IrRef place = expr_eval(b, l, depth + 1);
    char buf[8];
    const char *op = builder_binary_op(b, c, buf);
    long long k;
    bool plus = !strcmp(op, "+="), minus = !strcmp(op, "-=");
    if ((plus || minus) && const_eval(r, &k) && k > -(1LL << 40) && k < (1LL << 40))
        emit_add_event(b, place, plus ? k : -k, loc_of_cursor(c));
    else
        emit_assign_event(b, place, ir_ref_other(), false, loc_of_cursor(c));
    return place;
}

/* `fp` or `*fp` (s, stripped) names a variable of pointer-to-function type
 * itself (not an element or a field of one). */
static bool function_pointer_var(CXCursor s)
{
    if (clang_getCursorKind(s) == CXCursor_UnaryOperator) s = cursor_strip(cursor_first_expr(s), false);
    if (clang_getCursorKind(s) != CXCursor_DeclRefExpr) return false;
    enum CXCursorKind dk = clang_getCursorKind(clang_getCursorReferenced(s));
    if (dk != CXCursor_VarDecl && dk != CXCursor_ParmDecl) return false;
    CXType t = clang_getCanonicalType(clang_getCursorType(s));
    if (t.kind != CXType_Pointer) return false;
    enum CXTypeKind pk = clang_getCanonicalType(clang_getPointeeType(t)).kind;
    return pk == CXType_FunctionProto || pk == CXType_FunctionNoProto;
}

/* An argument of function or function-pointer type (a function's name, a
 * pointer to one; the caller tells a null constant converted to it apart). */
static bool function_typed(CXCursor a)
{
    CXType t = clang_getCanonicalType(clang_getCursorType(a));
    if (t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto) return true;
    if (t.kind != CXType_Pointer) return false;
    enum CXTypeKind pk = clang_getCanonicalType(clang_getPointeeType(t)).kind;
    return pk == CXType_FunctionProto || pk == CXType_FunctionNoProto;
}

/* The callee of a call: direct, member (s.f, p->f, (*p->f)) or indirect. */
static void callee_of(Builder *b, CXCursor callee, IrCall *call, bool *noreturn, int depth)
{
    CXCursor s = cursor_strip(callee, false);
    char buf[8];
    bool postfix;
    if (clang_getCursorKind(s) == CXCursor_UnaryOperator && !strcmp(unary_op(b->tu, b->macros, s, buf, &postfix), "*")) {
        CXCursor in = cursor_strip(cursor_first_expr(s), false);
        if (clang_getCursorKind(in) == CXCursor_MemberRefExpr) s = in;
    }
    enum CXCursorKind k = clang_getCursorKind(s);
    if (k == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(s);
        if (clang_getCursorKind(d) == CXCursor_FunctionDecl) {
            call->callee_kind = CALLEE_DIRECT;
            call->callee = arena_cxstring(b->arena, clang_getCursorSpelling(d));
            *noreturn = callee_is_noreturn(b->tu, d, call->callee, b->noreturn);
            call->callee_system = clang_Location_isInSystemHeader(clang_getCursorLocation(d)) != 0;
            return;
        }
    }
    /* `#define sqlite3_step sqlite3_api->step`, `#define mysql_init
     * (*p_mysql_init)`: the call reads as mysql_init(...), so it is one */
    const char *spelled = macro_callee_name(b->arena, b->tu, callee);
    if (spelled) {
        call->callee_kind = CALLEE_DIRECT;
        call->callee = spelled;
        return;
    }
    if (k == CXCursor_MemberRefExpr) {
        CXCursor base = cursor_first_expr(s);
        if (!clang_Cursor_isNull(base)) {
            call->callee_kind = CALLEE_MEMBER;
            call->callee = arena_cxstring(b->arena, clang_getCursorSpelling(s));
            call->base = expr_eval(b, base, depth + 1);
            if (call->base.kind == REF_VAR)
                call->base.via_pointer = clang_getCanonicalType(clang_getCursorType(base)).kind == CXType_Pointer;
            return;
        }
    }
    call->callee_kind = CALLEE_INDIRECT;
    call->callee = NULL;
    IrRef via = expr_eval(b, callee, depth + 1);
    if ((via.kind == REF_VAR || via.kind == REF_DEREF) && function_pointer_var(s)) call->callee_var = via.var;
}

static IrRef eval_call(Builder *b, CXCursor c, int depth)
{
    CXCursor arg0;
    if (is_builtin_expect(c, &arg0)) return expr_eval(b, arg0, depth + 1);
    CursorVec k = {0};
    cursor_children(c, &k);
    if (k.len == 0) {
        VEC_FREE(k);
        return ir_ref_other();
    }
    IrCall call;
    memset(&call, 0, sizeof call);
    call.base = ir_ref_none();
    call.callee_var = -1;
    bool noreturn = false;
    callee_of(b, k.items[0], &call, &noreturn, depth);
    call.nargs = k.len - 1;
    IrRef *args = call.nargs ? arena_alloc(b->arena, sizeof(IrRef) * (size_t)call.nargs) : NULL;
    for (int i = 1; i < k.len; i++) {
        args[i - 1] = expr_eval(b, k.items[i], depth + 1);
        if (!call.callback_arg && args[i - 1].kind != REF_CONST && function_typed(k.items[i]))
            call.callback_arg = i;
    }
    VEC_FREE(k);
    call.args = args;
    call.noreturn = noreturn;
    call.id = b->n_calls++;
    call.loc = loc_of_cursor(c);
    IrEvent ev = parse_event(EV_CALL, call.loc);
    ev.u.call = call;
    bb_emit(b, ev);
    if (noreturn) {
        bb_end(b, TERM_NORETURN);
        b->blocks.items[b->cur].term_loc = call.loc;
        b->cur = bb_new(b);
    }
    return ir_ref_call(call.id);
}

static IrRef eval_conditional(Builder *b, CXCursor c, int depth)
{
    CursorVec k = {0};
    cursor_children(c, &k);
    if (k.len != 3) {
        for (int i = 0; i < k.len; i++) expr_eval(b, k.items[i], depth + 1);
        VEC_FREE(k);
        return ir_ref_other();
    }
    int t = bb_new(b), f = bb_new(b), join = bb_new(b);
    cond_build(b, k.items[0], t, f, depth + 1);
    b->cur = t;
    expr_eval(b, k.items[1], depth + 1);
    bb_jump(b, join);
    b->cur = f;
    expr_eval(b, k.items[2], depth + 1);
    bb_jump(b, join);
    b->cur = join;
    VEC_FREE(k);
    return ir_ref_other();
}

/* ({ stmt; ...; value; }) */
static IrRef eval_stmt_expr(Builder *b, CXCursor c, int depth)
{
    CXCursor body = clang_getNullCursor();
    CursorVec k = {0};
    cursor_children(c, &k);
    if (k.len) body = k.items[0];
    IrRef value = ir_ref_other();
    if (!clang_Cursor_isNull(body) && clang_getCursorKind(body) == CXCursor_CompoundStmt) {
        cursor_children(body, &k);
        scope_push(b);
        b->scopes.items[b->scope].no_local_ends = true; /* the value leaves the scope */
        for (int i = 0; i < k.len; i++) {
            if (i == k.len - 1 && clang_isExpression(clang_getCursorKind(k.items[i])))
                value = expr_eval(b, k.items[i], depth + 1);
            else
                stmt_build(b, k.items[i], depth + 1);
        }
        scope_pop_at(b, loc_end_char(loc_of_cursor(body)));
    }
    VEC_FREE(k);
    return value;
}

static void mark_label_address(Builder *b, CXCursor c)
{
    CursorVec k = {0};
    cursor_children(c, &k); /* a LabelRef naming the label */
    char *name = k.len ? label_key(clang_getCursorReferenced(k.items[0]), k.items[0]) : xstrdup("");
    VEC_FREE(k);
    if (!*name) {
        free(name);
        return;
    }
    int li = label_index(b, name); /* may grow labels: index after the call */
    b->labels.items[li].addr_taken = true;
    free(name);
}


static IrRef eval_children(Builder *b, CXCursor c, int depth)
{
    CursorVec k = {0};
    cursor_children(c, &k);
    for (int i = 0; i < k.len; i++) {
        enum CXCursorKind kk = clang_getCursorKind(k.items[i]);
        if (clang_isExpression(kk)) expr_eval(b, k.items[i], depth + 1);
        else if (clang_isStatement(kk)) stmt_build(b, k.items[i], depth + 1);
    }
    VEC_FREE(k);
    return ir_ref_other();
}

IrRef expr_eval(Builder *b, CXCursor c, int depth)
{
    if (parse_too_deep(b, depth)) return ir_ref_other();
    c = cursor_strip(c, true);
    long long v;
    switch (clang_getCursorKind(c)) {
    case CXCursor_IntegerLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_UnaryExpr: /* sizeof, alignof: operand not evaluated */
        return const_eval(c, &v) ? ir_ref_const(v) : ir_ref_other();
    case CXCursor_StringLiteral:
    case CXCursor_FloatingLiteral: return ir_ref_other();
    case CXCursor_DeclRefExpr: return eval_declref(b, c);
    case CXCursor_MemberRefExpr: return eval_member(b, c, false, depth);
    case CXCursor_UnaryOperator: return eval_unary(b, c, depth);
    case CXCursor_ArraySubscriptExpr: return eval_subscript(b, c, depth);
    case CXCursor_BinaryOperator: return eval_binary(b, c, depth);
    case CXCursor_CompoundAssignOperator: return eval_compound_assign(b, c, depth);
    case CXCursor_CallExpr: return eval_call(b, c, depth);
    case CXCursor_ConditionalOperator: return eval_conditional(b, c, depth);
    case CXCursor_StmtExpr: return eval_stmt_expr(b, c, depth);
    case CXCursor_AddrLabelExpr: mark_label_address(b, c); return ir_ref_other();
    case CXCursor_GenericSelectionExpr: return ir_ref_other(); /* selection unknown: evaluate no arm */
    case CXCursor_UnexposedExpr: {
        CXCursor common, alt;
        if (split_gnu_conditional(c, &common, &alt)) {
            expr_assign_gnu_conditional(b, ir_ref_none(), common, alt, false, loc_of_cursor(c), depth);
            return ir_ref_other();
        }
        return eval_children(b, c, depth);
    }
    default: return eval_children(b, c, depth);
    }
}

void expr_discard(Builder *b, CXCursor c, int depth)
{
    expr_eval(b, c, depth);
}
