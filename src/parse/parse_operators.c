/* parse_operators.c — the operator of a binary or unary expression, which
 * libclang 14 has no API for (libclang 17+ is asked directly). Outside
 * macro bodies it is the token between the operands (or, for a unary
 * operator, before or after its operand). Inside a macro body the
 * operands' locations all map to the macro use, so the tokens between
 * them cannot be read: there the macro's definition is found through the
 * detailed preprocessing record and its body tokens are read. When the
 * operator nodes of the expression that hide in the macro body are exactly
 * as many as the body's binary operators, they match in source order (an
 * in-order walk of the tree). Otherwise, when every candidate operator of
 * the body (after the left operand's last token, when that is known) is the
 * same operator, that is the one. A function-like macro used in the body
 * (with operator-free arguments) contributes its own body's operators at
 * its place. Anything less certain gives "unknown" (callers then treat the
 * expression as opaque). All operator recovery is here; the cursor helpers
 * it uses are in parse_util.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

/* ---- operators written between their operands ---- */

/* The location as the user wrote it: macro arguments map to where the
 * argument is written, other macro text to the macro use. */
static CXSourceLocation file_loc(CXTranslationUnit tu, CXSourceLocation l, CXFile *file,
                                 unsigned *off)
{
    clang_getFileLocation(l, file, NULL, NULL, off);
    return clang_getLocationForOffset(tu, *file, *off);
}

/* The operator token in [from, to) (file offsets in one file): the only
 * token there besides parentheses. Inside a macro use (the operands are
 * macro arguments), a comma there separates arguments, not operands. */
static bool punct_between(CXTranslationUnit tu, CXSourceLocation from, CXSourceLocation to,
                          char buf[8])
{
    CXFile f1, f2;
    unsigned o1, o2, e1, e2;
    CXSourceLocation a = file_loc(tu, from, &f1, &o1);
    CXSourceLocation b = file_loc(tu, to, &f2, &o2);
    if (!f1 || !f2 || !clang_File_isEqual(f1, f2) || o1 >= o2) return false;
    clang_getExpansionLocation(from, NULL, NULL, NULL, &e1);
    clang_getExpansionLocation(to, NULL, NULL, NULL, &e2);
    bool in_macro = e1 != o1 || e2 != o2;
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, clang_getRange(a, b), &toks, &n);
    int operators = 0, others = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned off;
        clang_getFileLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
        if (off >= o2) break;
        CXString s = clang_getTokenSpelling(tu, toks[i]);
        const char *p = clang_getCString(s);
        if (clang_getTokenKind(toks[i]) != CXToken_Punctuation || !p || strlen(p) >= 8) {
            /* a nested macro ending the left operand (NULL) can leave `from`
             * at the start of its name rather than after it */
            if (!(off == o1 && i == 0)) others++;
        } else if (strcmp(p, "(") != 0 && strcmp(p, ")") != 0) {
            if (operators++ == 0) strcpy(buf, p);
        }
        clang_disposeString(s);
    }
    if (toks) clang_disposeTokens(tu, toks, n);
    bool ok = operators == 1 && others == 0 && !(in_macro && !strcmp(buf, ","));
    if (!ok) buf[0] = '\0';
    return ok;
}

/* The end of an expression. A binary or conditional operator ends where
 * its last operand ends: walking down to it avoids asking libclang for the
 * extent of a long left-nested chain, whose start it finds by walking the
 * whole chain (quadratic over `a && b && ...`). */
static CXSourceLocation expr_end(CXCursor c)
{
    CursorVec k = {0};
    for (int guard = 0; guard < 10000; guard++) {
        enum CXCursorKind kind = clang_getCursorKind(c);
        if (kind != CXCursor_BinaryOperator && kind != CXCursor_CompoundAssignOperator &&
            kind != CXCursor_ConditionalOperator)
            break;
        cursor_children(c, &k);
        if (k.len < 2) break;
        c = k.items[k.len - 1];
    }
    VEC_FREE(k);
    return clang_getRangeEnd(clang_getCursorExtent(c));
}

