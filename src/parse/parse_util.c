/* parse_util.c — small libclang helpers for the parse stage: children of a
 * cursor, locations mapped to the expansion site, constant evaluation,
 * source text of conditions, the noreturn and cleanup attributes, and a
 * cursor-keyed hash map. Operator spelling is parse_operators.c, above
 * these helpers. No CFG logic here. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    CursorVec *v = data;
    VEC_PUSH(*v, c);
    return CXChildVisit_Continue;
}

void cursor_children(CXCursor c, CursorVec *out)
{
    out->len = 0;
    clang_visitChildren(c, collect_child, out);
}

typedef struct {
    CXCursor last;
    int n;
} ChildCount;

static enum CXChildVisitResult count_child(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    ChildCount *cc = data;
    cc->last = c;
    cc->n++;
    return cc->n > 1 ? CXChildVisit_Break : CXChildVisit_Continue;
}

/* The only child of c, or the null cursor when c has none or several. */
CXCursor cursor_single_child(CXCursor c)
{
    ChildCount cc = {clang_getNullCursor(), 0};
    clang_visitChildren(c, count_child, &cc);
    return cc.n == 1 ? cc.last : clang_getNullCursor();
}

static enum CXChildVisitResult last_child_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    *(CXCursor *)data = c;
    return CXChildVisit_Continue;
}

/* The association a _Generic selects: the only one of the selection's own
 * type (libclang 14 does not say which); the null cursor when unsure. */
static CXCursor generic_selected(CXCursor c)
{
    CursorVec k = {0};
    cursor_children(c, &k);
    CXType want = clang_getCanonicalType(clang_getCursorType(c));
    CXCursor pick = clang_getNullCursor();
    int n = 0;
    for (int i = 1; i < k.len; i++) { /* child 0 is the controlling expression */
        if (!clang_isExpression(clang_getCursorKind(k.items[i]))) continue;
        if (clang_equalTypes(clang_getCanonicalType(clang_getCursorType(k.items[i])), want)) {
            pick = k.items[i];
            n++;
        }
    }
    VEC_FREE(k);
    return n == 1 ? pick : clang_getNullCursor();
}

static bool is_integer_kind(enum CXTypeKind k)
{
    return (k >= CXType_Bool && k <= CXType_LongLong) || k == CXType_Enum;
}

/* An unexposed expression of integer type over an operand of pointer,
 * array, record or function type is no implicit conversion (C converts none
 * of those to an integer implicitly): it is a type trait such as
 * __builtin_types_compatible_p(__typeof__(x), T), whose operand is never
 * evaluated. Seen through, it would read as a test of `x`. */
static bool is_type_trait(CXCursor c)
{
    if (clang_getCursorKind(c) != CXCursor_UnexposedExpr) return false;
    CXType t = clang_getCanonicalType(clang_getCursorType(c));
    if (!is_integer_kind(t.kind)) return false;
    CursorVec kids = {0};
    cursor_children(c, &kids);
    bool trait = false;
    if (kids.len == 2) {
        /* two __typeof__ operands: a conversion has one operand */
        trait = clang_getCursorKind(kids.items[0]) == CXCursor_ParenExpr &&
                clang_getCursorKind(kids.items[1]) == CXCursor_ParenExpr;
    } else if (kids.len == 1) {
        CXCursor ch = kids.items[0];
        enum CXTypeKind k = clang_getCanonicalType(clang_getCursorType(ch)).kind;
        if (k == CXType_Pointer || k == CXType_Record || k == CXType_ConstantArray ||
            k == CXType_IncompleteArray || k == CXType_FunctionProto || k == CXType_FunctionNoProto) {
            trait = true;
        } else if (is_integer_kind(k) && clang_getCursorKind(ch) == CXCursor_ParenExpr) {
            /* __typeof__(n) of an integer n: the trait folds to a constant
             * where a conversion of a non-constant n could not */
            CXCursor inner = cursor_single_child(ch);
            if (!clang_Cursor_isNull(inner) && clang_getCursorKind(inner) != CXCursor_IntegerLiteral) {
                CXEvalResult r = clang_Cursor_Evaluate(c);
                bool folded = r && clang_EvalResult_getKind(r) == CXEval_Int;
                if (r) clang_EvalResult_dispose(r);
                CXEvalResult ri = clang_Cursor_Evaluate(inner);
                bool inner_folds = ri && clang_EvalResult_getKind(ri) == CXEval_Int;
                if (ri) clang_EvalResult_dispose(ri);
                trait = folded && !inner_folds;
            }
        }
    }
    VEC_FREE(kids);
    return trait;
}

