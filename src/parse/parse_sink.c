/* parse_sink.c — where a value goes: assignments (and declaration
 * initialisers, including struct initialisers field by field), flags
 * derived from a comparison (EV_ASSIGN_COND), and returns. A ?: (or GNU
 * a ?: b) on the right pushes the assignment or the return into each arm
 * so that each arm says exactly what it stores or returns. */
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

/* ---- struct initialisers: `struct s v = { .conn = c, 2 }` ---- */

typedef VEC(char *) NameVec;

static enum CXVisitorResult collect_field(CXCursor c, CXClientData data)
{
    NameVec *v = data;
    CXString s = clang_getCursorSpelling(c);
    VEC_PUSH(*v, xstrdup(clang_getCString(s)));
    clang_disposeString(s);
    return CXVisit_Continue;
}

/* One element: a designated `.a.b = value` (an UnexposedExpr of MemberRefs
 * and the value) or a positional value for field `*next`. */
static void assign_init_element(Builder *b, int var, CXCursor el, const NameVec *fields, int *next,
                                bool is_init, int depth)
{
    CursorVec k = {0};
    CXCursor value = el;
    StrBuf path;
    sb_init(&path);
    if (clang_getCursorKind(el) == CXCursor_UnexposedExpr) {
        cursor_children(el, &k);
        for (int i = 0; i + 1 < k.len && clang_getCursorKind(k.items[i]) == CXCursor_MemberRef; i++) {
            char *name = cursor_spelling(k.items[i]);
            if (path.len) sb_append_char(&path, '.');
            sb_append(&path, name);
            if (i == 0)
                for (int f = 0; f < fields->len; f++)
                    if (!strcmp(fields->items[f], name)) *next = f;
            free(name);
        }
        if (path.len) value = k.items[k.len - 1];
    }
    if (!path.len && *next < fields->len) sb_append(&path, fields->items[*next]);
    (*next)++;
    if (path.len && clang_getCursorKind(cursor_strip(value, true)) != CXCursor_InitListExpr)
        expr_assign_to(b, ir_ref_field(var, arena_strdup(b->arena, path.data), false), value, is_init,
                       loc_of_cursor(el), depth + 1);
    else
        expr_eval(b, value, depth + 1);
    sb_free(&path);
    VEC_FREE(k);
}

static bool assign_init_list(Builder *b, IrRef lhs, CXCursor list, bool is_init, int depth)
{
    if (lhs.kind != REF_VAR || clang_getCursorKind(list) != CXCursor_InitListExpr) return false;
    CXType t = clang_getCanonicalType(clang_getCursorType(list));
    if (t.kind != CXType_Record) return false;
    NameVec fields = {0};
    clang_Type_visitFields(t, collect_field, &fields);
    CursorVec k = {0};
    cursor_children(list, &k);
    int next = 0;
    for (int i = 0; i < k.len; i++) assign_init_element(b, lhs.var, k.items[i], &fields, &next, is_init, depth);
    VEC_FREE(k);
    for (int i = 0; i < fields.len; i++) free(fields.items[i]);
    VEC_FREE(fields);
    return true;
}

/* ---- assignment and return sinks (?: pushes them into its arms) ---- */

static bool split_conditional(CXCursor c, CursorVec *k)
{
    if (clang_getCursorKind(c) != CXCursor_ConditionalOperator) return false;
    cursor_children(c, k);
    return k->len == 3;
}

/* The function whose address `s` (stripped of parentheses and casts) is:
 * `f` or `&f`; else NULL. */
static const char *function_designated(Builder *b, CXCursor s)
{
    char buf[8];
    bool postfix;
    if (clang_getCursorKind(s) == CXCursor_UnaryOperator && !strcmp(unary_op(b->tu, b->macros, s, buf, &postfix), "&"))
        s = cursor_strip(cursor_first_expr(s), true);
    if (clang_getCursorKind(s) != CXCursor_DeclRefExpr) return NULL;
    CXCursor d = clang_getCursorReferenced(s);
    if (clang_getCursorKind(d) != CXCursor_FunctionDecl) return NULL;
    return arena_cxstring(b->arena, clang_getCursorSpelling(d));
}

/* `p = p + K` / `p = p - K` (s stripped), p a pointer variable and K a
 * constant: *off is K or -K. */
static bool pointer_self_offset(Builder *b, IrRef lhs, CXCursor s, long long *off)
{
    if (lhs.kind != REF_VAR || clang_getCursorKind(s) != CXCursor_BinaryOperator) return false;
    char buf[8];
    const char *op = builder_binary_op(b, s, buf);
    bool plus = !strcmp(op, "+"), minus = !strcmp(op, "-");
    CXCursor l, r;
    if (!(plus || minus) || !cursor_children2(s, &l, &r)) return false;
    l = cursor_strip(l, true);
    if (clang_getCursorKind(l) != CXCursor_DeclRefExpr) return false;
    if (clang_getCanonicalType(clang_getCursorType(l)).kind != CXType_Pointer) return false;
    if (cursormap_get(&b->var_map, clang_getCursorReferenced(l)) != lhs.var) return false;
    long long k;
    if (!const_eval(r, &k) || k <= -(1LL << 40) || k >= (1LL << 40)) return false;
    *off = plus ? k : -k;
    return true;
}