bool binary_op_direct(CXTranslationUnit tu, CXCursor c, char buf[8])
{
    buf[0] = '\0';
    CursorVec kids = {0};
    cursor_children(c, &kids);
    bool ok = kids.len == 2 &&
              punct_between(tu, expr_end(kids.items[0]), clang_getRangeStart(clang_getCursorExtent(kids.items[1])),
                            buf);
    VEC_FREE(kids);
    return ok;
}

/* Last resort for an assignment written inside a macro body next to other
 * operators, which the token paths could not place (libclang < 17 exposes no
 * operator kind, and its pretty printer prints no expressions): an
 * expression of pointer or struct type equal to its left operand's type,
 * whose left operand is a place and whose right operand is a pointer or a
 * struct, can only be `=` (comparisons give int, pointer arithmetic takes an
 * integer, and a comma with a place on its left is no code people write). */
static bool is_place_kind(enum CXCursorKind k)
{
    return k == CXCursor_DeclRefExpr || k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr ||
           k == CXCursor_UnaryOperator || k == CXCursor_ParenExpr || k == CXCursor_UnexposedExpr;
}

static bool is_pointer_or_record(CXType t)
{
    return t.kind == CXType_Pointer || t.kind == CXType_Record;
}

static bool binary_op_by_types(CXCursor c, CXCursor lhs, CXCursor rhs, char buf[8])
{
    CXType whole = clang_getCanonicalType(clang_getCursorType(c));
    CXType l = clang_getCanonicalType(clang_getCursorType(lhs));
    CXType r = clang_getCanonicalType(clang_getCursorType(rhs));
    if (!is_pointer_or_record(whole) || !clang_equalTypes(whole, l)) return false;
    if (!is_place_kind(clang_getCursorKind(lhs)) || !is_pointer_or_record(r)) return false;
    if (whole.kind == CXType_Record && !clang_equalTypes(whole, r)) return false;
    snprintf(buf, 8, "=");
    return true;
}

const char *binary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor c, char buf[8])
{
#if CINDEX_VERSION_MINOR >= 64 /* libclang 17: the operator kind is exposed */
    enum CXBinaryOperatorKind kind = clang_getCursorBinaryOperatorKind(c);
    if (kind != CXBinaryOperator_Invalid) {
        CXString sp = clang_getBinaryOperatorKindSpelling(kind);
        snprintf(buf, 8, "%s", clang_getCString(sp));
        clang_disposeString(sp);
        if (buf[0]) return buf;
    }
#endif
    if (binary_op_direct(tu, c, buf)) return buf;
    CursorVec kids = {0};
    cursor_children(c, &kids);
    if (kids.len != 2 || !(macro_binary_op(tu, mc, c, kids.items[0], buf) ||
                           binary_op_by_types(c, kids.items[0], kids.items[1], buf)))
        buf[0] = '\0';
    VEC_FREE(kids);
    return buf;
}

const char *unary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor c, char buf[8], bool *postfix)
{
    buf[0] = '\0';
    *postfix = false;
#if CINDEX_VERSION_MINOR >= 64 /* libclang 17: the operator kind is exposed */
    enum CXUnaryOperatorKind kind = clang_getCursorUnaryOperatorKind(c);
    if (kind != CXUnaryOperator_Invalid && kind != CXUnaryOperator_Extension) {
        CXString sp = clang_getUnaryOperatorKindSpelling(kind);
        snprintf(buf, 8, "%s", clang_getCString(sp));
        clang_disposeString(sp);
        *postfix = kind == CXUnaryOperator_PostInc || kind == CXUnaryOperator_PostDec;
        if (buf[0]) return buf;
    }
#endif
    CXCursor arg = cursor_single_child(c);
    if (clang_Cursor_isNull(arg)) return buf;
    CXSourceRange whole = clang_getCursorExtent(c), inner = clang_getCursorExtent(arg);
    if (punct_between(tu, clang_getRangeStart(whole), clang_getRangeStart(inner), buf)) return buf;
    if (punct_between(tu, clang_getRangeEnd(inner), clang_getRangeEnd(whole), buf)) {
        *postfix = true;
        return buf;
    }
    if (!macro_unary_op(tu, mc, c, buf)) buf[0] = '\0'; /* unknown: treated as a plain read */
    return buf;
}

/* ---- operators inside macro bodies ---- */

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

/* One operator candidate of a macro body: a binary operator after an
 * operand, or a prefix !, - or ~, with the neighbouring operand token. */