CXCursor cursor_strip(CXCursor c, bool casts)
{
    for (;;) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k == CXCursor_GenericSelectionExpr) {
            CXCursor sel = generic_selected(c);
            if (clang_Cursor_isNull(sel)) return c;
            c = sel;
            continue;
        }
        if (k == CXCursor_ParenExpr || k == CXCursor_UnexposedExpr) {
            /* clang's error recovery (RecoveryExpr, exposed as an unexposed
             * expression of dependent or invalid type) keeps only part of
             * what was written: `&c->db` with an unknown member type leaves
             * `c`. Stripping it would name the wrong place: stop here. */
            enum CXTypeKind tk = clang_getCursorType(c).kind;
            if (k == CXCursor_UnexposedExpr && (tk == CXType_Dependent || tk == CXType_Invalid)) return c;
            if (is_type_trait(c)) return c;
            CXCursor ch = cursor_single_child(c);
            if (clang_Cursor_isNull(ch) || !clang_isExpression(clang_getCursorKind(ch))) return c;
            c = ch;
        } else if (casts && k == CXCursor_CStyleCastExpr) {
            CXCursor last = clang_getNullCursor();
            clang_visitChildren(c, last_child_visit, &last);
            if (clang_Cursor_isNull(last) || !clang_isExpression(clang_getCursorKind(last))) return c;
            c = last;
        } else {
            return c;
        }
    }
}

IrLoc loc_of_range(CXSourceRange r)
{
    IrLoc l;
    unsigned a, b, c, d;
    clang_getExpansionLocation(clang_getRangeStart(r), NULL, &a, &b, NULL);
    clang_getExpansionLocation(clang_getRangeEnd(r), NULL, &c, &d, NULL);
    l.line = (int)a;
    l.col = (int)b;
    l.end_line = (int)c;
    l.end_col = (int)d;
    if (l.end_line < l.line || (l.end_line == l.line && l.end_col < l.col)) {
        l.end_line = l.line;
        l.end_col = l.col;
    }
    return l;
}

IrLoc loc_of_cursor(CXCursor c)
{
    return loc_of_range(clang_getCursorExtent(c));
}

IrLoc loc_end_char(IrLoc l)
{
    IrLoc r;
    r.line = r.end_line = l.end_line;
    r.col = l.end_col > 1 ? l.end_col - 1 : 1;
    r.end_col = r.col + 1;
    return r;
}

const char *arena_cxstring(Arena *a, CXString s)
{
    const char *p = clang_getCString(s);
    const char *r = arena_strdup(a, p ? p : "");
    clang_disposeString(s);
    return r;
}

/* Expansion-site file offsets of a range; false when it spans files. */
static bool range_offsets(CXSourceRange r, CXFile *file, unsigned *begin, unsigned *end)
{
    CXFile f1, f2;
    clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, begin);
    clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, end);
    if (!f1 || !clang_File_isEqual(f1, f2)) return false;
    *file = f1;
    return true;
}

/* A call the evaluator may fold without losing anything: a builtin
 * (__builtin_constant_p(21)). Any other call has effects that a folded
 * value would drop: `(PQfinish(c), 0)` evaluates to 0. */
static bool call_is_builtin(CXCursor call, bool *unevaluated)
{
    CXString s = clang_getCursorSpelling(call);
    const char *name = clang_getCString(s);
    bool builtin = name && !strncmp(name, "__builtin_", 10);
    *unevaluated = name && !strcmp(name, "__builtin_constant_p"); /* never evaluates its argument */
    clang_disposeString(s);
    return builtin;
}

/* A variable that is not a constant. A tree that folds although it names
 * one only names it where the value is dropped: `(x = 3, 0)`, `(x++, 0)`,
 * and that effect would be lost with the folding. */
