/* flow_outparam.c — out-parameters followed as places: `*conn` of a
 * parameter `PGconn **conn` holds the handle stored into it until the
 * function exits (where it escapes to the caller), so overwriting `*conn`
 * while it is the last holder is a leak and `PQfinish(*conn)` releases it.
 *
 * Only a pointer-to-pointer parameter whose every mention in the body is a
 * plain `*p` (read, tested, passed as `*p`, or assigned as `*p = ...`) is
 * followed: passing p itself, copying it, reassigning it, taking &p,
 * indexing p[i], reading `x = *p` or returning `*p` keep today's escape at
 * the store. The IR writes `*p`, `p[i]` and `(*p)->f` all as REF_DEREF, so
 * the plain form is recognised by the source ranges the parse stage gave
 * the deref's use event (`*p` is exactly one character longer than p) and
 * the assignment (starting where that `*p` starts). Anything else: not
 * followed (precision first).
 *
 * The parse stage does not reduce tests of `*p` either: `*p == NULL`,
 * `!*p`, `*p`, `(*p = f()) == NULL` are recognised from the branch's
 * condition text; any other condition naming `*p` makes the handle quiet
 * on both ways (and a flag computed from `*p` unfollows p). Nothing here
 * walks the CFG. */
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

static bool refers_to(const IrRef *r, int var)
{
    switch (r->kind) {
    case REF_VAR:
    case REF_ADDR:
    case REF_FIELD:
    case REF_ADDR_FIELD:
    case REF_DEREF: return r->var == var;
    default: return false;
    }
}

/* The use event the parse stage emits for a plain `*p`: one line, exactly
 * as wide as the name plus the star. */
static bool plain_star_use(const IrFunction *fn, const IrEvent *ev, int var)
{
    const IrRef *r = &ev->u.use.ref;
    if (r->kind != REF_VAR || r->var != var) return false;
    const IrLoc *l = &ev->loc;
    size_t n = strlen(fn->vars[var].name);
    return l->line > 0 && l->end_line == l->line && l->end_col - l->col == (int)n + 1;
}

/* `*p = x`: a plain-star use of p earlier in the block starting where the
 * assignment starts (`(*p)->f = x` starts one column before its `*p`). */
static bool plain_star_store(const IrFunction *fn, const IrBlock *blk, int e, int var)
{
    const IrLoc *al = &blk->events[e].loc;
    for (int k = e - 1; k >= 0; k--) {
        const IrEvent *u = &blk->events[k];
        if (u->kind == EV_USE && plain_star_use(fn, u, var) && u->loc.line == al->line && u->loc.col == al->col)
            return true;
    }
    return false;
}

/* `ok = (*p != NULL)`: the parse stage leaves a comparison of `*p`
 * unreduced, so the flag would mean nothing: p is not followed. Detected
 * as a use of p among the uses evaluated just before the flag. */
static bool flag_reads_deref(const IrBlock *blk, int e, int var)
{
    for (int k = e - 1; k >= 0 && blk->events[k].kind == EV_USE; k--)
        if (refers_to(&blk->events[k].u.use.ref, var)) return true;
    return false;
}

static bool pointer_to_pointer_param(const IrVar *v)
{
    return v->storage == VAR_PARAM && v->is_pointer && v->name && v->type && strstr(v->type, "**");
}

/* Does event e of block b keep `*var` followable? */
static bool event_allows(const IrFunction *fn, const IrBlock *blk, int e, int var)
{
    const IrEvent *ev = &blk->events[e];
    switch (ev->kind) {
    case EV_CALL:
        if (refers_to(&ev->u.call.base, var)) return false;
        for (int i = 0; i < ev->u.call.nargs; i++)
            if (refers_to(&ev->u.call.args[i], var) && ev->u.call.args[i].kind != REF_DEREF) return false;
        return true;
    case EV_ASSIGN:
        if (refers_to(&ev->u.assign.rhs, var)) return false;
        if (!refers_to(&ev->u.assign.lhs, var)) return true;
        return ev->u.assign.lhs.kind == REF_DEREF && plain_star_store(fn, blk, e, var);
    case EV_ASSIGN_COND: return !refers_to(&ev->u.assign_cond.lhs, var) && !flag_reads_deref(blk, e, var);
    case EV_USE: return !refers_to(&ev->u.use.ref, var) || plain_star_use(fn, ev, var);
    case EV_RETURN: return !refers_to(&ev->u.ret.value, var);
    case EV_SCOPE_END:
    case EV_FUNC_REF: return true;
    }
    return false;
}

static bool followable(const IrFunction *fn, int var)
{
    if (!pointer_to_pointer_param(&fn->vars[var])) return false;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_SWITCH && refers_to(&blk->switch_on, var)) return false;
        for (int e = 0; e < blk->n_events; e++)
            if (!event_allows(fn, blk, e, var)) return false;
    }
    return true;
}

/* ---- conditions on `*p` the parse stage did not reduce ---------------- */

#define TEXT_MAX 128

static bool is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The text without blanks, into buf; false when too long. */
static bool squeeze(const char *text, char *buf)
{
    size_t n = 0;
    for (const char *c = text; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r') continue;
        if (n + 1 >= TEXT_MAX) return false;
        buf[n++] = *c;
    }
    buf[n] = '\0';
    return true;
}