typedef struct {
    char op[8];
    char *near; /* binary: the token before (the left operand's last);
                   unary: the token after (the operand's first) */
} Candidate;

typedef struct {
    VEC(Candidate) binary;
    VEC(Candidate) unary;
} MacroInfo;

typedef struct {
    CXFile file;
    unsigned off;
    int info; /* index into infos; -1: no macro expansion here */
    bool primed; /* its statement's operators were matched (or tried) */
} UseSlot;

typedef struct {
    char op[8];
} OpName;

typedef struct {
    char *name;
    CXCursor def;
    bool ambiguous;
} NamedMacro;

struct MacroCache {
    NamedMacro *names; /* function-like macros by name, built on first need */
    unsigned names_cap;
    int names_n;
    bool names_built;
    UseSlot *slots;   /* macro uses by expansion location (open addressing) */
    unsigned cap, n;
    CursorMap defs;   /* definition -> index into infos */
    VEC(MacroInfo) infos;
    CursorMap node_ops; /* operator node -> index into ops, once matched */
    VEC(OpName) ops;
};

MacroCache *macro_cache_new(void)
{
    return xcalloc(1, sizeof(MacroCache));
}

void macro_cache_free(MacroCache *mc)
{
    if (!mc) return;
    for (int i = 0; i < mc->infos.len; i++) {
        MacroInfo *m = &mc->infos.items[i];
        for (int k = 0; k < m->binary.len; k++) free(m->binary.items[k].near);
        for (int k = 0; k < m->unary.len; k++) free(m->unary.items[k].near);
        VEC_FREE(m->binary);
        VEC_FREE(m->unary);
    }
    VEC_FREE(mc->infos);
    cursormap_free(&mc->defs);
    cursormap_free(&mc->node_ops);
    VEC_FREE(mc->ops);
    for (unsigned i = 0; i < mc->names_cap; i++) free(mc->names[i].name);
    free(mc->names);
    free(mc->slots);
    free(mc);
}

/* Keywords that a prefix operator may follow (`return -1`, `case -1`). */
static bool is_keyword_before_operand(const char *t)
{
    static const char *const kw[] = {"return", "case", "sizeof", "else", "do", "_Alignof", "typeof",
                                     "__typeof__", "__extension__"};
    for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
        if (!strcmp(t, kw[i])) return true;
    return false;
}

static bool is_operand_end(const char *t)
{
    unsigned char ch = (unsigned char)t[0];
    if (is_keyword_before_operand(t)) return false;
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '"' || ch == '\'' || !strcmp(t, ")") || !strcmp(t, "]") || !strcmp(t, "++") ||
           !strcmp(t, "--");
}

static char *token_text(CXTranslationUnit tu, CXToken t)
{
    CXString s = clang_getTokenSpelling(tu, t);
    char *r = xstrdup(clang_getCString(s));
    clang_disposeString(s);
    return r;
}

/* Tokenises a macro definition once and keeps its operator candidates. */
/* ---- function-like macros by name, for macros used inside macros ---- */

static enum CXChildVisitResult collect_macro(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    MacroCache *mc = data;
    if (clang_getCursorKind(c) != CXCursor_MacroDefinition || !clang_Cursor_isMacroFunctionLike(c))
        return CXChildVisit_Continue;
    CXString s = clang_getCursorSpelling(c);
    const char *name = clang_getCString(s);
    if ((mc->names_n + 1) * 2 > (int)mc->names_cap) {
        unsigned cap = mc->names_cap ? mc->names_cap * 2 : 1024;
        NamedMacro *slots = xcalloc(cap, sizeof(NamedMacro));
        for (unsigned i = 0; i < mc->names_cap; i++) {
            if (!mc->names[i].name) continue;
            unsigned h = (unsigned)hash_str64(mc->names[i].name) & (cap - 1);
            while (slots[h].name) h = (h + 1) & (cap - 1);
            slots[h] = mc->names[i];
        }
        free(mc->names);
        mc->names = slots;
        mc->names_cap = cap;
    }
    unsigned h = (unsigned)hash_str64(name) & (mc->names_cap - 1);
    while (mc->names[h].name && strcmp(mc->names[h].name, name) != 0) h = (h + 1) & (mc->names_cap - 1);
    if (mc->names[h].name) {
        mc->names[h].ambiguous = true; /* defined twice: do not guess */
    } else {
        mc->names[h].name = xstrdup(name);
        mc->names[h].def = c;
        mc->names_n++;
    }
    clang_disposeString(s);
    return CXChildVisit_Continue;
}