static bool reads_variable(CXCursor ref)
{
    CXCursor d = clang_getCursorReferenced(ref);
    enum CXCursorKind k = clang_getCursorKind(d);
    if (k == CXCursor_ParmDecl) return true;
    if (k != CXCursor_VarDecl) return false;
    CXType t = clang_getCursorType(d);
    return !clang_isConstQualifiedType(t) || clang_isVolatileQualifiedType(t);
}

/* At most `limit` nodes in the expression tree (iterative count), and no
 * call but builtins: the evaluator recurses over the tree, so only small
 * trees are handed to it, however long the macro use they were expanded
 * from; and it ignores side effects, so a tree with calls, or one naming a
 * variable that is no constant, is no constant. */
static bool small_pure_tree(CXCursor c, int limit)
{
    CursorVec stack = {0}, kids = {0};
    VEC_PUSH(stack, c);
    int seen = 0;
    bool pure = true;
    while (stack.len && seen <= limit && pure) {
        CXCursor x = stack.items[--stack.len];
        seen++;
        enum CXCursorKind k = clang_getCursorKind(x);
        if (k == CXCursor_UnaryExpr || is_type_trait(x)) continue; /* sizeof x, traits: x is not evaluated */
        bool unevaluated = false;
        if (k == CXCursor_CallExpr && !call_is_builtin(x, &unevaluated)) pure = false;
        if (unevaluated) continue;
        if (k == CXCursor_DeclRefExpr && reads_variable(x)) pure = false;
        if (k == CXCursor_MemberRefExpr || k == CXCursor_CompoundAssignOperator) pure = false;
        cursor_children(x, &kids);
        for (int i = 0; i < kids.len; i++) VEC_PUSH(stack, kids.items[i]);
    }
    VEC_FREE(stack);
    VEC_FREE(kids);
    return pure && seen <= limit;
}

static bool expr_is_simple_constant_shape(CXCursor c)
{
    c = cursor_strip(c, true);
    switch (clang_getCursorKind(c)) {
    case CXCursor_IntegerLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_DeclRefExpr:
    case CXCursor_UnaryExpr:
        return true;
    case CXCursor_UnaryOperator:
    case CXCursor_BinaryOperator:
    case CXCursor_ConditionalOperator:
    case CXCursor_CallExpr: /* __builtin_constant_p(21) */
        return small_pure_tree(c, 64);
    case CXCursor_UnexposedExpr: /* __builtin_types_compatible_p(...) */
        return is_type_trait(c);
    default:
        return false;
    }
}

static bool eval_int(CXCursor c, long long *out)
{
    CXEvalResult r = clang_Cursor_Evaluate(c);
    if (!r) return false;
    bool ok = clang_EvalResult_getKind(r) == CXEval_Int;
    if (ok) *out = clang_EvalResult_getAsLongLong(r);
    clang_EvalResult_dispose(r);
    return ok;
}

/* A const-qualified integer variable with a constant initialiser. */
static bool const_var_value(CXCursor decl, long long *out)
{
    if (clang_getCursorKind(decl) != CXCursor_VarDecl) return false;
    CXType t = clang_getCursorType(decl);
    if (!clang_isConstQualifiedType(t) || clang_isVolatileQualifiedType(t)) return false;
    CXType ct = clang_getCanonicalType(t);
    if (ct.kind < CXType_Bool || ct.kind > CXType_LongLong) {
        if (ct.kind != CXType_Enum) return false;
    }
    return eval_int(decl, out);
}

bool const_eval(CXCursor c, long long *out)
{
    if (!expr_is_simple_constant_shape(c)) return false;
    CXCursor s = cursor_strip(c, true);
    if (clang_getCursorKind(s) == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(s);
        if (clang_getCursorKind(d) == CXCursor_EnumConstantDecl) {
            *out = clang_getEnumConstantDeclValue(d);
            return true;
        }
        return const_var_value(d, out);
    }
    /* literals, and operators over constants: the evaluator decides (it does
     * not read variables in C) */
    return eval_int(s, out);
}

