/* parse_stmt.c — statements to control-flow graph: blocks, scopes with
 * cleanup variables, if/loops/switch/goto/labels/break/continue/return.
 * Expressions are handled in parse_expr.c, parse_cond.c and parse_sink.c;
 * the finished graph is compacted and copied into the arena by
 * parse_finish.c.
 * Nesting deeper than PARSE_MAX_DEPTH marks the function truncated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

/* ---- blocks ---- */

int bb_new(Builder *b)
{
    BBlock blk;
    memset(&blk, 0, sizeof blk);
    blk.default_target = -1;
    blk.switch_on = ir_ref_none();
    VEC_PUSH(b->blocks, blk);
    return b->blocks.len - 1;
}

void bb_emit(Builder *b, IrEvent ev)
{
    BBlock *blk = &b->blocks.items[b->cur];
    if (blk->ended) { /* only after a noreturn inside an expression: keep order */
        b->cur = bb_new(b);
        blk = &b->blocks.items[b->cur];
    }
    VEC_PUSH(blk->ev, ev);
}

void bb_jump(Builder *b, int to)
{
    BBlock *blk = &b->blocks.items[b->cur];
    if (blk->ended) return;
    blk->ended = true;
    blk->term = TERM_JUMP;
    VEC_PUSH(blk->succ, to);
}

void bb_end(Builder *b, IrTermKind term)
{
    BBlock *blk = &b->blocks.items[b->cur];
    if (blk->ended) return;
    blk->ended = true;
    blk->term = term;
}

void bb_branch(Builder *b, IrCond cond, const char *text, IrLoc loc, int t, int f)
{
    BBlock *blk = &b->blocks.items[b->cur];
    if (blk->ended) {
        b->cur = bb_new(b);
        blk = &b->blocks.items[b->cur];
    }
    blk->ended = true;
    blk->term = TERM_BRANCH;
    blk->cond = cond;
    blk->cond_text = text;
    blk->term_loc = loc;
    VEC_PUSH(blk->succ, t);
    VEC_PUSH(blk->succ, f);
}

/* Ends cur with a jump to `to` and continues in a new block. */
static void jump_and_continue(Builder *b, int to)
{
    bb_jump(b, to);
    b->cur = bb_new(b);
}

/* ---- scopes ---- */

void scope_push(Builder *b)
{
    Scope s;
    memset(&s, 0, sizeof s);
    s.parent = b->scope;
    s.no_local_ends = b->scope < 0;
    VEC_PUSH(b->scopes, s);
    b->scope = b->scopes.len - 1;
}

static void emit_scope_end(Builder *b, int var, IrLoc loc)
{
    IrEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_SCOPE_END;
    ev.loc = loc;
    ev.u.scope.var = var;
    bb_emit(b, ev);
}

/* The scope ends of leaving `scope`: its cleanup variables (their cleanups
 * run, last declared first), then, unless the way out is a return, its other
 * locals. */
void emit_scope_ends_of(Builder *b, int scope, IrLoc loc, bool with_locals)
{
    const Scope *sc = &b->scopes.items[scope];
    for (int i = sc->cleanups.len - 1; i >= 0; i--) emit_scope_end(b, sc->cleanups.items[i], loc);
    if (!with_locals || sc->no_local_ends) return;
    for (int i = sc->locals.len - 1; i >= 0; i--) emit_scope_end(b, sc->locals.items[i], loc);
}

/* Leaves every scope from the current one up to stop (not included). */
static void scope_ends_at(Builder *b, int stop, IrLoc loc, bool with_locals)
{
    for (int s = b->scope; s >= 0 && s != stop; s = b->scopes.items[s].parent)
        emit_scope_ends_of(b, s, loc, with_locals);
}

void scope_pop_at(Builder *b, IrLoc loc)
{
    emit_scope_ends_of(b, b->scope, loc, true);
    b->scope = b->scopes.items[b->scope].parent;
}