static bool macro_by_name(CXTranslationUnit tu, MacroCache *mc, const char *name, CXCursor *def)
{
    if (!mc->names_built) {
        mc->names_built = true;
        clang_visitChildren(clang_getTranslationUnitCursor(tu), collect_macro, mc);
    }
    if (!mc->names_cap) return false;
    unsigned h = (unsigned)hash_str64(name) & (mc->names_cap - 1);
    while (mc->names[h].name) {
        if (!strcmp(mc->names[h].name, name)) {
            *def = mc->names[h].def;
            return !mc->names[h].ambiguous;
        }
        h = (h + 1) & (mc->names_cap - 1);
    }
    return false;
}

static bool is_identifier(const char *t)
{
    unsigned char ch = (unsigned char)t[0];
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Can a token begin an operand? (an identifier, a literal, an opening
 * parenthesis, a prefix operator) */
static bool can_start_operand(const char *t)
{
    unsigned char ch = (unsigned char)t[0];
    if (is_identifier(t) || (ch >= '0' && ch <= '9') || ch == '"' || ch == '\'' || ch == '.') return true;
    static const char *const prefix[] = {"(", "!", "~", "-", "+", "*", "&", "++", "--", NULL};
    for (int i = 0; prefix[i]; i++)
        if (strcmp(t, prefix[i]) == 0) return true;
    return false;
}

/* Is t[k] a binary operator by what follows it? A `*` followed (after more
 * `*`, const, volatile, restrict) by `)` or `,` is a declarator's star in a
 * cast or type name (`(struct link *)p`, `sizeof(char **)`), and any
 * operator must be followed by something that can begin an operand. */
static bool binary_by_follower(char **t, unsigned k, unsigned n)
{
    unsigned j = k + 1;
    if (strcmp(t[k], "*") == 0) {
        while (j < n && (!strcmp(t[j], "*") || !strcmp(t[j], "const") || !strcmp(t[j], "volatile") ||
                         !strcmp(t[j], "restrict") || !strcmp(t[j], "__restrict")))
            j++;
        if (j < n && (!strcmp(t[j], ")") || !strcmp(t[j], ","))) return false;
        j = k + 1;
    }
    return j < n && can_start_operand(t[j]);
}


#define MACRO_NEST_MAX 8

typedef VEC(char *) TokVec;

#define EXPANSION_BUDGET 512 /* nested macro uses expanded per definition */

static void tokvec_free(TokVec *v)
{
    for (int i = 0; i < v->len; i++) free(v->items[i]);
    VEC_FREE(*v);
}

/* The parameter names and body tokens of a macro definition. A variadic
 * `...` is named __VA_ARGS__; GNU's `args...` keeps its name. */
static void macro_tokens(CXTranslationUnit tu, CXCursor def, TokVec *params, TokVec *body, bool *variadic)
{
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, clang_getCursorExtent(def), &toks, &n);
    unsigned i = 1; /* after the macro's name */
    *variadic = false;
    if (clang_Cursor_isMacroFunctionLike(def)) {
        bool after_name = false; /* the previous token was a parameter name */
        for (i = 2; i < n; i++) {
            char *t = token_text(tu, toks[i]);
            if (!strcmp(t, ")")) {
                free(t);
                i++;
                break;
            }
            if (!strcmp(t, "...")) {
                *variadic = true;
                if (!after_name) VEC_PUSH(*params, xstrdup("__VA_ARGS__")); /* else GNU `args...` */
                free(t);
                after_name = false;
            } else if (!strcmp(t, ",")) {
                free(t);
                after_name = false;
            } else {
                VEC_PUSH(*params, t);
                after_name = true;
            }
        }
    }
    for (; i < n; i++) VEC_PUSH(*body, token_text(tu, toks[i]));
    if (toks) clang_disposeTokens(tu, toks, n);
}

static int param_index(const TokVec *params, const char *t)
{
    for (int i = 0; i < params->len; i++)
        if (!strcmp(params->items[i], t)) return i;
    return -1;
}