/* Text of [b, e) in f, whitespace collapsed, at most ~160 characters. */
static const char *file_text(Arena *a, CXTranslationUnit tu, CXFile f, unsigned b, unsigned e)
{
    size_t size = 0;
    const char *text = clang_getFileContents(tu, f, &size);
    if (!text || e > size || e <= b) return NULL;
    char out[200];
    size_t k = 0;
    bool space = false;
    for (unsigned i = b; i < e && k < 160; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (isspace(ch)) {
            space = k > 0;
            continue;
        }
        if (space) out[k++] = ' ';
        space = false;
        out[k++] = (char)ch;
    }
    if (k >= 160) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    return arena_strndup(a, out, k);
}

/* Balanced brackets and no comma at the top: an expression, not pieces of
 * several macro arguments. */
static bool looks_like_one_expression(const char *t)
{
    int depth = 0;
    char quote = 0;
    for (; *t; t++) {
        if (quote) {
            if (*t == '\\' && t[1]) t++;
            else if (*t == quote) quote = 0;
        } else if (*t == '"' || *t == '\'') {
            quote = *t;
        } else if (*t == '(' || *t == '[') {
            depth++;
        } else if (*t == ')' || *t == ']') {
            if (--depth < 0) return false;
        } else if (*t == ',' && depth == 0) {
            return false;
        }
    }
    return depth == 0;
}

/* The whole macro use at the cursor's expansion site ("EQ(x, 0)"). */
static const char *macro_use_text(Arena *a, CXTranslationUnit tu, CXCursor c)
{
    CXFile f;
    unsigned off, b, e;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL, NULL, &off);
    if (!f) return NULL;
    CXCursor exp = clang_getCursor(tu, clang_getLocationForOffset(tu, f, off));
    if (clang_getCursorKind(exp) != CXCursor_MacroExpansion) return NULL;
    CXFile f2;
    if (!range_offsets(clang_getCursorExtent(exp), &f2, &b, &e)) return NULL;
    return file_text(a, tu, f2, b, e);
}

/* Text where the cursor's first and last tokens are written (a macro
 * argument: at the macro use), NULL when they are not in one file in order. */
static const char *written_text(Arena *a, CXTranslationUnit tu, CXCursor c)
{
    CXFile f, f2;
    unsigned b, e;
    CXSourceRange r = clang_getCursorExtent(c);
    clang_getFileLocation(clang_getRangeStart(r), &f, NULL, NULL, &b);
    clang_getFileLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &e);
    const char *t = NULL;
    if (f && f2 && clang_File_isEqual(f, f2) && e > b) {
        /* a nested macro at the end (NULL) may leave e at its first character */
        CXToken *tok = clang_getToken(tu, clang_getLocationForOffset(tu, f, e));
        if (tok) {
            unsigned ts;
            clang_getFileLocation(clang_getTokenLocation(tu, *tok), NULL, NULL, NULL, &ts);
            if (ts == e && clang_getTokenKind(*tok) == CXToken_Identifier) {
                CXString sp = clang_getTokenSpelling(tu, *tok);
                e += (unsigned)strlen(clang_getCString(sp));
                clang_disposeString(sp);
            }
            clang_disposeTokens(tu, tok, 1);
        }
        t = file_text(a, tu, f, b, e);
    }
    return t;
}

const char *macro_argument_text(Arena *a, CXTranslationUnit tu, CXCursor c)
{
    CXFile f;
    unsigned b, e;
    if (range_offsets(clang_getCursorExtent(c), &f, &b, &e) && e > b) return NULL; /* not in a macro */
    const char *t = written_text(a, tu, c);
    return t && looks_like_one_expression(t) ? t : NULL;
}

const char *cursor_text(Arena *a, CXTranslationUnit tu, CXCursor c)
{
    CXFile f;
    unsigned b, e;
    if (range_offsets(clang_getCursorExtent(c), &f, &b, &e) && e > b) return file_text(a, tu, f, b, e);
    const char *t = written_text(a, tu, c); /* a macro argument: where it is written */
    if (t && looks_like_one_expression(t)) return t;
    const char *use = macro_use_text(a, tu, c);
    return use ? use : t;
}

/* ---- callees named by a macro ---- */

