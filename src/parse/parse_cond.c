/* parse_cond.c — conditions: an atomic condition reduces to IrCond
 * ("REF OP CONSTANT", the constant on the right; named constants folded),
 * and &&, ||, !, ?: and the comma operator split into blocks so that each
 * branch tests one atomic condition (short-circuit CFG, as clang's CFG.cpp
 * builds it). Chains of one operator are walked without recursion. The
 * events of the operands come from parse_expr.c. Also the text of a
 * condition for path notes (cond_text): short, and the macro argument
 * rather than the whole macro use when the argument is what is tested. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

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

/* A variable or a field path: what a pair condition can compare. */
static bool ref_is_place(const IrRef *r)
{
    return r->kind == REF_VAR || r->kind == REF_FIELD;
}

/* ---- the text of a condition, for path notes ---- */

static bool is_not(Builder *b, CXCursor s)
{
    char buf[8];
    bool postfix;
    return clang_getCursorKind(s) == CXCursor_UnaryOperator &&
           !strcmp(unary_op(b->tu, b->macros, s, buf, &postfix), "!");
}

/* `!!x` tests what x tests (the body of likely()/unlikely()). */
static CXCursor strip_double_not(Builder *b, CXCursor s)
{
    for (int i = 0; i < 8 && is_not(b, s); i++) {
        CXCursor in = cursor_strip(cursor_first_expr(s), true);
        if (!is_not(b, in)) break;
        s = cursor_strip(cursor_first_expr(in), true);
    }
    return s;
}

static bool is_simple_name(const char *t)
{
    for (; *t; t++)
        if (!(isalnum((unsigned char)*t) || *t == '_' || *t == '.' || (*t == '-' && t[1] == '>') ||
              (*t == '>' && t[-1] == '-')))
            return false;
    return true;
}

/* A condition in a macro's body that is one of its arguments, or the
 * negation of one (`if (!(cond))` in a CHECK(cond, msg) macro). */
static const char *argument_condition(Builder *b, CXCursor s)
{
    CXCursor p = strip_double_not(b, s);
    const char *t = macro_argument_text(b->arena, b->tu, p);
    if (t || !is_not(b, p)) return t;
    t = macro_argument_text(b->arena, b->tu, cursor_strip(cursor_first_expr(p), true));
    if (!t) return NULL;
    char *m = xasprintf(is_simple_name(t) ? "!%s" : "!(%s)", t);
    const char *out = arena_strdup(b->arena, m);
    free(m);
    return out;
}

/* At most COND_TEXT_MAX characters (and the closing brackets): cut between
 * tokens (at a space, after a comma or an opening bracket), never inside a
 * string or character literal; "..." stands for the rest, and the brackets
 * left open are closed: `LM_ERR(...)`, `ereport(ERROR, (errcode(42), ...))`. */
static const char *cap_text(Builder *b, const char *t)
{
    if (strlen(t) <= COND_TEXT_MAX) return t;
    size_t limit = COND_TEXT_MAX - 4, cut = 0;
    char quote = 0, open[COND_TEXT_MAX], open_at_cut[COND_TEXT_MAX];
    int depth = 0, depth_at_cut = 0;
    for (size_t i = 0; i < limit; i++) {
        char ch = t[i];
        bool boundary = false;
        if (quote) {
            if (ch == '\\' && i + 1 < limit) i++;
            else if (ch == quote) quote = 0;
            continue;
        }
        if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '(' || ch == '[') {
            open[depth++] = ch == '(' ? ')' : ']';
            boundary = true;
        } else if (ch == ')' || ch == ']') {
            if (depth > 0) depth--;
        } else if (ch == ' ' || ch == ',') {
            boundary = true;
        }
        if (boundary) {
            cut = i + 1;
            depth_at_cut = depth;
            memcpy(open_at_cut, open, (size_t)depth);
        }
    }
    if (cut == 0) cut = limit; /* one long token: no boundary to cut at */
    StrBuf sb;
    sb_init(&sb);
    sb_append_n(&sb, t, cut);
    if (cut && t[cut - 1] == ',') sb_append_char(&sb, ' ');
    sb_append(&sb, "...");
    while (depth_at_cut > 0) sb_append_char(&sb, open_at_cut[--depth_at_cut]);
    const char *out = arena_strdup(b->arena, sb.data);
    sb_free(&sb);
    return out;
}

const char *cond_text(Builder *b, CXCursor c)
{
    CXCursor s = cursor_strip(c, true);
    const char *t = argument_condition(b, s);
    if (!t) t = cursor_text(b->arena, b->tu, s);
    return t ? cap_text(b, t) : NULL;
}