/* Expands the uses of function-like macros in t[0..n) into `out`, the way
 * the preprocessor does as far as operators go: arguments substituted for
 * parameters, `#param` made a string, `##` dropped. Object-like macros are
 * left as they are (their operators rarely matter and they have no
 * arguments to place). Bounded by nesting depth and a budget of uses. */
static void expand_stream(CXTranslationUnit tu, MacroCache *mc, char **t, unsigned n, TokVec *out, int nest,
                          int *budget)
{
    for (unsigned k = 0; k < n; k++) {
        CXCursor def;
        if (nest < MACRO_NEST_MAX && *budget > 0 && is_identifier(t[k]) && k + 1 < n && !strcmp(t[k + 1], "(") &&
            macro_by_name(tu, mc, t[k], &def)) {
            VEC(unsigned) starts = {0};
            unsigned e = k + 2;
            int depth = 1;
            VEC_PUSH(starts, k + 2);
            for (; e < n; e++) {
                if (!strcmp(t[e], "(")) depth++;
                else if (!strcmp(t[e], ")") && --depth == 0) break;
                else if (!strcmp(t[e], ",") && depth == 1) VEC_PUSH(starts, e + 1);
            }
            if (depth != 0) {
                VEC_FREE(starts);
                VEC_PUSH(*out, xstrdup(t[k]));
                continue;
            }
            (*budget)--;
            TokVec params = {0}, body = {0};
            bool variadic = false;
            macro_tokens(tu, def, &params, &body, &variadic);
            VEC(char *) sub = {0}; /* borrowed pointers */
            for (int j = 0; j < body.len; j++) {
                const char *bt = body.items[j];
                if (!strcmp(bt, "##")) continue;
                if (!strcmp(bt, "#") && j + 1 < body.len && param_index(&params, body.items[j + 1]) >= 0) {
                    VEC_PUSH(sub, "\"\"");
                    j++;
                    continue;
                }
                int p = param_index(&params, bt);
                if (p < 0) {
                    VEC_PUSH(sub, body.items[j]);
                    continue;
                }
                bool rest = variadic && p == params.len - 1; /* the variadic part takes the rest */
                if (p >= starts.len) continue;                 /* missing (empty) argument */
                unsigned from = starts.items[p];
                unsigned to = rest || p + 1 >= starts.len ? e : starts.items[p + 1] - 1;
                for (unsigned q = from; q < to; q++) VEC_PUSH(sub, t[q]);
            }
            expand_stream(tu, mc, sub.items, (unsigned)sub.len, out, nest + 1, budget);
            VEC_FREE(sub);
            tokvec_free(&params);
            tokvec_free(&body);
            VEC_FREE(starts);
            k = e; /* the closing parenthesis */
            continue;
        }
        VEC_PUSH(*out, xstrdup(t[k]));
    }
}

/* Tokenises a macro definition once and keeps its operator candidates, in
 * the order the expansion has them: the uses of other function-like macros
 * inside it are expanded first (expand_stream). */
static int macro_info_at(CXTranslationUnit tu, MacroCache *mc, CXCursor def, int nest)
{
    int have = cursormap_get(&mc->defs, def);
    if (have >= 0) return have;
    MacroInfo info;
    memset(&info, 0, sizeof info);
    TokVec params = {0}, body = {0};
    bool variadic = false;
    macro_tokens(tu, def, &params, &body, &variadic);
    TokVec x = {0};
    int budget = EXPANSION_BUDGET;
    expand_stream(tu, mc, body.items, (unsigned)body.len, &x, nest, &budget);
    char **t = x.items;
    unsigned n = (unsigned)x.len;
    for (unsigned k = 0; k < n; k++) {
        bool after_operand = k > 0 && is_operand_end(t[k - 1]);
        if (strlen(t[k]) >= 8) continue;
        Candidate c;
        strcpy(c.op, t[k]);
        if (after_operand && precedence(t[k], (int)strlen(t[k])) >= 0 && binary_by_follower(t, k, n)) {
            c.near = xstrdup(t[k - 1]);
            VEC_PUSH(info.binary, c);
        } else if (!after_operand && (!strcmp(t[k], "!") || !strcmp(t[k], "-") || !strcmp(t[k], "~"))) {
            c.near = k + 1 < n ? xstrdup(t[k + 1]) : NULL;
            VEC_PUSH(info.unary, c);
        }
    }
    tokvec_free(&x);
    tokvec_free(&params);
    tokvec_free(&body);
    VEC_PUSH(mc->infos, info);
    cursormap_put(&mc->defs, def, mc->infos.len - 1);
    return mc->infos.len - 1;
}