/* [s, s+n) without parentheses around all of it. */
static void strip_parens(const char **s, size_t *n)
{
    while (*n >= 2 && (*s)[0] == '(' && (*s)[*n - 1] == ')') {
        int depth = 0;
        bool whole = true;
        for (size_t i = 0; i < *n - 1 && whole; i++) {
            if ((*s)[i] == '(') depth++;
            else if ((*s)[i] == ')') depth--;
            if (depth == 0) whole = false; /* closes before the end: (a)==(b) */
        }
        if (!whole) return;
        (*s)++;
        *n -= 2;
    }
}

static bool span_is(const char *s, size_t n, const char *want)
{
    return strlen(want) == n && strncmp(s, want, n) == 0;
}

/* `*p`, or `*p = value` (whose value is what *p holds after it). */
static bool span_is_star(const char *s, size_t n, const char *name)
{
    strip_parens(&s, &n);
    size_t k = strlen(name);
    if (n < k + 1 || s[0] != '*' || strncmp(s + 1, name, k) != 0) return false;
    return n == k + 1 || (n > k + 2 && s[k + 1] == '=' && s[k + 2] != '=');
}

static bool span_is_null(const char *s, size_t n)
{
    strip_parens(&s, &n);
    return span_is(s, n, "NULL") || span_is(s, n, "0") || span_is(s, n, "(void*)0");
}

/* `*p`, `!*p`, `*p == NULL`, `NULL != *p`, `*p == 0` ... (blanks removed):
 * true with *ne = "the test holds when *p is not NULL". */
static bool null_test_text(const char *text, const char *name, bool *ne)
{
    const char *s = text;
    size_t n = strlen(s);
    bool neg = false;
    strip_parens(&s, &n);
    while (n > 0 && s[0] == '!' && !(n > 1 && s[1] == '=')) {
        neg = !neg;
        s++;
        n--;
        strip_parens(&s, &n);
    }
    const char *op = NULL;
    for (size_t i = 0; i + 1 < n; i++) {
        if ((s[i] == '=' || s[i] == '!') && s[i + 1] == '=') {
            if (op) return false;
            op = s + i;
        }
    }
    bool holds_when_set;
    if (!op) {
        if (!span_is_star(s, n, name)) return false;
        holds_when_set = true;
    } else {
        size_t ln = (size_t)(op - s), rn = n - ln - 2;
        const char *r = op + 2;
        bool star_null = span_is_star(s, ln, name) && span_is_null(r, rn);
        bool null_star = span_is_null(s, ln) && span_is_star(r, rn, name);
        if (!star_null && !null_star) return false;
        holds_when_set = op[0] == '!';
    }
    *ne = holds_when_set != neg;
    return true;
}

/* The condition's text names `*p` (not inside a longer name). */
static bool text_reads_star(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *c = strchr(text, '*'); c; c = strchr(c + 1, '*'))
        if (strncmp(c + 1, name, n) == 0 && !is_ident_char(c[1 + n])) return true;
    return false;
}

/* Uses evaluated at the end of the block, for its condition. */
static bool trailing_use_of(const IrBlock *blk, int var)
{
    for (int k = blk->n_events - 1; k >= 0 && blk->events[k].kind == EV_USE; k--)
        if (refers_to(&blk->events[k].u.use.ref, var)) return true;
    return false;
}

static void classify_branch(const FlowRun *run, const IrBlock *blk, FlowDerefTest *dt)
{
    dt->var = -1;
    if (blk->term != TERM_BRANCH || blk->cond.known) return;
    char buf[TEXT_MAX];
    bool have_text = blk->cond_text && squeeze(blk->cond_text, buf);
    for (int v = 0; v < run->fn->n_vars; v++) {
        if (!run->deref_place[v]) continue;
        bool reads = have_text ? text_reads_star(buf, run->fn->vars[v].name) : trailing_use_of(blk, v);
        if (!reads) continue;
        bool ne;
        if (dt->var != -1 || !have_text || !null_test_text(buf, run->fn->vars[v].name, &ne)) {
            /* read in a way not understood; two of them: -2, any */
            dt->var = dt->var == -1 ? v : -2;
            dt->known = false;
            continue;
        }
        dt->var = v;
        dt->known = true;
        memset(&dt->cond, 0, sizeof dt->cond);
        dt->cond.known = true;
        dt->cond.ref = ir_ref_var(v);
        dt->cond.ref.kind = REF_DEREF;
        dt->cond.ref2 = ir_ref_none();
        dt->cond.op = ne ? CMP_NE : CMP_EQ;
        dt->cond.value = 0;
    }
}

void flow_find_deref_places(FlowRun *run)
{
    const IrFunction *fn = run->fn;
    bool any = false;
    for (int v = 0; v < fn->n_vars; v++) any |= run->deref_place[v] = followable(fn, v);
    if (!any || fn->n_blocks == 0) return;
    run->deref_test = xcalloc((size_t)fn->n_blocks, sizeof(FlowDerefTest));
    for (int b = 0; b < fn->n_blocks; b++) classify_branch(run, &fn->blocks[b], &run->deref_test[b]);
}

const IrCond *flow_branch_cond(const FlowRun *run, int b)
{
    const FlowDerefTest *dt = run->deref_test ? &run->deref_test[b] : NULL;
    if (dt && dt->var >= 0 && dt->known && flow_deref_followed(run, dt->var)) return &dt->cond;
    return &run->fn->blocks[b].cond;
}

void flow_branch_unknown_deref(const FlowRun *run, int b, Tuple *t)
{
    const FlowDerefTest *dt = run->deref_test ? &run->deref_test[b] : NULL;
    if (!run->follow_deref || !dt || dt->var == -1 || dt->known) return;
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind == PLACE_DEREF && (dt->var == -2 || t->holders[i].var == dt->var)) t->quiet = 1;
}