void emit_return(Builder *b, IrRef value, IrLoc loc)
{
    scope_ends_at(b, -1, loc, false);
    IrEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_RETURN;
    ev.loc = loc;
    ev.u.ret.value = value;
    bb_emit(b, ev);
    bb_end(b, TERM_RETURN);
    b->cur = bb_new(b);
}

/* ---- labels ---- */

static void label_slots_grow(Builder *b)
{
    unsigned cap = b->label_cap ? b->label_cap * 2 : 64;
    int *slots = xmalloc(sizeof(int) * cap);
    for (unsigned i = 0; i < cap; i++) slots[i] = -1;
    for (int l = 0; l < b->labels.len; l++) {
        unsigned h = (unsigned)hash_str64(b->labels.items[l].name) & (cap - 1);
        while (slots[h] >= 0) h = (h + 1) & (cap - 1);
        slots[h] = l;
    }
    free(b->label_slots);
    b->label_slots = slots;
    b->label_cap = cap;
}

int label_index(Builder *b, const char *name)
{
    if ((unsigned)(b->labels.len + 1) * 2 > b->label_cap) label_slots_grow(b);
    unsigned h = (unsigned)hash_str64(name) & (b->label_cap - 1);
    while (b->label_slots[h] >= 0) {
        if (strcmp(b->labels.items[b->label_slots[h]].name, name) == 0) return b->label_slots[h];
        h = (h + 1) & (b->label_cap - 1);
    }
    Label l = {xstrdup(name), bb_new(b), -1, false};
    VEC_PUSH(b->labels, l);
    b->label_slots[h] = b->labels.len - 1;
    return b->labels.len - 1;
}

static char *cursor_name(CXCursor c)
{
    CXString s = clang_getCursorSpelling(c);
    const char *p = clang_getCString(s);
    char *r = xstrdup(p ? p : "");
    clang_disposeString(s);
    return r;
}

/* A label is the label statement, not its name: a GNU local label
 * (`__label__ again;` in a statement expression) is declared afresh by each
 * expansion of the macro that holds it, so one function can have several
 * labels called `again`, and each `goto again` goes to its own. The key is
 * the name plus the statement's identity; a label that does not resolve
 * (code with errors) is keyed by its name alone. */
char *label_key(CXCursor label_stmt, CXCursor fallback)
{
    if (clang_getCursorKind(label_stmt) != CXCursor_LabelStmt) return cursor_name(fallback);
    char *name = cursor_name(label_stmt);
    size_t n = strlen(name) + 16;
    char *key = xmalloc(n);
    snprintf(key, n, "%s#%08x", name, clang_hashCursor(label_stmt));
    free(name);
    return key;
}

/* ---- statements ---- */

static void stmt_compound(Builder *b, CXCursor c, int depth)
{
    CursorVec kids = {0};
    cursor_children(c, &kids);
    scope_push(b);
    for (int i = 0; i < kids.len; i++) stmt_build(b, kids.items[i], depth + 1);
    scope_pop_at(b, loc_end_char(loc_of_cursor(c)));
    VEC_FREE(kids);
}

