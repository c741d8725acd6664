/* parse_attrs.c — allocator attributes read from a function declaration's
 * tokens (README "Packs derived from attributes"): clang's
 * ownership_returns(K[, size]) / ownership_takes(K, N...) /
 * ownership_holds(K, N...) and GCC's malloc(D) / malloc(D, N), written
 * as __attribute__((...)) or [[gnu::...]] / [[clang::...]], directly or
 * through macros. The tokens are read rather than libclang's attribute
 * cursors because clang rejects GCC's argument form ("'malloc' attribute
 * takes no arguments") and drops it. Macros are expanded here from the
 * translation unit's preprocessing record (definitions seen so far, the
 * latest of a name winning), function-like ones with their arguments
 * substituted; only macros whose expansion can reach an attribute name are
 * expanded. Not handled: '#' and '##' in macro bodies (dropped), macros
 * defined in regions the preprocessor skipped (#if __GNUC__ >= 11 under
 * clang's __GNUC__ 4), attributes a macro builds by token pasting. This
 * file decides nothing about resources: it records what is written. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

#define MAX_EXPANSION_DEPTH 16
#define MAX_EXPANDED_TOKENS 4096

typedef struct {
    char *text;
    CXTokenKind kind;
} Tok;

typedef VEC(Tok) TokVec;
typedef VEC(TokVec) ArgVec;

typedef struct {
    char *name;
    CXCursor def;
    bool loaded;
    bool function_like;
    TokVec params;    /* their names (text); "__VA_ARGS__" for "..." */
    TokVec body;
    int relevant;     /* -1 not known yet, 0 no, 1 yes, 2 being computed */
} Macro;

struct AttrScan {
    CXTranslationUnit tu;
    StrMap macros;    /* name -> Macro* (the latest definition) */
    StrMap skipped;   /* name -> Macro*: defined in a region the preprocessor
                         skipped, in a project file (the #if __GNUC__ >= 11
                         branch clang's __GNUC__ 4 does not take) */
    VEC(Macro *) all;
};

static void scan_skipped_ranges(AttrScan *s);

static void toks_free(TokVec *v)
{
    for (int i = 0; i < v->len; i++) free(v->items[i].text);
    VEC_FREE(*v);
}

void attr_scan_free(AttrScan *s)
{
    if (!s) return;
    for (int i = 0; i < s->all.len; i++) {
        Macro *m = s->all.items[i];
        free(m->name);
        toks_free(&m->params);
        toks_free(&m->body);
        free(m);
    }
    VEC_FREE(s->all);
    strmap_free(&s->macros);
    strmap_free(&s->skipped);
    free(s);
}

void attr_scan_macro(AttrScan *s, CXCursor def)
{
    Macro *m = xcalloc(1, sizeof *m);
    m->name = cursor_spelling(def);
    m->def = def;
    m->relevant = -1;
    VEC_PUSH(s->all, m);
    *strmap_slot(&s->macros, m->name) = m; /* a redefinition replaces it */
}

static void push_tok(TokVec *v, const char *text, CXTokenKind kind)
{
    Tok t = {xstrdup(text), kind};
    VEC_PUSH(*v, t);
}

/* The tokens of `range` (those starting before its end: older libclang
 * gives one more). */
static void tokens_of(CXTranslationUnit tu, CXSourceRange range, TokVec *out)
{
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, range, &toks, &n);
    unsigned end = 0;
    CXFile end_file;
    clang_getSpellingLocation(clang_getRangeEnd(range), &end_file, NULL, NULL, &end);
    for (unsigned i = 0; i < n; i++) {
        unsigned off = 0;
        clang_getSpellingLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
        if (off >= end) break;
        CXString sp = clang_getTokenSpelling(tu, toks[i]);
        const char *t = clang_getCString(sp);
        push_tok(out, t ? t : "", clang_getTokenKind(toks[i]));
        clang_disposeString(sp);
    }
    if (toks) clang_disposeTokens(tu, toks, n);
}