void expr_assign_to(Builder *b, IrRef lhs, CXCursor rhs, bool is_init, IrLoc loc, int depth)
{
    if (parse_too_deep(b, depth)) return;
    CXCursor s = cursor_strip(rhs, true);
    CursorVec k = {0};
    if (split_conditional(s, &k)) {
        int t = bb_new(b), f = bb_new(b), join = bb_new(b);
        cond_build(b, k.items[0], t, f, depth + 1);
        b->cur = t;
        expr_assign_to(b, lhs, k.items[1], is_init, loc, depth + 1);
        bb_jump(b, join);
        b->cur = f;
        expr_assign_to(b, lhs, k.items[2], is_init, loc, depth + 1);
        bb_jump(b, join);
        b->cur = join;
        VEC_FREE(k);
        return;
    }
    VEC_FREE(k);
    CXCursor common, alt;
    if (split_gnu_conditional(s, &common, &alt)) {
        expr_assign_gnu_conditional(b, lhs, common, alt, is_init, loc, depth);
        return;
    }
    long long off;
    if (!is_init && pointer_self_offset(b, lhs, s, &off)) {
        emit_add_event(b, lhs, off, loc); /* p = p + 16: as p += 16 */
        return;
    }
    if (assign_init_list(b, lhs, s, is_init, depth)) return;
    char buf[8];
    enum CXCursorKind kind = clang_getCursorKind(s);
    bool is_test = false;
    long long v;
    if (kind == CXCursor_BinaryOperator) {
        is_test = op_is_comparison(builder_binary_op(b, s, buf));
    } else if (kind == CXCursor_UnaryOperator) {
        bool postfix;
        is_test = !strcmp(unary_op(b->tu, b->macros, s, buf, &postfix), "!");
    }
    if (is_test && !const_eval(s, &v) && !cond_split_kind(b, s, buf)) {
        IrEvent ev = parse_event(EV_ASSIGN_COND, loc);
        ev.u.assign_cond.lhs = lhs;
        ev.u.assign_cond.cond = cond_reduce_atomic(b, s, depth + 1);
        bb_emit(b, ev);
        return;
    }
    IrRef value = expr_eval(b, rhs, depth + 1);
    IrEvent ev = parse_event(EV_ASSIGN, loc);
    ev.u.assign.lhs = lhs;
    ev.u.assign.rhs = value;
    ev.u.assign.is_init = is_init;
    ev.u.assign.func = function_designated(b, s);
    bb_emit(b, ev);
}

/* lhs = common ?: alt (lhs REF_NONE: only evaluated). `common` is
 * evaluated once; its value is tested against 0 and assigned when true. */
void expr_assign_gnu_conditional(Builder *b, IrRef lhs, CXCursor common, CXCursor alt, bool is_init,
                              IrLoc loc, int depth)
{
    IrRef v = expr_eval(b, common, depth + 1);
    int t = bb_new(b), f = bb_new(b), join = bb_new(b);
    IrCond cond = ir_ref_is_testable(&v) ? ir_cond_make(v, CMP_NE, 0) : ir_cond_unknown();
    bb_branch(b, cond, cond_text(b, common), loc_of_cursor(common), t, f);
    b->cur = t;
    if (lhs.kind != REF_NONE) emit_assign_event(b, lhs, v, is_init, loc);
    bb_jump(b, join);
    b->cur = f;
    if (lhs.kind != REF_NONE) expr_assign_to(b, lhs, alt, is_init, loc, depth + 1);
    else expr_eval(b, alt, depth + 1);
    bb_jump(b, join);
    b->cur = join;
}

void expr_return(Builder *b, CXCursor c, IrLoc loc, int depth)
{
    if (parse_too_deep(b, depth)) return;
    CXCursor s = cursor_strip(c, true);
    CursorVec k = {0};
    long long v1, v2;
    if (split_conditional(s, &k) && const_eval(k.items[1], &v1) && const_eval(k.items[2], &v2)) {
        /* `return failed ? -1 : 0;`: one exit, the value is no handle */
        VEC_FREE(k);
        emit_return(b, expr_eval(b, c, depth + 1), loc);
        return;
    }
    if (k.len == 3) {
        int t = bb_new(b), f = bb_new(b);
        cond_build(b, k.items[0], t, f, depth + 1);
        b->cur = t;
        expr_return(b, k.items[1], loc, depth + 1);
        b->cur = f;
        expr_return(b, k.items[2], loc, depth + 1);
        VEC_FREE(k);
        return;
    }
    VEC_FREE(k);
    emit_return(b, expr_eval(b, c, depth + 1), loc);
}