static int macro_info(CXTranslationUnit tu, MacroCache *mc, CXCursor def)
{
    return macro_info_at(tu, mc, def, 0);
}

static void slots_grow(MacroCache *mc)
{
    unsigned cap = mc->cap ? mc->cap * 2 : 64;
    UseSlot *slots = xcalloc(cap, sizeof(UseSlot));
    for (unsigned i = 0; i < cap; i++) slots[i].info = -2;
    for (unsigned i = 0; i < mc->cap; i++) {
        if (mc->slots[i].info == -2) continue;
        unsigned h = (mc->slots[i].off * 2654435761u) & (cap - 1);
        while (slots[h].info != -2) h = (h + 1) & (cap - 1);
        slots[h] = mc->slots[i];
    }
    free(mc->slots);
    mc->slots = slots;
    mc->cap = cap;
}

/* The macro whose use covers the cursor's start (by its expansion site),
 * looked up once per site: clang_getCursor walks the translation unit. */
static const MacroInfo *macro_at_slot(CXTranslationUnit tu, MacroCache *mc, CXCursor c, UseSlot **slot_out);

static const MacroInfo *macro_at(CXTranslationUnit tu, MacroCache *mc, CXCursor c)
{
    return macro_at_slot(tu, mc, c, NULL);
}

static const MacroInfo *macro_at_slot(CXTranslationUnit tu, MacroCache *mc, CXCursor c, UseSlot **slot_out)
{
    CXFile f;
    unsigned off;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL, NULL, &off);
    if (!f) return NULL;
    if ((mc->n + 1) * 2 > mc->cap) slots_grow(mc);
    unsigned h = (off * 2654435761u) & (mc->cap - 1);
    while (mc->slots[h].info != -2) {
        if (mc->slots[h].off == off && mc->slots[h].file == f) {
            if (slot_out) *slot_out = &mc->slots[h];
            return mc->slots[h].info >= 0 ? &mc->infos.items[mc->slots[h].info] : NULL;
        }
        h = (h + 1) & (mc->cap - 1);
    }
    int info = -1;
    CXCursor exp = clang_getCursor(tu, clang_getLocationForOffset(tu, f, off));
    if (clang_getCursorKind(exp) == CXCursor_MacroExpansion) {
        CXCursor def = clang_getCursorReferenced(exp);
        if (clang_getCursorKind(def) == CXCursor_MacroDefinition) info = macro_info(tu, mc, def);
    }
    UseSlot slot = {f, off, info, false};
    mc->slots[h] = slot;
    mc->n++;
    if (slot_out) *slot_out = &mc->slots[h];
    return info >= 0 ? &mc->infos.items[info] : NULL;
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

/* The first token of a unary operator's operand, when the cursor tells. */
static char *first_token_of(CXCursor c)
{
    CursorVec kids = {0};
    while (clang_getCursorKind(c) == CXCursor_UnexposedExpr) { /* implicit casts */
        cursor_children(c, &kids);
        if (kids.len != 1) break;
        c = kids.items[0];
    }
    VEC_FREE(kids);
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_ParenExpr) return xstrdup("(");
    if (k == CXCursor_DeclRefExpr) {
        CXString s = clang_getCursorSpelling(c);
        char *r = xstrdup(clang_getCString(s));
        clang_disposeString(s);
        return r;
    }
    return NULL;
}

/* Every candidate (next to the operand's token `after`, when known) must
 * be the same operator. */
static bool single_operator(const Candidate *c, int n, const char *after, char buf[8])
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (after && c[i].near && strcmp(c[i].near, after) != 0) continue;
        if (found++ == 0) strcpy(buf, c[i].op);
        else if (strcmp(buf, c[i].op) != 0) return false;
    }
    return found > 0;
}

#define MATCH_MAX_NODES 256
#define MATCH_MAX_STATEMENT_NODES 8192 /* a whole statement, walked once per macro use */