static bool is_punct(const Tok *t, const char *p) { return t->kind == CXToken_Punctuation && strcmp(t->text, p) == 0; }
static bool is_ident(const Tok *t) { return t->kind == CXToken_Identifier || t->kind == CXToken_Keyword; }

/* `__name__` is `name` (GNU spelling); other names as they are. */
static void normalise(const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (n > 4 && strncmp(name, "__", 2) == 0 && strcmp(name + n - 2, "__") == 0) {
        snprintf(out, cap, "%.*s", (int)(n - 4), name + 2);
    } else {
        snprintf(out, cap, "%s", name);
    }
}

static bool is_attr_name(const char *name)
{
    char n[64];
    normalise(name, n, sizeof n);
    return strcmp(n, "malloc") == 0 || strcmp(n, "ownership_returns") == 0 || strcmp(n, "ownership_takes") == 0 ||
           strcmp(n, "ownership_holds") == 0;
}

static void load_macro(AttrScan *s, Macro *m)
{
    if (m->loaded) return;
    m->loaded = true;
    TokVec all = {0};
    tokens_of(s->tu, clang_getCursorExtent(m->def), &all);
    int i = 1; /* past the name */
    m->function_like = clang_Cursor_isMacroFunctionLike(m->def) != 0;
    if (m->function_like && i < all.len && is_punct(&all.items[i], "(")) {
        for (i++; i < all.len && !is_punct(&all.items[i], ")"); i++) {
            const Tok *t = &all.items[i];
            if (is_ident(t)) push_tok(&m->params, t->text, t->kind);
            else if (is_punct(t, "...")) push_tok(&m->params, "__VA_ARGS__", CXToken_Identifier);
        }
        i++;
    }
    for (; i < all.len; i++) push_tok(&m->body, all.items[i].text, all.items[i].kind);
    toks_free(&all);
}

static bool macro_relevant(AttrScan *s, Macro *m);

/* The definition of `name` to expand: the one in force when it can reach
 * an attribute with arguments, else one from a skipped region that can
 * (the GCC-only branch of a project's attribute macro); NULL when neither
 * can, or when the name is no macro here. */
static Macro *pick_macro(AttrScan *s, const char *name)
{
    Macro *m = strmap_get(&s->macros, name);
    if (!m) return NULL;
    if (macro_relevant(s, m)) return m;
    Macro *alt = strmap_get(&s->skipped, name);
    return alt && macro_relevant(s, alt) ? alt : NULL;
}

/* Does the token list hold an attribute name with arguments, or a macro
 * that can expand to one? (A plain malloc attribute says nothing about a
 * deallocator.) */
static bool tokens_relevant(AttrScan *s, const TokVec *v)
{
    for (int i = 0; i < v->len; i++) {
        const Tok *t = &v->items[i];
        if (!is_ident(t)) continue;
        if (is_attr_name(t->text) && i + 1 < v->len && is_punct(&v->items[i + 1], "(")) return true;
        if (pick_macro(s, t->text)) return true;
    }
    return false;
}

static bool macro_relevant(AttrScan *s, Macro *m)
{
    if (m->relevant >= 0) return m->relevant == 1;
    m->relevant = 2; /* a macro naming itself is not expanded again */
    load_macro(s, m);
    bool r = tokens_relevant(s, &m->body);
    m->relevant = r ? 1 : 0;
    return r;
}

/* A macro's arguments at in[*i] == "(": split at top-level commas; *i is
 * left past the ")". False when the list does not close. */
static bool collect_args(const TokVec *in, int *i, ArgVec *args)
{
    int depth = 0;
    TokVec cur = {0};
    for (int k = *i; k < in->len; k++) {
        const Tok *t = &in->items[k];
        if (is_punct(t, "(") && depth++ == 0) continue;
        if (is_punct(t, ")") && --depth == 0) {
            VEC_PUSH(*args, cur);
            *i = k + 1;
            return true;
        }
        if (depth == 1 && is_punct(t, ",")) {
            VEC_PUSH(*args, cur);
            memset(&cur, 0, sizeof cur);
            continue;
        }
        push_tok(&cur, t->text, t->kind);
    }
    toks_free(&cur);
    return false;
}