static void stmt_decl(Builder *b, CXCursor c, int depth)
{
    CursorVec kids = {0};
    cursor_children(c, &kids);
    for (int i = 0; i < kids.len; i++) {
        CXCursor d = kids.items[i];
        if (clang_getCursorKind(d) != CXCursor_VarDecl) continue;
        int v = var_for_decl(b, d);
        const IrVar *var = v >= GLOBAL_VAR_BASE ? &b->globals.items[v - GLOBAL_VAR_BASE]
                                                : &b->locals.items[v];
        bool automatic = var->storage == VAR_LOCAL;
        if (automatic && b->scope >= 0) {
            Scope *sc = &b->scopes.items[b->scope];
            bool seen = false; /* a backward goto builds a declaration once; be safe */
            for (int k = 0; k < sc->locals.len && !seen; k++) seen = sc->locals.items[k] == v;
            for (int k = 0; k < sc->cleanups.len && !seen; k++) seen = sc->cleanups.items[k] == v;
            if (!seen) {
                if (var->cleanup_fn) VEC_PUSH(sc->cleanups, v);
                else VEC_PUSH(sc->locals, v);
            }
        }
        /* the initialiser is the last expression child (after type refs, attrs) */
        CursorVec dk = {0};
        cursor_children(d, &dk);
        CXCursor init = clang_getNullCursor();
        for (int k = 0; k < dk.len; k++)
            if (clang_isExpression(clang_getCursorKind(dk.items[k]))) init = dk.items[k];
        VEC_FREE(dk);
        if (clang_Cursor_isNull(init)) continue;
        if (automatic) {
            IrLoc loc = loc_of_cursor(d);
            IrLoc name = loc_of_range(clang_getCursorExtent(d));
            CXSourceLocation nl = clang_getCursorLocation(d);
            unsigned line, col;
            clang_getExpansionLocation(nl, NULL, &line, &col, NULL);
            loc.line = (int)line;
            loc.col = (int)col;
            (void)name;
            expr_assign_to(b, ir_ref_var(v), init, true, loc, depth + 1);
        } else {
            expr_discard(b, init, depth + 1); /* static initialisers: function refs only */
        }
    }
    VEC_FREE(kids);
}

static void stmt_if(Builder *b, CursorVec *k, int depth)
{
    if (k->len < 2) return;
    int then_b = bb_new(b), join = bb_new(b);
    int else_b = k->len > 2 ? bb_new(b) : join;
    cond_build(b, k->items[0], then_b, else_b, depth + 1);
    b->cur = then_b;
    stmt_build(b, k->items[1], depth + 1);
    bb_jump(b, join);
    if (k->len > 2) {
        b->cur = else_b;
        stmt_build(b, k->items[2], depth + 1);
        bb_jump(b, join);
    }
    b->cur = join;
}

static void loop_push(Builder *b, int brk, int cont)
{
    JumpCtx j = {brk, cont, b->scope, -1};
    VEC_PUSH(b->jumps, j);
}

static void stmt_while(Builder *b, CursorVec *k, int depth)
{
    if (k->len < 2) return;
    int head = bb_new(b), body = bb_new(b), exit = bb_new(b);
    bb_jump(b, head);
    b->cur = head;
    cond_build(b, k->items[0], body, exit, depth + 1);
    b->cur = body;
    loop_push(b, exit, head);
    stmt_build(b, k->items[1], depth + 1);
    b->jumps.len--;
    bb_jump(b, head);
    b->cur = exit;
}

static void stmt_do(Builder *b, CursorVec *k, int depth)
{
    if (k->len < 2) return;
    int body = bb_new(b), cond = bb_new(b), exit = bb_new(b);
    bb_jump(b, body);
    b->cur = body;
    loop_push(b, exit, cond);
    stmt_build(b, k->items[0], depth + 1);
    b->jumps.len--;
    bb_jump(b, cond);
    b->cur = cond;
    long long v;
    CXCursor c = cursor_strip(k->items[1], true);
    if (clang_getCursorKind(c) == CXCursor_IntegerLiteral && const_eval(c, &v) && v == 0)
        bb_jump(b, exit); /* do { ... } while (0): no back edge */
    else
        cond_build(b, k->items[1], body, exit, depth + 1);
    b->cur = exit;
}

/* Which of init/cond/inc a child of a for statement is: by its position
 * relative to the two ';' of the header. */
typedef struct {
    CXCursor init, cond, inc, body;
} ForParts;