static bool is_binary_node(CXCursor c)
{
    enum CXCursorKind k = clang_getCursorKind(c);
    return k == CXCursor_BinaryOperator || k == CXCursor_CompoundAssignOperator;
}

/* The operator nodes under root whose operator is not readable between
 * their operands, in source order (in-order walk, explicit stack). False
 * when the subtree is too large. */
static bool hidden_operators(CXTranslationUnit tu, CXCursor root, CursorVec *out, int limit)
{
    typedef struct {
        CXCursor c;
        int stage;
    } Item;
    VEC(Item) stack = {0};
    CursorVec kids = {0};
    Item first = {root, 0};
    VEC_PUSH(stack, first);
    int visited = 0;
    bool ok = true;
    char buf[8];
    while (stack.len && ok) {
        Item it = stack.items[--stack.len];
        if (it.stage == 1) { /* between the operands */
            if (!binary_op_direct(tu, it.c, buf)) VEC_PUSH(*out, it.c);
            continue;
        }
        if (++visited > limit) ok = false;
        cursor_children(it.c, &kids);
        if (is_binary_node(it.c) && kids.len == 2) {
            Item rhs = {kids.items[1], 0}, self = {it.c, 1}, lhs = {kids.items[0], 0};
            VEC_PUSH(stack, rhs);
            VEC_PUSH(stack, self);
            VEC_PUSH(stack, lhs);
            continue;
        }
        for (int i = kids.len - 1; i >= 0; i--) {
            Item ch = {kids.items[i], 0};
            VEC_PUSH(stack, ch);
        }
    }
    VEC_FREE(kids);
    VEC_FREE(stack);
    return ok;
}

/* When the operator nodes under `whole` that hide in the macro body are
 * exactly as many as the body's binary operators, they are those operators
 * in order: remember each node's operator. */
static void match_in_order(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, const MacroInfo *m, int limit)
{
    CursorVec nodes = {0};
    bool hid = hidden_operators(tu, whole, &nodes, limit);
    if (hid && nodes.len == m->binary.len) {
        for (int i = 0; i < nodes.len; i++) {
            OpName name;
            strcpy(name.op, m->binary.items[i].op);
            VEC_PUSH(mc->ops, name);
            cursormap_put(&mc->node_ops, nodes.items[i], mc->ops.len - 1);
        }
    }
    VEC_FREE(nodes);
}

/* A statement that a macro expands to (`do { x = f(); if (x == NULL) ...
 * } while (0)`) holds all of the macro body's operators: matching them in
 * order over the whole statement places operators that no single
 * expression of it could (one expression holds only some of them). */
void macro_prime_statement(CXTranslationUnit tu, MacroCache *mc, CXCursor stmt)
{
    UseSlot *slot = NULL;
    const MacroInfo *m = macro_at_slot(tu, mc, stmt, &slot);
    if (!m || m->binary.len <= 1 || !slot || slot->primed) return;
    slot->primed = true; /* the outermost statement of the expansion comes first */
    match_in_order(tu, mc, stmt, m, MATCH_MAX_STATEMENT_NODES);
}

bool macro_binary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, CXCursor lhs, char buf[8])
{
    int known = cursormap_get(&mc->node_ops, whole);
    if (known >= 0) {
        strcpy(buf, mc->ops.items[known].op);
        return true;
    }
    const MacroInfo *m = macro_at(tu, mc, whole);
    if (!m || m->binary.len == 0) return false;
    match_in_order(tu, mc, whole, m, MATCH_MAX_NODES);
    known = cursormap_get(&mc->node_ops, whole);
    if (known >= 0) {
        strcpy(buf, mc->ops.items[known].op);
        return true;
    }
    char *after = last_token_of(lhs);
    bool ok = single_operator(m->binary.items, m->binary.len, after, buf);
    free(after);
    return ok;
}

bool macro_unary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, char buf[8])
{
    const MacroInfo *m = macro_at(tu, mc, whole);
    if (!m) return false;
    CursorVec kids = {0};
    cursor_children(whole, &kids);
    char *first = kids.len == 1 ? first_token_of(kids.items[0]) : NULL;
    VEC_FREE(kids);
    bool ok = single_operator(m->unary.items, m->unary.len, first, buf);
    free(first);
    return ok;
}
