/* parse_cond.c — conditions: an atomic condition reduces to IrCond
 * ("REF OP CONSTANT", the constant on the right; named constants folded),
 * and &&, ||, !, ?: and the comma operator split into blocks so that each
 * branch tests one atomic condition (short-circuit CFG, as clang's CFG.cpp
 * builds it). Chains of one operator are walked without recursion. The
 * events of the operands come from parse_expr.c. */
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

bool op_is_comparison(const char *op)
{
    return !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "<") || !strcmp(op, "<=") ||
           !strcmp(op, ">") || !strcmp(op, ">=");
}

static IrCmp cmp_of(const char *op)
{
    if (!strcmp(op, "==")) return CMP_EQ;
    if (!strcmp(op, "!=")) return CMP_NE;
    if (!strcmp(op, "<")) return CMP_LT;
    if (!strcmp(op, "<=")) return CMP_LE;
    if (!strcmp(op, ">")) return CMP_GT;
    return CMP_GE;
}

static IrCmp cmp_flip(IrCmp op) /* a OP b  ==  b flip(OP) a */
{
    switch (op) {
    case CMP_LT: return CMP_GT;
    case CMP_LE: return CMP_GE;
    case CMP_GT: return CMP_LT;
    case CMP_GE: return CMP_LE;
    default: return op;
    }
}

static IrCmp cmp_negate(IrCmp op)
{
    switch (op) {
    case CMP_EQ: return CMP_NE;
    case CMP_NE: return CMP_EQ;
    case CMP_LT: return CMP_GE;
    case CMP_LE: return CMP_GT;
    case CMP_GT: return CMP_LE;
    default: return CMP_LT;
    }
}

bool ref_is_testable(const IrRef *r)
{
    return r->kind == REF_VAR || r->kind == REF_FIELD || r->kind == REF_CALL;
}


/* A variable or a field path: what a pair condition can compare. */
static bool ref_is_place(const IrRef *r)
{
    return r->kind == REF_VAR || r->kind == REF_FIELD;
}

/* ---- conditions ---- */

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
    k.known = ref_is_testable(&ref) || ref.kind == REF_CONST;
    k.ref = k.known ? ref : ir_ref_none();
    k.op = op;
    k.value = value;
    return k;
}

static IrCond cond_compare(Builder *b, CXCursor c, const char *op, int depth)
{
    CXCursor l, r;
    if (!cursor_children2(c, &l, &r)) return ir_cond_unknown();
    long long lv, rv;
    bool lc = const_eval(l, &lv), rc = const_eval(r, &rv);
    IrCmp cmp = cmp_of(op);
    if (rc && !lc) {
        IrRef ref = expr_eval(b, l, depth + 1);
        return ref_is_testable(&ref) ? ir_cond_make(ref, cmp, rv) : ir_cond_unknown();
    }
    if (lc && !rc) {
        IrRef ref = expr_eval(b, r, depth + 1);
        return ref_is_testable(&ref) ? ir_cond_make(ref, cmp_flip(cmp), lv) : ir_cond_unknown();
    }
    IrRef lref = expr_eval(b, l, depth + 1);
    IrRef rref = expr_eval(b, r, depth + 1);
    IrCond k = ir_cond_unknown();
    if ((cmp == CMP_EQ || cmp == CMP_NE) && ref_is_place(&lref) && ref_is_place(&rref)) {
        k.ref = lref;  /* "a == b" between two references: known stays false */
        k.op = cmp;
        k.ref2 = rref;
    }
    return k;
}