static void for_parts(CXTranslationUnit tu, CXCursor c, CursorVec *k, ForParts *p)
{
    p->init = p->cond = p->inc = clang_getNullCursor();
    p->body = k->items[k->len - 1];
    int n = k->len - 1;
    if (n == 0) return;
    if (n == 3) {
        p->init = k->items[0];
        p->cond = k->items[1];
        p->inc = k->items[2];
        return;
    }
    /* find the semicolons of the header */
    CXFile f1, f2;
    unsigned o_for, o_body;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f1, NULL, NULL, &o_for);
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(p->body)), &f2, NULL, NULL, &o_body);
    unsigned semi[2] = {0, 0};
    int ns = 0;
    if (f1 && f2 && clang_File_isEqual(f1, f2) && o_for < o_body) {
        CXToken *toks = NULL;
        unsigned nt = 0;
        CXSourceRange r = clang_getRange(clang_getLocationForOffset(tu, f1, o_for),
                                         clang_getLocationForOffset(tu, f1, o_body));
        clang_tokenize(tu, r, &toks, &nt);
        int paren = 0;
        for (unsigned i = 0; i < nt && ns < 2; i++) {
            CXString s = clang_getTokenSpelling(tu, toks[i]);
            const char *t = clang_getCString(s);
            if (t && !strcmp(t, "(")) paren++;
            else if (t && !strcmp(t, ")")) paren--;
            else if (t && !strcmp(t, ";") && paren == 1) {
                unsigned off;
                clang_getExpansionLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
                semi[ns++] = off;
            }
            clang_disposeString(s);
        }
        if (toks) clang_disposeTokens(tu, toks, nt);
    }
    for (int i = 0; i < n; i++) {
        CXCursor ch = k->items[i];
        unsigned off;
        clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(ch)), NULL, NULL, NULL, &off);
        if (ns == 2) {
            if (off < semi[0]) p->init = ch;
            else if (off < semi[1]) p->cond = ch;
            else p->inc = ch;
        } else if (clang_getCursorKind(ch) == CXCursor_DeclStmt || (n == 2 && i == 0)) {
            p->init = ch; /* header inside a macro: guess */
        } else {
            p->cond = ch;
        }
    }
}

static void stmt_for(Builder *b, CXCursor c, CursorVec *k, int depth)
{
    if (k->len < 1) return;
    ForParts p;
    for_parts(b->tu, c, k, &p);
    scope_push(b);
    if (!clang_Cursor_isNull(p.init)) {
        if (clang_isExpression(clang_getCursorKind(p.init))) expr_discard(b, p.init, depth + 1);
        else stmt_build(b, p.init, depth + 1);
    }
    int head = bb_new(b), body = bb_new(b), inc = bb_new(b), exit = bb_new(b);
    bb_jump(b, head);
    b->cur = head;
    if (!clang_Cursor_isNull(p.cond)) cond_build(b, p.cond, body, exit, depth + 1);
    else bb_jump(b, body);
    b->cur = body;
    loop_push(b, exit, inc);
    stmt_build(b, p.body, depth + 1);
    b->jumps.len--;
    bb_jump(b, inc);
    b->cur = inc;
    if (!clang_Cursor_isNull(p.inc)) expr_discard(b, p.inc, depth + 1);
    bb_jump(b, head);
    b->cur = exit;
    scope_pop_at(b, loc_end_char(loc_of_cursor(c)));
}

static void stmt_switch(Builder *b, CXCursor c, CursorVec *k, int depth)
{
    if (k->len < 2) return;
    CXCursor cond = k->items[k->len - 2], body = k->items[k->len - 1];
    IrRef on = expr_eval(b, cond, depth + 1);
    int head = b->cur;
    if (b->blocks.items[head].ended) head = b->cur = bb_new(b);
    int exit = bb_new(b);
    SwitchCtx sw;
    memset(&sw, 0, sizeof sw);
    sw.head = head;
    sw.default_target = -1;
    sw.exit = exit;
    VEC_PUSH(b->switches, sw);
    JumpCtx j = {exit, -1, b->scope, b->switches.len - 1};
    /* continue inside a switch belongs to the enclosing loop */
    for (int i = b->jumps.len - 1; i >= 0; i--)
        if (b->jumps.items[i].continue_to >= 0) {
            j.continue_to = b->jumps.items[i].continue_to;
            break;
        }
    VEC_PUSH(b->jumps, j);
    b->cur = bb_new(b); /* code before the first case is unreachable */
    stmt_build(b, body, depth + 1);
    bb_jump(b, exit);
    b->jumps.len--;
    SwitchCtx done = b->switches.items[--b->switches.len];
    BBlock *h = &b->blocks.items[head];
    h->ended = true;
    h->term = TERM_SWITCH;
    h->switch_on = on;
    h->cond_text = cond_text(b, cond);
    h->term_loc = loc_of_cursor(cond);
    h->cases.items = done.cases.items;
    h->cases.len = done.cases.len;
    h->cases.cap = done.cases.cap;
    h->default_target = done.default_target;
    for (int i = 0; i < done.cases.len; i++) VEC_PUSH(h->succ, done.cases.items[i].target);
    VEC_PUSH(h->succ, done.default_target >= 0 ? done.default_target : exit);
    (void)c;
    b->cur = exit;
}