static void expand(AttrScan *s, const TokVec *in, TokVec *out, int depth);

/* The body of function-like `m` with `args` put in for its parameters. */
static void substitute(const Macro *m, ArgVec *args, TokVec *out)
{
    for (int b = 0; b < m->body.len; b++) {
        const Tok *t = &m->body.items[b];
        if (is_punct(t, "#") || is_punct(t, "##")) continue;
        int p = -1;
        for (int k = 0; is_ident(t) && k < m->params.len && p < 0; k++)
            if (strcmp(m->params.items[k].text, t->text) == 0) p = k;
        if (p < 0) {
            push_tok(out, t->text, t->kind);
        } else if (strcmp(t->text, "__VA_ARGS__") == 0) {
            for (int a = p; a < args->len; a++) {
                if (a > p) push_tok(out, ",", CXToken_Punctuation);
                for (int k = 0; k < args->items[a].len; k++)
                    push_tok(out, args->items[a].items[k].text, args->items[a].items[k].kind);
            }
        } else if (p < args->len) {
            for (int k = 0; k < args->items[p].len; k++)
                push_tok(out, args->items[p].items[k].text, args->items[p].items[k].kind);
        }
    }
}

static void expand(AttrScan *s, const TokVec *in, TokVec *out, int depth)
{
    for (int i = 0; i < in->len && out->len < MAX_EXPANDED_TOKENS;) {
        const Tok *t = &in->items[i];
        Macro *m = is_ident(t) && depth < MAX_EXPANSION_DEPTH ? pick_macro(s, t->text) : NULL;
        if (!m) {
            push_tok(out, t->text, t->kind);
            i++;
            continue;
        }
        if (!m->function_like) {
            expand(s, &m->body, out, depth + 1);
            i++;
            continue;
        }
        int j = i + 1;
        ArgVec args = {0};
        if (j < in->len && is_punct(&in->items[j], "(") && collect_args(in, &j, &args)) {
            TokVec body = {0};
            substitute(m, &args, &body);
            expand(s, &body, out, depth + 1);
            toks_free(&body);
            i = j;
        } else {
            push_tok(out, t->text, t->kind); /* the name alone is no use of it */
            i++;
        }
        for (int k = 0; k < args.len; k++) toks_free(&args.items[k]);
        VEC_FREE(args);
    }
}