/* ---- conditions ---- */

/* `(x & ~1) == 0`: x is 0 or 1 — ODBC's SQL_SUCCEEDED(rc), where 0 is
 * SQL_SUCCESS, 1 SQL_SUCCESS_WITH_INFO and failures are negative. The IR
 * has no range condition: this reduces to `x >= 0` (and `!= 0` to
 * `x < 0`), exact for status codes that are never above 1. */
static bool masked_success_test(Builder *b, CXCursor side, IrCmp cmp, IrCond *out, int depth)
{
    char buf[8];
    CXCursor s = cursor_strip(side, true), x, m;
    if (clang_getCursorKind(s) != CXCursor_BinaryOperator || strcmp(builder_binary_op(b, s, buf), "&") != 0)
        return false;
    if (!cursor_children2(s, &x, &m)) return false;
    long long mask;
    if (!const_eval(m, &mask)) {
        CXCursor t = x;
        x = m;
        m = t;
        if (!const_eval(m, &mask)) return false;
    }
    if (mask != ~1LL) return false;
    IrRef ref = expr_eval(b, x, depth + 1);
    if (!ir_ref_is_testable(&ref)) return false;
    *out = ir_cond_make(ref, cmp == CMP_EQ ? CMP_GE : CMP_LT, 0);
    return true;
}

/* Is the operand, as the comparison converts it, a pointer or an unsigned
 * integer: a value that is never below 0? */
static bool never_negative(CXCursor side)
{
    switch (clang_getCanonicalType(clang_getCursorType(side)).kind) {
    case CXType_Pointer:
    case CXType_Bool:
    case CXType_Char_U:
    case CXType_UChar:
    case CXType_UShort:
    case CXType_UInt:
    case CXType_ULong:
    case CXType_ULongLong:
    case CXType_UInt128:
        return true;
    default:
        return false;
    }
}

/* `p < 0`, `p >= 0`, `p <= 0`, `p > 0` on a pointer or an unsigned value
 * (0 on the right): never, always, `p == 0`, `p != 0`. The operand's
 * events are emitted; a constant answer is a constant condition. */
static bool nonneg_compare(Builder *b, CXCursor side, IrCmp cmp, IrCond *out, int depth)
{
    if (cmp == CMP_EQ || cmp == CMP_NE || !never_negative(side)) return false;
    IrRef ref = expr_eval(b, side, depth + 1);
    if (cmp == CMP_LT || cmp == CMP_GE) {
        *out = ir_cond_make(ir_ref_const(cmp == CMP_GE), CMP_NE, 0);
        return true;
    }
    *out = ir_ref_is_testable(&ref) ? ir_cond_make(ref, cmp == CMP_LE ? CMP_EQ : CMP_NE, 0)
                                    : ir_cond_unknown();
    return true;
}

static IrCond cond_compare(Builder *b, CXCursor c, const char *op, int depth)
{
    CXCursor l, r;
    if (!cursor_children2(c, &l, &r)) return ir_cond_unknown();
    long long lv, rv;
    bool lc = const_eval(l, &lv), rc = const_eval(r, &rv);
    IrCmp cmp = cmp_of(op);
    IrCond masked;
    if (rc && !lc && rv == 0 && nonneg_compare(b, l, cmp, &masked, depth)) return masked;
    if (lc && !rc && lv == 0 && nonneg_compare(b, r, cmp_flip(cmp), &masked, depth)) return masked;
    if ((cmp == CMP_EQ || cmp == CMP_NE) && ((rc && !lc && rv == 0 && masked_success_test(b, l, cmp, &masked, depth)) ||
                                             (lc && !rc && lv == 0 && masked_success_test(b, r, cmp, &masked, depth))))
        return masked;
    if (rc && !lc) {
        IrRef ref = expr_eval(b, l, depth + 1);
        return ir_ref_is_testable(&ref) ? ir_cond_make(ref, cmp, rv) : ir_cond_unknown();
    }
    if (lc && !rc) {
        IrRef ref = expr_eval(b, r, depth + 1);
        return ir_ref_is_testable(&ref) ? ir_cond_make(ref, cmp_flip(cmp), lv) : ir_cond_unknown();
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
    return ir_ref_is_testable(&ref) ? ir_cond_make(ref, CMP_NE, 0) : ir_cond_unknown();
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
    bb_branch(b, cond, cond_text(b, s), loc_of_cursor(s), t, f);
}
