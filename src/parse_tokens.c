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

/* One operator candidate of a macro body: a binary operator after an
 * operand (with that operand's last token), or a prefix !, - or ~. */
typedef struct {
    char op[8];
    char *prev;
} Candidate;

typedef struct {
    VEC(Candidate) binary;
    VEC(Candidate) unary;
} MacroInfo;

typedef struct {
    CXFile file;
    unsigned off;
    int info; /* index into infos; -1: no macro expansion here */
} UseSlot;

struct MacroCache {
    UseSlot *slots;   /* macro uses by expansion location (open addressing) */
    unsigned cap, n;
    CursorMap defs;   /* definition -> index into infos */
    VEC(MacroInfo) infos;
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
        for (int k = 0; k < m->binary.len; k++) free(m->binary.items[k].prev);
        VEC_FREE(m->binary);
        VEC_FREE(m->unary);
    }
    VEC_FREE(mc->infos);
    cursormap_free(&mc->defs);
    free(mc->slots);
    free(mc);
}

static bool is_operand_end(const char *t)
{
    unsigned char ch = (unsigned char)t[0];
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
static int macro_info(CXTranslationUnit tu, MacroCache *mc, CXCursor def)
{
    int have = cursormap_get(&mc->defs, def);
    if (have >= 0) return have;
    MacroInfo info;
    memset(&info, 0, sizeof info);
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, clang_getCursorExtent(def), &toks, &n);
    unsigned i = 1; /* after the macro's name */
    if (clang_Cursor_isMacroFunctionLike(def)) {
        while (i < n) {
            char *t = token_text(tu, toks[i++]);
            bool close = !strcmp(t, ")");
            free(t);
            if (close) break;
        }
    }
    char *prev = NULL;
    for (; i < n; i++) {
        char *t = token_text(tu, toks[i]);
        bool after_operand = prev && is_operand_end(prev);
        if (strlen(t) < 8) {
            Candidate c;
            strcpy(c.op, t);
            if (after_operand && precedence(t, (int)strlen(t)) >= 0) {
                c.prev = xstrdup(prev);
                VEC_PUSH(info.binary, c);
            } else if (!after_operand && (!strcmp(t, "!") || !strcmp(t, "-") || !strcmp(t, "~"))) {
                c.prev = NULL;
                VEC_PUSH(info.unary, c);
            }
        }
        free(prev);
        prev = t;
    }
    free(prev);
    if (toks) clang_disposeTokens(tu, toks, n);
    VEC_PUSH(mc->infos, info);
    cursormap_put(&mc->defs, def, mc->infos.len - 1);
    return mc->infos.len - 1;
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
static const MacroInfo *macro_at(CXTranslationUnit tu, MacroCache *mc, CXCursor c)
{
    CXFile f;
    unsigned off;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL, NULL, &off);
    if (!f) return NULL;
    if ((mc->n + 1) * 2 > mc->cap) slots_grow(mc);
    unsigned h = (off * 2654435761u) & (mc->cap - 1);
    while (mc->slots[h].info != -2) {
        if (mc->slots[h].off == off && mc->slots[h].file == f)
            return mc->slots[h].info >= 0 ? &mc->infos.items[mc->slots[h].info] : NULL;
        h = (h + 1) & (mc->cap - 1);
    }
    int info = -1;
    CXCursor exp = clang_getCursor(tu, clang_getLocationForOffset(tu, f, off));
    if (clang_getCursorKind(exp) == CXCursor_MacroExpansion) {
        CXCursor def = clang_getCursorReferenced(exp);
        if (clang_getCursorKind(def) == CXCursor_MacroDefinition) info = macro_info(tu, mc, def);
    }
    UseSlot slot = {f, off, info};
    mc->slots[h] = slot;
    mc->n++;
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

/* Every candidate (after the left operand's last token, when known) must
 * be the same operator. */
static bool single_operator(const Candidate *c, int n, const char *after, char buf[8])
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (after && c[i].prev && strcmp(c[i].prev, after) != 0) continue;
        if (found++ == 0) strcpy(buf, c[i].op);
        else if (strcmp(buf, c[i].op) != 0) return false;
    }
    return found > 0;
}

bool macro_binary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, CXCursor lhs, char buf[8])
{
    const MacroInfo *m = macro_at(tu, mc, whole);
    if (!m || m->binary.len == 0) return false;
    char *after = last_token_of(lhs);
    bool ok = single_operator(m->binary.items, m->binary.len, after, buf);
    free(after);
    return ok;
}

bool macro_unary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, char buf[8])
{
    const MacroInfo *m = macro_at(tu, mc, whole);
    return m && single_operator(m->unary.items, m->unary.len, NULL, buf);
}