/* A positive decimal integer written as one token, else 0. */
static int arg_number(const TokVec *a)
{
    if (a->len != 1 || a->items[0].kind != CXToken_Literal) return 0;
    const char *p = a->items[0].text;
    long v = 0;
    for (; isdigit((unsigned char)*p) && v < 100000; p++) v = v * 10 + (*p - '0');
    while (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L') p++;
    return *p == '\0' && v > 0 && v < 100000 ? (int)v : 0;
}

/* The one identifier an argument is, else NULL ("__builtin_free" is
 * "free": the name calls use). */
static const char *arg_name(const TokVec *a)
{
    if (a->len != 1 || !is_ident(&a->items[0])) return NULL;
    const char *n = a->items[0].text;
    return strncmp(n, "__builtin_", 10) == 0 && n[10] ? n + 10 : n;
}

typedef struct {
    Arena *arena;
    const char *function;
    const char *file;
    int line;
    int same_type_arg;
    AllocAttrVec *out;
} AttrSink;

static void add_fact(AttrSink *k, IrAttrForm form, const char *key, int arg)
{
    IrAllocAttr at = {form, k->function, arena_strdup(k->arena, key), arg, k->file, k->line, k->same_type_arg};
    VEC_PUSH(*k->out, at);
}

/* One attribute: its name and arguments. */
static void attribute_item(AttrSink *k, const char *name, ArgVec *args)
{
    char n[64];
    normalise(name, n, sizeof n);
    if (strcmp(n, "malloc") == 0) {
        const char *dealloc = args->len >= 1 && args->len <= 2 ? arg_name(&args->items[0]) : NULL;
        int arg = args->len == 2 ? arg_number(&args->items[1]) : 0;
        if (dealloc && (args->len == 1 || arg > 0)) add_fact(k, IR_ATTR_MALLOC_DEALLOC, dealloc, arg);
        return;
    }
    const char *kind = args->len >= 1 ? arg_name(&args->items[0]) : NULL;
    if (!kind) return;
    if (strcmp(n, "ownership_returns") == 0) {
        add_fact(k, IR_ATTR_OWNERSHIP_RETURNS, kind, 0);
        return;
    }
    IrAttrForm form = strcmp(n, "ownership_takes") == 0 ? IR_ATTR_OWNERSHIP_TAKES
                      : strcmp(n, "ownership_holds") == 0 ? IR_ATTR_OWNERSHIP_HOLDS
                                                         : IR_ATTR_MALLOC_DEALLOC;
    if (form == IR_ATTR_MALLOC_DEALLOC) return;
    for (int a = 1; a < args->len; a++) {
        int idx = arg_number(&args->items[a]);
        if (idx > 0) add_fact(k, form, kind, idx);
    }
}

/* The items of an attribute list from v[*i] up to `close` (")" for
 * __attribute__((...)), "]" for [[...]]): [ns ::] name [(args)], comma
 * separated. *i is left at the closing token. */
static void attribute_list(AttrSink *k, const TokVec *v, int *i, const char *close)
{
    while (*i < v->len && !is_punct(&v->items[*i], close)) {
        const Tok *t = &v->items[*i];
        if (!is_ident(t)) {
            if (is_punct(t, "(")) { /* an argument list we could not place: skip it */
                ArgVec skip = {0};
                if (!collect_args(v, i, &skip)) *i = v->len;
                for (int a = 0; a < skip.len; a++) toks_free(&skip.items[a]);
                VEC_FREE(skip);
            } else {
                (*i)++;
            }
            continue;
        }
        if (*i + 2 < v->len && is_punct(&v->items[*i + 1], "::") && is_ident(&v->items[*i + 2])) {
            *i += 2; /* gnu::malloc, clang::ownership_returns */
            t = &v->items[*i];
        } else if (*i + 3 < v->len && is_punct(&v->items[*i + 1], ":") && is_punct(&v->items[*i + 2], ":") &&
                   is_ident(&v->items[*i + 3])) {
            *i += 3; /* the same, lexed before C23 */
            t = &v->items[*i];
        }
        const char *name = t->text;
        (*i)++;
        ArgVec args = {0};
        if (*i < v->len && is_punct(&v->items[*i], "(") && !collect_args(v, i, &args)) *i = v->len;
        attribute_item(k, name, &args);
        for (int a = 0; a < args.len; a++) toks_free(&args.items[a]);
        VEC_FREE(args);
    }
}

static void scan_attributes(AttrSink *k, const TokVec *v)
{
    for (int i = 0; i + 2 < v->len; i++) {
        const Tok *t = &v->items[i];
        if (is_ident(t) && (strcmp(t->text, "__attribute__") == 0 || strcmp(t->text, "__attribute") == 0) &&
            is_punct(&v->items[i + 1], "(") && is_punct(&v->items[i + 2], "(")) {
            i += 3;
            attribute_list(k, v, &i, ")");
        } else if (is_punct(t, "[") && is_punct(&v->items[i + 1], "[")) {
            i += 2;
            attribute_list(k, v, &i, "]");
        }
    }
}

#define MAX_DECLARATION_TAIL 2048

/* The declaration's extent, and past it up to its ';' or body: a macro
 * that expands to nothing (the attribute macro of a compiler that lacks
 * the attribute) is outside the extent clang gives. */
static CXSourceRange declaration_range(CXTranslationUnit tu, CXCursor decl)
{
    CXSourceRange r = clang_getCursorExtent(decl);
    CXFile f1, f2;
    unsigned begin, end;
    clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &begin);
    clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &end);
    if (!f1 || !f2 || !clang_File_isEqual(f1, f2) || end < begin) return r;
    size_t size = 0;
    const char *text = clang_getFileContents(tu, f1, &size);
    if (!text || end > size) return r;
    /* the text past the extent, to the first ';' or '{' outside parentheses
     * (comments and literals are rare there; a wrong stop only shortens
     * the tail, which the token walk cuts again anyway) */
    /* before it, C23 attribute groups `[[...]]` that lead the declaration
     * (clang's extent starts after them) */
    for (;;) {
        unsigned k = begin;
        while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '\n' || text[k - 1] == '\r')) k--;
        if (k < 4 || text[k - 1] != ']' || text[k - 2] != ']') break;
        int depth = 0;
        unsigned j = k;
        while (j > 0) {
            j--;
            if (text[j] == ']') depth++;
            else if (text[j] == '[' && --depth == 0) break;
        }
        if (depth != 0 || j + 1 >= k || text[j + 1] != '[') break;
        begin = j;
    }
    unsigned limit = end + MAX_DECLARATION_TAIL < size ? end + MAX_DECLARATION_TAIL : (unsigned)size;
    unsigned tail = end;
    int depth = 0;
    while (tail < limit && !(depth <= 0 && (text[tail] == ';' || text[tail] == '{'))) {
        if (text[tail] == '(') depth++;
        else if (text[tail] == ')') depth--;
        tail++;
    }
    if (tail < limit) tail++;
    return clang_getRange(clang_getLocationForOffset(tu, f1, begin), clang_getLocationForOffset(tu, f1, tail));
}