const char *macro_callee_name(Arena *a, CXTranslationUnit tu, CXCursor callee)
{
    CXFile f;
    unsigned b, e;
    if (!range_offsets(clang_getCursorExtent(callee), &f, &b, &e) || e <= b || e - b > 128) return NULL;
    size_t size = 0;
    const char *text = clang_getFileContents(tu, f, &size);
    if (!text || e > size) return NULL;
    if (!(isalpha((unsigned char)text[b]) || text[b] == '_')) return NULL;
    for (unsigned i = b; i < e; i++)
        if (!(isalnum((unsigned char)text[i]) || text[i] == '_')) return NULL;
    /* a function-pointer variable called by its own name is no macro */
    CXCursor s = cursor_strip(callee, true);
    if (clang_getCursorKind(s) == CXCursor_DeclRefExpr) {
        CXString sp = clang_getCursorSpelling(s);
        bool same = strlen(clang_getCString(sp)) == e - b && !strncmp(clang_getCString(sp), text + b, e - b);
        clang_disposeString(sp);
        if (same) return NULL;
    }
    /* one identifier written where the callee is: is it an object-like macro? */
    CXCursor exp = clang_getCursor(tu, clang_getLocationForOffset(tu, f, b));
    if (clang_getCursorKind(exp) != CXCursor_MacroExpansion) return NULL;
    CXCursor def = clang_getCursorReferenced(exp);
    if (clang_getCursorKind(def) != CXCursor_MacroDefinition || clang_Cursor_isMacroFunctionLike(def))
        return NULL;
    return arena_strndup(a, text + b, e - b);
}

/* ---- attributes ---- */


typedef struct {
    CXTranslationUnit tu;
    bool found;
} AttrSearch;

static bool first_token_is(CXTranslationUnit tu, CXSourceRange r, const char *const *names, int n)
{
    CXToken *toks = NULL;
    unsigned nt = 0;
    clang_tokenize(tu, r, &toks, &nt);
    bool hit = false;
    if (nt > 0) {
        CXString s = clang_getTokenSpelling(tu, toks[0]);
        const char *p = clang_getCString(s);
        for (int i = 0; p && i < n && !hit; i++) hit = strcmp(p, names[i]) == 0;
        clang_disposeString(s);
    }
    if (toks) clang_disposeTokens(tu, toks, nt);
    return hit;
}

