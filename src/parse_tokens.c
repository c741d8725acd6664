/* parse_tokens.c — recovers the operator of a binary or unary expression
 * written inside a macro body. libclang 14 has no operator-kind API, and
 * inside a macro body the operands' locations all map to the macro use, so
 * the tokens between them cannot be read (parse_util.c handles every other
 * case). Here the macro's definition is found through the detailed
 * preprocessing record and its body tokens are read: when every candidate
 * operator of the body (after the left operand's last token, when that is
 * known) is the same operator, that is the one. Anything less certain gives
 * "unknown" (callers then treat the expression as opaque). */
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

/* Binding strength of a binary operator; -1 when it is not one. */
static int precedence(const char *op, int n)
{
    static const struct {
        const char *op;
        int prec;
    } t[] = {
        {"*", 10}, {"/", 10}, {"%", 10}, {"+", 9}, {"-", 9}, {"<<", 8}, {">>", 8},
        {"<", 7}, {"<=", 7}, {">", 7}, {">=", 7}, {"==", 6}, {"!=", 6}, {"&", 5},
        {"^", 4}, {"|", 3}, {"&&", 2}, {"||", 1}, {"=", 0}, {"+=", 0}, {"-=", 0},
        {"*=", 0}, {"/=", 0}, {"%=", 0}, {"&=", 0}, {"^=", 0}, {"|=", 0}, {"<<=", 0}, {">>=", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if ((int)strlen(t[i].op) == n && strncmp(t[i].op, op, (size_t)n) == 0) return t[i].prec;
    return -1;
}

typedef VEC(char *) TokVec;

static void tokvec_free(TokVec *v)
{
    for (int i = 0; i < v->len; i++) free(v->items[i]);
    VEC_FREE(*v);
}

/* Body tokens of the macro whose expansion covers the cursor's start. */
static bool macro_body(CXTranslationUnit tu, CXCursor c, TokVec *out)
{
    CXFile f;
    unsigned off;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL, NULL, &off);
    if (!f) return false;
    CXCursor exp = clang_getCursor(tu, clang_getLocationForOffset(tu, f, off));
    if (clang_getCursorKind(exp) != CXCursor_MacroExpansion) return false;
    CXCursor def = clang_getCursorReferenced(exp);
    if (clang_getCursorKind(def) != CXCursor_MacroDefinition) return false;
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, clang_getCursorExtent(def), &toks, &n);
    unsigned i = 1; /* after the macro's name */
    if (clang_Cursor_isMacroFunctionLike(def)) {
        while (i < n) {
            CXString s = clang_getTokenSpelling(tu, toks[i++]);
            bool close = !strcmp(clang_getCString(s), ")");
            clang_disposeString(s);
            if (close) break;
        }
    }
    for (; i < n; i++) {
        CXString s = clang_getTokenSpelling(tu, toks[i]);
        VEC_PUSH(*out, xstrdup(clang_getCString(s)));
        clang_disposeString(s);
    }
    if (toks) clang_disposeTokens(tu, toks, n);
    return out->len > 0;
}

static bool is_operand_end(const char *t)
{
    unsigned char ch = (unsigned char)t[0];
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '"' || ch == '\'' || !strcmp(t, ")") || !strcmp(t, "]") || !strcmp(t, "++") ||
           !strcmp(t, "--");
}

/* The last token of an operand as the macro body spells it, when the
 * cursor tells: a name, or a closing bracket. NULL when unknown. */
static char *last_token_of(CXCursor c)
{
    CursorVec kids = {0};
    while (clang_getCursorKind(c) == CXCursor_UnexposedExpr) { /* implicit casts */
        cursor_children(c, &kids);
        if (kids.len != 1) break;
        c = kids.items[0];
    }
    VEC_FREE(kids);
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_DeclRefExpr || k == CXCursor_MemberRefExpr) {
        CXString s = clang_getCursorSpelling(c);
        char *r = xstrdup(clang_getCString(s));
        clang_disposeString(s);
        return r;
    }
    if (k == CXCursor_ParenExpr || k == CXCursor_CallExpr) return xstrdup(")");
    if (k == CXCursor_ArraySubscriptExpr) return xstrdup("]");
    return NULL;
}

/* The operator of the body that the expression uses: every candidate (a
 * binary operator after an operand, or a prefix !, -, ~) -- restricted to
 * those after the left operand's last token when known -- must be the same
 * operator. */
static bool single_operator(const TokVec *body, bool binary, const char *after, char buf[8])
{
    int found = 0;
    for (int i = 0; i < body->len; i++) {
        const char *t = body->items[i];
        bool after_operand = i > 0 && is_operand_end(body->items[i - 1]);
        bool hit;
        if (binary) {
            hit = after_operand && precedence(t, (int)strlen(t)) >= 0 &&
                  (!after || strcmp(body->items[i - 1], after) == 0);
        } else {
            hit = !after_operand && (!strcmp(t, "!") || !strcmp(t, "-") || !strcmp(t, "~"));
        }
        if (!hit || strlen(t) >= 8) continue;
        if (found++ == 0) strcpy(buf, t);
        else if (strcmp(buf, t) != 0) return false;
    }
    return found > 0;
}

bool macro_binary_op(CXTranslationUnit tu, CXCursor whole, CXCursor lhs, char buf[8])
{
    TokVec body = {0};
    char *after = last_token_of(lhs);
    bool ok = macro_body(tu, whole, &body) && single_operator(&body, true, after, buf);
    free(after);
    tokvec_free(&body);
    return ok;
}

bool macro_unary_op(CXTranslationUnit tu, CXCursor whole, char buf[8])
{
    TokVec body = {0};
    bool ok = macro_body(tu, whole, &body) && single_operator(&body, false, NULL, buf);
    tokvec_free(&body);
    return ok;
}