/* case/default labels, possibly chained (`case 1: case 2: stmt`), all
 * naming one new block; then the statement they label. */
static void stmt_case(Builder *b, CXCursor c, int depth)
{
    int blk = bb_new(b);
    bb_jump(b, blk);
    b->cur = blk;
    SwitchCtx *sw = b->switches.len ? &b->switches.items[b->switches.len - 1] : NULL;
    CursorVec k = {0};
    for (;;) {
        enum CXCursorKind kind = clang_getCursorKind(c);
        if (kind != CXCursor_CaseStmt && kind != CXCursor_DefaultStmt) break;
        cursor_children(c, &k);
        if (k.len == 0) break;
        if (kind == CXCursor_DefaultStmt) {
            if (sw) sw->default_target = blk;
        } else if (sw && k.len >= 2) {
            long long lo = 0, hi;
            bool ok = const_eval(k.items[0], &lo);
            hi = lo;
            if (k.len >= 3 && !const_eval(k.items[1], &hi)) ok = false;
            if (ok) {
                IrCase cs = {lo, hi, blk};
                VEC_PUSH(sw->cases, cs);
            }
        }
        c = k.items[k.len - 1];
    }
    VEC_FREE(k);
    stmt_build(b, c, depth + 1);
}

static void stmt_label(Builder *b, CXCursor c, int depth)
{
    CursorVec k = {0};
    while (clang_getCursorKind(c) == CXCursor_LabelStmt) {
        char *name = label_key(c, c);
        int li = label_index(b, name);
        free(name);
        b->labels.items[li].scope = b->scope;
        bb_jump(b, b->labels.items[li].block);
        b->cur = b->labels.items[li].block;
        cursor_children(c, &k);
        if (k.len == 0) {
            VEC_FREE(k);
            return;
        }
        c = k.items[k.len - 1];
    }
    VEC_FREE(k);
    stmt_build(b, c, depth + 1);
}

static void stmt_goto(Builder *b, CXCursor c, CursorVec *k)
{
    if (k->len < 1) return;
    char *name = label_key(clang_getCursorReferenced(k->items[0]), k->items[0]);
    int li = label_index(b, name);
    free(name);
    int g = bb_new(b);
    bb_jump(b, g);
    PendingGoto pg = {g, b->scope, li, loc_of_cursor(c)};
    b->blocks.items[b->cur].term_loc = pg.loc;
    VEC_PUSH(b->gotos, pg);
    b->cur = bb_new(b);
}

static void stmt_indirect_goto(Builder *b, CXCursor c, CursorVec *k, int depth)
{
    if (k->len) expr_discard(b, k->items[0], depth + 1);
    BBlock *blk = &b->blocks.items[b->cur];
    if (!blk->ended) {
        blk->ended = true;
        blk->term = TERM_INDIRECT;
        blk->term_loc = loc_of_cursor(c);
        VEC_PUSH(b->indirect_blocks, b->cur);
    }
    b->cur = bb_new(b);
}

static void stmt_break_continue(Builder *b, CXCursor c, bool is_break)
{
    for (int i = b->jumps.len - 1; i >= 0; i--) {
        JumpCtx *j = &b->jumps.items[i];
        int to = is_break ? j->break_to : j->continue_to;
        if (!is_break && j->sw >= 0) continue;
        if (to < 0) continue;
        scope_ends_at(b, j->scope, loc_of_cursor(c), true);
        b->blocks.items[b->cur].term_loc = loc_of_cursor(c);
        jump_and_continue(b, to);
        return;
    }
}