/* The first parameter of exactly the type the function returns
 * (qualifiers included: `const void *` is not `void *`), realloc's shape;
 * -1 when none. */
static int same_type_arg(CXCursor decl)
{
    CXType fn = clang_getCursorType(decl);
    CXType rt = clang_getCanonicalType(clang_getResultType(fn));
    if (rt.kind != CXType_Pointer) return -1;
    int n = clang_getNumArgTypes(fn);
    for (int i = 0; i < n; i++)
        if (clang_equalTypes(clang_getCanonicalType(clang_getArgType(fn, (unsigned)i)), rt)) return i;
    return -1;
}

void attr_scan_function(AttrScan *s, Arena *a, CXCursor decl, const char *file, AllocAttrVec *out)
{
    TokVec toks = {0};
    tokens_of(s->tu, declaration_range(s->tu, decl), &toks);
    /* the declaration up to its body or its ';' (a ')' that closes more
     * than was opened: the end of a parameter's declaration) */
    int depth = 0;
    for (int i = 0; i < toks.len; i++) {
        const Tok *t = &toks.items[i];
        if (is_punct(t, "(") || is_punct(t, "[")) depth++;
        else if (is_punct(t, ")") || is_punct(t, "]")) depth--;
        if (depth < 0 || (depth == 0 && (is_punct(t, "{") || is_punct(t, ";") || is_punct(t, ",")))) {
            for (int k = i; k < toks.len; k++) free(toks.items[k].text);
            toks.len = i;
            break;
        }
    }
    if (tokens_relevant(s, &toks)) {
        TokVec expanded = {0};
        expand(s, &toks, &expanded, 0);
        unsigned line = 0;
        clang_getExpansionLocation(clang_getCursorLocation(decl), NULL, &line, NULL, NULL);
        AttrSink k = {a, arena_cxstring(a, clang_getCursorSpelling(decl)), file, (int)line,
                      same_type_arg(decl), out};
        scan_attributes(&k, &expanded);
        toks_free(&expanded);
    }
    toks_free(&toks);
}

/* ---- macros defined in skipped regions ---- */

/* Is there a line break between offsets a and b of `text` that no
 * backslash continues? */