static enum CXChildVisitResult find_noreturn_attr(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    static const char *const names[] = {"_Noreturn", "noreturn", "__noreturn__"};
    AttrSearch *s = data;
    if (clang_isAttribute(clang_getCursorKind(c)) &&
        first_token_is(s->tu, clang_getCursorExtent(c), names, 3)) {
        s->found = true;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

/* The callee never returns: the session's noreturn names say so (some
 * only when the system declares them: a project's own err() is often a
 * logging function), or its declaration does. */
bool callee_is_noreturn(CXTranslationUnit tu, CXCursor decl, const char *name, const NoreturnNames *names)
{
    if (name && names) {
        if (strmap_has(names->always, name)) return true;
        if (strmap_has(names->system_only, name) &&
            clang_Location_isInSystemHeader(clang_getCursorLocation(decl)))
            return true;
    }
    if (clang_getCursorKind(decl) != CXCursor_FunctionDecl) return false;
    CXString ts = clang_getTypeSpelling(clang_getCursorType(decl));
    const char *t = clang_getCString(ts);
    bool hit = t && strstr(t, "noreturn") != NULL;
    clang_disposeString(ts);
    if (hit) return true;
    AttrSearch s = {tu, false};
    clang_visitChildren(decl, find_noreturn_attr, &s);
    if (!s.found) {
        CXCursor canon = clang_getCanonicalCursor(decl);
        if (!clang_equalCursors(canon, decl)) clang_visitChildren(canon, find_noreturn_attr, &s);
    }
    return s.found;
}

/* "cleanup ( name )" at the start of text (length n) */
static bool scan_cleanup(const char *p, const char *end, const char **name, size_t *len)
{
    const char *kw[] = {"__cleanup__", "cleanup"};
    for (int k = 0; k < 2; k++) {
        size_t kl = strlen(kw[k]);
        if ((size_t)(end - p) < kl || strncmp(p, kw[k], kl) != 0) continue;
        const char *q = p + kl;
        while (q < end && isspace((unsigned char)*q)) q++;
        if (q >= end || *q != '(') return false;
        q++;
        while (q < end && isspace((unsigned char)*q)) q++;
        const char *s = q;
        while (q < end && (isalnum((unsigned char)*q) || *q == '_')) q++;
        if (q == s) return false;
        *name = s;
        *len = (size_t)(q - s);
        return true;
    }
    return false;
}

typedef struct {
    Arena *arena;
    CXTranslationUnit tu;
    const char *name;
} CleanupSearch;

static const char *cleanup_from_tokens(CleanupSearch *s, CXCursor attr)
{
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(s->tu, clang_getCursorExtent(attr), &toks, &n);
    const char *found = NULL;
    for (unsigned i = 0; i + 2 < n && !found; i++) {
        CXString a = clang_getTokenSpelling(s->tu, toks[i]);
        CXString b = clang_getTokenSpelling(s->tu, toks[i + 1]);
        const char *pa = clang_getCString(a), *pb = clang_getCString(b);
        if (pa && pb && (!strcmp(pa, "cleanup") || !strcmp(pa, "__cleanup__")) && !strcmp(pb, "(") &&
            clang_getTokenKind(toks[i + 2]) == CXToken_Identifier)
            found = arena_cxstring(s->arena, clang_getTokenSpelling(s->tu, toks[i + 2]));
        clang_disposeString(a);
        clang_disposeString(b);
    }
    if (toks) clang_disposeTokens(s->tu, toks, n);
    return found;
}

/* The attribute written inside a macro: read its spelling in the macro. */
static const char *cleanup_from_spelling(CleanupSearch *s, CXCursor attr)
{
    CXFile f;
    unsigned off;
    clang_getSpellingLocation(clang_getCursorLocation(attr), &f, NULL, NULL, &off);
    if (!f) return NULL;
    size_t size = 0;
    const char *text = clang_getFileContents(s->tu, f, &size);
    if (!text || off >= size) return NULL;
    const char *name;
    size_t len;
    if (!scan_cleanup(text + off, text + size, &name, &len)) return NULL;
    return arena_strndup(s->arena, name, len);
}

static enum CXChildVisitResult find_cleanup_attr(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    CleanupSearch *s = data;
    if (!clang_isAttribute(clang_getCursorKind(c))) return CXChildVisit_Continue;
    s->name = cleanup_from_tokens(s, c);
    if (!s->name) s->name = cleanup_from_spelling(s, c);
    return s->name ? CXChildVisit_Break : CXChildVisit_Continue;
}

const char *cleanup_function(Arena *a, CXTranslationUnit tu, CXCursor var)
{
    if (!clang_Cursor_hasAttrs(var)) return NULL;
    CleanupSearch s = {a, tu, NULL};
    clang_visitChildren(var, find_cleanup_attr, &s);
    return s.name;
}

/* ---- CursorMap: open addressing on clang_hashCursor ---- */

static void cursormap_grow(CursorMap *m)
{
    unsigned cap = m->cap ? m->cap * 2 : 64;
    CXCursor *keys = xcalloc(cap, sizeof(CXCursor));
    int *vals = xmalloc(cap * sizeof(int));
    for (unsigned i = 0; i < cap; i++) vals[i] = -1;
    for (unsigned i = 0; i < m->cap; i++) {
        if (m->vals[i] < 0) continue;
        unsigned h = clang_hashCursor(m->keys[i]) & (cap - 1);
        while (vals[h] >= 0) h = (h + 1) & (cap - 1);
        keys[h] = m->keys[i];
        vals[h] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
}

int cursormap_get(const CursorMap *m, CXCursor c)
{
    if (!m->cap) return -1;
    unsigned h = clang_hashCursor(c) & (m->cap - 1);
    while (m->vals[h] >= 0) {
        if (clang_equalCursors(m->keys[h], c)) return m->vals[h];
        h = (h + 1) & (m->cap - 1);
    }
    return -1;
}

void cursormap_put(CursorMap *m, CXCursor c, int v)
{
    if ((m->n + 1) * 2 > m->cap) cursormap_grow(m);
    unsigned h = clang_hashCursor(c) & (m->cap - 1);
    while (m->vals[h] >= 0) {
        if (clang_equalCursors(m->keys[h], c)) {
            m->vals[h] = v;
            return;
        }
        h = (h + 1) & (m->cap - 1);
    }
    m->keys[h] = c;
    m->vals[h] = v;
    m->n++;
}

void cursormap_free(CursorMap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