static void stmt_return(Builder *b, CXCursor c, CursorVec *k, int depth)
{
    IrLoc loc = loc_of_cursor(c);
    if (k->len && clang_isExpression(clang_getCursorKind(k->items[0])))
        expr_return(b, k->items[0], loc, depth + 1);
    else
        emit_return(b, ir_ref_none(), loc);
}

/* A do/if/while/for/switch/return statement whose first token is not its
 * keyword is a macro's expansion (cheap: one token, no lookup). */
static bool statement_from_macro(CXTranslationUnit tu, CXCursor c, enum CXCursorKind kind)
{
    const char *keyword = kind == CXCursor_DoStmt       ? "do"
                          : kind == CXCursor_IfStmt     ? "if"
                          : kind == CXCursor_WhileStmt  ? "while"
                          : kind == CXCursor_ForStmt    ? "for"
                          : kind == CXCursor_SwitchStmt ? "switch"
                          : kind == CXCursor_ReturnStmt ? "return"
                                                        : NULL;
    if (!keyword) return false;
    CXFile f;
    unsigned off;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL, NULL, &off);
    if (!f) return false;
    CXToken *tok = clang_getToken(tu, clang_getLocationForOffset(tu, f, off));
    if (!tok) return false;
    CXString sp = clang_getTokenSpelling(tu, *tok);
    const char *t = clang_getCString(sp);
    bool from_macro = t && strcmp(t, keyword) != 0;
    clang_disposeString(sp);
    clang_disposeTokens(tu, tok, 1);
    return from_macro;
}

void stmt_build(Builder *b, CXCursor c, int depth)
{
    if (depth > PARSE_MAX_DEPTH) {
        b->truncated = true;
        return;
    }
    b->used_vars.len = 0;
    enum CXCursorKind kind = clang_getCursorKind(c);
    if (statement_from_macro(b->tu, c, kind)) macro_prime_statement(b->tu, b->macros, c);
    if (clang_isExpression(kind)) {
        expr_discard(b, c, depth);
        return;
    }
    switch (kind) {
    case CXCursor_CompoundStmt: stmt_compound(b, c, depth); return;
    case CXCursor_DeclStmt: stmt_decl(b, c, depth); return;
    case CXCursor_CaseStmt:
    case CXCursor_DefaultStmt: stmt_case(b, c, depth); return;
    case CXCursor_LabelStmt: stmt_label(b, c, depth); return;
    case CXCursor_BreakStmt: stmt_break_continue(b, c, true); return;
    case CXCursor_ContinueStmt: stmt_break_continue(b, c, false); return;
    case CXCursor_NullStmt: return;
    default: break;
    }
    CursorVec k = {0};
    cursor_children(c, &k);
    switch (kind) {
    case CXCursor_IfStmt: stmt_if(b, &k, depth); break;
    case CXCursor_WhileStmt: stmt_while(b, &k, depth); break;
    case CXCursor_DoStmt: stmt_do(b, &k, depth); break;
    case CXCursor_ForStmt: stmt_for(b, c, &k, depth); break;
    case CXCursor_SwitchStmt: stmt_switch(b, c, &k, depth); break;
    case CXCursor_GotoStmt: stmt_goto(b, c, &k); break;
    case CXCursor_IndirectGotoStmt: stmt_indirect_goto(b, c, &k, depth); break;
    case CXCursor_ReturnStmt: stmt_return(b, c, &k, depth); break;
    default:
        /* asm and anything unknown: look inside for calls */
        for (int i = 0; i < k.len; i++) {
            if (clang_isExpression(clang_getCursorKind(k.items[i]))) expr_discard(b, k.items[i], depth + 1);
            else if (clang_isStatement(clang_getCursorKind(k.items[i]))) stmt_build(b, k.items[i], depth + 1);
        }
        break;
    }
    VEC_FREE(k);
}