static bool new_line_between(const char *text, unsigned a, unsigned b)
{
    for (unsigned i = a; i < b; i++) {
        if (text[i] != '\n') continue;
        unsigned k = i;
        while (k > a && (text[k - 1] == '\r' || text[k - 1] == ' ' || text[k - 1] == '\t')) k--;
        if (k == a || text[k - 1] != '\\') return true;
    }
    return false;
}

typedef struct {
    Tok tok;
    unsigned begin, end;
} PlacedTok;

/* The #define directives of one skipped range whose body names an
 * attribute with arguments, into s->skipped. */
static void skipped_defines(AttrScan *s, CXSourceRange range)
{
    CXFile file;
    clang_getSpellingLocation(clang_getRangeStart(range), &file, NULL, NULL, NULL);
    if (!file || clang_Location_isInSystemHeader(clang_getRangeStart(range))) return;
    size_t size = 0;
    const char *text = clang_getFileContents(s->tu, file, &size);
    if (!text) return;
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(s->tu, range, &toks, &n);
    VEC(PlacedTok) v = {0};
    for (unsigned i = 0; i < n; i++) {
        CXSourceRange e = clang_getTokenExtent(s->tu, toks[i]);
        PlacedTok p;
        clang_getSpellingLocation(clang_getRangeStart(e), NULL, NULL, NULL, &p.begin);
        clang_getSpellingLocation(clang_getRangeEnd(e), NULL, NULL, NULL, &p.end);
        if (p.end > size || p.begin > p.end) continue;
        CXString sp = clang_getTokenSpelling(s->tu, toks[i]);
        p.tok.text = xstrdup(clang_getCString(sp) ? clang_getCString(sp) : "");
        p.tok.kind = clang_getTokenKind(toks[i]);
        clang_disposeString(sp);
        VEC_PUSH(v, p);
    }
    if (toks) clang_disposeTokens(s->tu, toks, n);
    for (int i = 0; i + 2 < v.len; i++) {
        bool line_start = i == 0 || new_line_between(text, v.items[i - 1].end, v.items[i].begin);
        if (!line_start || !is_punct(&v.items[i].tok, "#") || strcmp(v.items[i + 1].tok.text, "define") != 0 ||
            !is_ident(&v.items[i + 2].tok))
            continue;
        Macro *m = xcalloc(1, sizeof *m);
        m->name = xstrdup(v.items[i + 2].tok.text);
        m->loaded = true;
        m->relevant = -1;
        int k = i + 3;
        if (k < v.len && is_punct(&v.items[k].tok, "(") && v.items[k].begin == v.items[i + 2].end) {
            m->function_like = true;
            for (k++; k < v.len && !is_punct(&v.items[k].tok, ")"); k++) {
                const Tok *t = &v.items[k].tok;
                if (is_ident(t)) push_tok(&m->params, t->text, t->kind);
                else if (is_punct(t, "...")) push_tok(&m->params, "__VA_ARGS__", CXToken_Identifier);
            }
            k++;
        }
        for (; k < v.len && !new_line_between(text, v.items[k - 1].end, v.items[k].begin); k++)
            push_tok(&m->body, v.items[k].tok.text, v.items[k].tok.kind);
        VEC_PUSH(s->all, m);
        *strmap_slot(&s->skipped, m->name) = m;
        i = k - 1;
    }
    for (int i = 0; i < v.len; i++) free(v.items[i].tok.text);
    VEC_FREE(v);
}

static void scan_skipped_ranges(AttrScan *s)
{
    CXSourceRangeList *list = clang_getAllSkippedRanges(s->tu);
    if (!list) return;
    for (unsigned i = 0; i < list->count; i++) skipped_defines(s, list->ranges[i]);
    clang_disposeSourceRangeList(list);
}

AttrScan *attr_scan_new(CXTranslationUnit tu)
{
    AttrScan *s = xcalloc(1, sizeof *s);
    s->tu = tu;
    scan_skipped_ranges(s);
    return s;
}