/* One atomic condition; emits the events of its operands. */
IrCond cond_reduce_atomic(Builder *b, CXCursor c, int depth)
{
    if (parse_too_deep(b, depth)) return ir_cond_unknown();
    CXCursor s = cursor_strip(c, true), arg;
    long long v;
    if (const_eval(s, &v)) return ir_cond_make(ir_ref_const(v), CMP_NE, 0);
    if (is_builtin_expect(s, &arg)) return cond_reduce_atomic(b, arg, depth + 1);
    enum CXCursorKind k = clang_getCursorKind(s);
    char buf[8];
    if (k == CXCursor_BinaryOperator) {
        const char *op = builder_binary_op(b, s, buf);
        if (op_is_comparison(op)) return cond_compare(b, s, op, depth);
    } else if (k == CXCursor_UnaryOperator) {
        bool postfix;
        if (!strcmp(unary_op(b->tu, b->macros, s, buf, &postfix), "!")) {
            IrCond in = cond_reduce_atomic(b, cursor_first_expr(s), depth + 1);
            if (in.known || in.ref2.kind != REF_NONE) in.op = cmp_negate(in.op);
            return in;
        }
    }
    IrRef ref = expr_eval(b, s, depth + 1);
    return ref_is_testable(&ref) ? ir_cond_make(ref, CMP_NE, 0) : ir_cond_unknown();
}

/* Is c (stripped) an operator that splits into several conditions? */
int cond_split_kind(Builder *b, CXCursor s, char buf[8])
{
    enum CXCursorKind k = clang_getCursorKind(s);
    if (k == CXCursor_ConditionalOperator) return '?';
    if (k == CXCursor_BinaryOperator) {
        const char *op = builder_binary_op(b, s, buf);
        if (!strcmp(op, "&&")) return '&';
        if (!strcmp(op, "||")) return '|';
        if (!strcmp(op, ",")) return ',';
    } else if (k == CXCursor_UnaryOperator) {
        bool postfix;
        if (!strcmp(unary_op(b->tu, b->macros, s, buf, &postfix), "!")) {
            CXCursor in = cursor_strip(cursor_first_expr(s), true);
            char b2[8];
            if (cond_split_kind(b, in, b2)) return '!';
        }
    }
    return 0;
}

static void cond_chain(Builder *b, CXCursor s, int shape, int t, int f, int depth)
{
    CursorVec ops = {0};
    chain_operands(b, s, op_same, shape == '&' ? "&&" : shape == '|' ? "||" : ",", &ops);
    for (int i = 0; i < ops.len - 1; i++) {
        if (shape == ',') {
            expr_eval(b, ops.items[i], depth + 1);
            continue;
        }
        int mid = bb_new(b);
        if (shape == '&') cond_build(b, ops.items[i], mid, f, depth + 1);
        else cond_build(b, ops.items[i], t, mid, depth + 1);
        b->cur = mid;
    }
    cond_build(b, ops.items[ops.len - 1], t, f, depth + 1);
    VEC_FREE(ops);
}

void cond_build(Builder *b, CXCursor c, int t, int f, int depth)
{
    if (parse_too_deep(b, depth)) {
        bb_branch(b, ir_cond_unknown(), NULL, loc_of_cursor(c), t, f);
        return;
    }
    CXCursor s = cursor_strip(c, true), arg;
    if (is_builtin_expect(s, &arg)) { /* likely()/unlikely(): the condition is the argument */
        cond_build(b, arg, t, f, depth + 1);
        return;
    }
    char buf[8];
    int shape = cond_split_kind(b, s, buf);
    if (shape == '&' || shape == '|' || shape == ',') {
        cond_chain(b, s, shape, t, f, depth);
        return;
    }
    if (shape == '!') {
        cond_build(b, cursor_first_expr(s), f, t, depth + 1);
        return;
    }
    if (shape == '?') {
        CursorVec k = {0};
        cursor_children(s, &k);
        if (k.len == 3) {
            int tb = bb_new(b), fb = bb_new(b);
            cond_build(b, k.items[0], tb, fb, depth + 1);
            b->cur = tb;
            cond_build(b, k.items[1], t, f, depth + 1);
            b->cur = fb;
            cond_build(b, k.items[2], t, f, depth + 1);
            VEC_FREE(k);
            return;
        }
        VEC_FREE(k);
    }
    IrCond cond = cond_reduce_atomic(b, s, depth + 1);
    bb_branch(b, cond, cursor_text(b->arena, b->tu, s), loc_of_cursor(s), t, f);
}
