/* summary.c — function summaries (summary.h): for every function of the
 * analysed sources, whether it returns (or writes through a pointer
 * parameter) a freshly acquired handle, and what it does to each pointer or
 * struct parameter (releases on all paths / on some / stores it away /
 * borrows). Computed with the flow engine (flow/flow.h), iterated to a
 * fixpoint one strongly connected component of the call graph at a time,
 * callees first, so that wrappers of wrappers count; with -j, the
 * components whose callees are solved are solved on several threads at
 * once, with the same result. It reports nothing itself; the
 * table the summaries live in (and their lookup) is summary_table.c. */
#include "flow/summary.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "flow/match.h"
#include "flow/flow.h"
#include "common/pool.h"
#include "common/strmap.h"
#include "common/util.h"

#define SUMMARY_MAX_PASSES 8

/* ---- computing one summary ----------------------------------------------- */

static FailureKind returned_failure(const IrFunction *fn, const AcquireMatch *a)
{
    if (!fn->returns_pointer && a->failure == FAILURE_NULL_FIELD) return FAILURE_NULL_FIELD;
    if (!fn->returns_pointer && a->failure == FAILURE_NEGATIVE) return FAILURE_NEGATIVE;
    return FAILURE_NULL; /* conservative: callers' NULL tests count as failure tests */
}

static bool returns_value(const IrFunction *fn)
{
    return fn->return_type && strcmp(fn->return_type, "void") != 0;
}

/* How callers of an out-parameter wrapper see failure: `return 0` where it
 * stored the handle and non-zero constants elsewhere is status-nonzero;
 * anything else (1 on success, computed values) is a status of unknown
 * meaning; a void wrapper is tested through the handle (NULL). */
static FailureKind out_param_failure(const IrFunction *fn, unsigned m)
{
    if (!returns_value(fn)) return FAILURE_NULL;
    bool zero_when_stored = (m & EXIT_OUT_RET_ZERO) && !(m & (EXIT_OUT_RET_NONZERO | EXIT_OUT_RET_OTHER));
    bool nonzero_otherwise = !(m & (EXIT_NONE_RET_ZERO | EXIT_NONE_RET_OTHER));
    return zero_when_stored && nonzero_otherwise ? FAILURE_STATUS_NONZERO : FAILURE_STATUS_UNKNOWN;
}

static char *chain_for(const IrFunction *fn, const IrCall *inner, const AcquireMatch *a)
{
    if (a->via && a->via->chain) return xasprintf("%s() which calls %s", fn->name, a->via->chain);
    const char *callee = inner->spelled ? inner->spelled : inner->callee;
    return xasprintf("%s() which calls %s()", fn->name, callee ? callee : "(indirect)");
}

static void compute_acquire(FlowRun *run, FunctionSummary *out)
{
    const IrFunction *fn = run->fn;
    bool prepared = false;
    for (int id = 0; id < fn->n_calls; id++) {
        if (!run->call_is_acq[id] || !run->calls[id] || run->rpo_index[run->call_block[id]] < 0) continue;
        AcquireMatch a = run->call_acq[id];
        if (!prepared) flow_prepare_sites(run); /* the prefix the site runs share */
        prepared = true;
        if (!flow_run_site(run, run->call_block[id], run->call_event[id], &a)) continue;
        unsigned m = run->exit_mask;
        unsigned bad = EXIT_HELD | EXIT_QUIET | EXIT_ESC_STORE | EXIT_ESC_TRANSFER | EXIT_ESC_UNKNOWN;
        if (m & bad) continue;
        if (!(m & EXIT_ESC_RETURN) && (m & EXIT_ESC_OUT) && run->from_shared) {
            /* what the exits that never reach the acquire return decides
             * the failure kind (out_param_failure): run it from the entry */
            if (!flow_run_site_full(run, run->call_block[id], run->call_event[id], &a)) continue;
            m = run->exit_mask;
            if (m & bad) continue;
        }
        if (m & EXIT_ESC_RETURN) {
            out->acquire_result_arg = -1;
            out->acquire_failure = returned_failure(fn, &a);
        } else if ((m & EXIT_ESC_OUT) && run->esc_param >= 0) {
            out->acquire_result_arg = run->esc_param;
            out->acquire_failure = out_param_failure(fn, m);
        } else {
            continue;
        }
        out->acquires = a.res;
        out->acquire_field = out->acquire_failure == FAILURE_NULL_FIELD ? a.failure_field : NULL;
        out->acquires_per_request = a.res && a.res->per_request;
        out->chain = chain_for(fn, run->calls[id], &a);
        return;
    }
}

static ParamEffect param_effect(FlowRun *run, int p, const Resource **res)
{
    *res = NULL;
    if (!flow_run_param(run, p)) return PARAM_BORROWS;
    unsigned m = run->exit_mask;
    /* released through p->field: which resource the caller keeps there is
     * not known, so the effect applies to any */
    *res = run->container_release ? NULL : run->found_res;
    bool held = m & (EXIT_HELD | EXIT_QUIET | EXIT_ESC_RETURN | EXIT_ESC_UNKNOWN | EXIT_STORED_LOCAL_NULL_RET);
    bool stored = m & (EXIT_ESC_STORE | EXIT_ESC_TRANSFER | EXIT_ESC_OUT);
    if (stored && !held) return PARAM_TRANSFERS;
    /* obj_new(conn): stored into the object it returns, still held only
     * where it returns NULL (also where it was stored into a local
     * object it then drops: fp->fd = fd; ... free(fp); return NULL;) */
    if (stored && run->fn->returns_pointer && !(m & (EXIT_ESC_RETURN | EXIT_ESC_UNKNOWN | EXIT_RELEASED)) &&
        !(m & (EXIT_HELD_VALUE_RET | EXIT_STORED_NULL_RET)))
        return PARAM_TRANSFERS_ON_SUCCESS;
    /* cache_add(stmt): stored where it returns 0, kept where it returns a
     * non-zero constant */
    if (stored && !run->fn->returns_pointer && returns_value(run->fn) &&
        !(m & (EXIT_ESC_RETURN | EXIT_ESC_UNKNOWN | EXIT_RELEASED | EXIT_QUIET)) &&
        (m & EXIT_STORED_RET_ZERO) && !(m & (EXIT_STORED_RET_OTHER | EXIT_HELD_RET_NOT_NONZERO)))
        return PARAM_TRANSFERS_ON_ZERO;
    if ((m & EXIT_RELEASED) && !held && !stored) return PARAM_RELEASES;
    if (m & EXIT_RELEASED) return PARAM_MAYBE_RELEASES;
    return PARAM_BORROWS;
}

/* configure(c) { ...; return c; }: every exit returns the parameter (or
 * it was NULL there). */
static bool returns_param_itself(unsigned m)
{
    unsigned other = EXIT_HELD | EXIT_QUIET | EXIT_RELEASED | EXIT_ESC_OUT | EXIT_ESC_STORE |
                     EXIT_ESC_TRANSFER | EXIT_ESC_UNKNOWN;
    return (m & EXIT_ESC_RETURN) && !(m & other);
}

/* ---- release helpers taking T **: close_conn(&c) -------------------------- */

static void mark_addr(const IrFunction *fn, const IrRef *r, bool *addr)
{
    if ((r->kind == REF_ADDR || r->kind == REF_ADDR_FIELD) && r->var >= 0 && r->var < fn->n_vars) addr[r->var] = true;
}

/* Marks the variables whose address an event takes. */
static void mark_addrs(const IrFunction *fn, const IrEvent *ev, bool *addr)
{
    switch (ev->kind) {
    case EV_CALL:
        mark_addr(fn, &ev->u.call.base, addr);
        for (int i = 0; i < ev->u.call.nargs; i++) mark_addr(fn, &ev->u.call.args[i], addr);
        break;
    case EV_ASSIGN: mark_addr(fn, &ev->u.assign.rhs, addr); break;
    case EV_ASSIGN_COND:
        mark_addr(fn, &ev->u.assign_cond.cond.ref, addr);
        mark_addr(fn, &ev->u.assign_cond.cond.ref2, addr);
        break;
    case EV_USE: mark_addr(fn, &ev->u.use.ref, addr); break;
    case EV_RETURN: mark_addr(fn, &ev->u.ret.value, addr); break;
    default: break;
    }
}

/* The variable an event assigns as a whole, or -1. */
static int assigned_var(const IrFunction *fn, const IrEvent *ev)
{
    const IrRef *l = ir_event_assigned(ev);
    return l && l->kind == REF_VAR && l->var >= 0 && l->var < fn->n_vars ? l->var : -1;
}

/* Parameter p and its copies: a local pointer whose only assignment is
 * `q = p` (a cast such as `T **q = (T **)vp;` included), when neither p
 * nor q is ever assigned otherwise or has its address taken, is p under
 * another name: `sink(void *vp) { T **q = vp; T *d = *q; release(d); }`
 * releases *vp. Returns a per-variable array (the caller frees it). */
static bool *param_copies(const IrFunction *fn, int p)
{
    bool *same = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    int *assigns = xcalloc((size_t)fn->n_vars + 1, sizeof(int));
    bool *addr = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    bool *from_p = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH) {
            mark_addr(fn, &blk->cond.ref, addr);
            mark_addr(fn, &blk->cond.ref2, addr);
        }
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            mark_addrs(fn, ev, addr);
            int v = assigned_var(fn, ev);
            if (v < 0) continue;
            assigns[v]++;
            if (ev->kind == EV_ASSIGN && !ev->u.assign.adds && ev->u.assign.rhs.kind == REF_VAR && ev->u.assign.rhs.var == p)
                from_p[v] = true;
        }
    }
    same[p] = true;
    if (assigns[p] == 0 && !addr[p])
        for (int v = 0; v < fn->n_vars; v++)
            if (v != p && fn->vars[v].storage == VAR_LOCAL && fn->vars[v].is_pointer && assigns[v] == 1 &&
                from_p[v] && !addr[v])
                same[v] = true;
    free(assigns);
    free(addr);
    free(from_p);
    return same;
}

static bool is_same(const bool *same, const IrFunction *fn, int v)
{
    return v >= 0 && v < fn->n_vars && same[v];
}

/* Does some call pass *p (or p[i]) as an argument, or is *p copied into a
 * local (`d = *dp; *dp = NULL; deinit(&d);`)? p stands for its copies too. */
static bool passes_deref_of(const IrFunction *fn, const bool *same)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind == EV_ASSIGN && ev->u.assign.rhs.kind == REF_DEREF && is_same(same, fn, ev->u.assign.rhs.var))
                return true;
            if (ev->kind != EV_CALL) continue;
            for (int i = 0; i < ev->u.call.nargs; i++)
                if (ev->u.call.args[i].kind == REF_DEREF && is_same(same, fn, ev->u.call.args[i].var)) return true;
        }
    return false;
}

/* In the copy, *p is the handle and is spelled as p; p itself (the T **),
 * &p and p's fields become values the analysis does not follow. A copy of
 * p (param_copies) is spelled as p. */
static void deref_ref(IrRef *r, const IrFunction *fn, const bool *same, int p)
{
    if (!is_same(same, fn, r->var)) return;
    switch (r->kind) {
    case REF_DEREF:
        r->kind = REF_VAR;
        r->var = p;
        break;
    case REF_VAR:
    case REF_ADDR:
    case REF_FIELD:
    case REF_ADDR_FIELD:
        r->kind = REF_OTHER;
        r->var = -1;
        r->field = NULL;
        break;
    default: break;
    }
}

/* `if (p && *p)`: callers pass the address of their variable, never NULL,
 * so a NULL test of p itself is decided (p is not NULL) rather than read as
 * an unknown condition whose other side would keep the handle. */
static void deref_cond(IrCond *c, const IrFunction *fn, const bool *same, int p)
{
    if (c->known && c->ref.kind == REF_VAR && is_same(same, fn, c->ref.var) && c->value == 0 &&
        c->ref2.kind == REF_NONE) {
        c->ref.kind = REF_CONST;
        c->ref.var = -1;
        c->ref.value = 1;
        return;
    }
    deref_ref(&c->ref, fn, same, p);
    deref_ref(&c->ref2, fn, same, p);
}

static void deref_event(IrEvent *ev, const IrFunction *fn, const bool *same, int p)
{
    switch (ev->kind) {
    case EV_CALL: {
        IrRef *args = xcalloc((size_t)ev->u.call.nargs + 1, sizeof(IrRef));
        for (int i = 0; i < ev->u.call.nargs; i++) {
            args[i] = ev->u.call.args[i];
            deref_ref(&args[i], fn, same, p);
        }
        ev->u.call.args = args;
        deref_ref(&ev->u.call.base, fn, same, p);
        break;
    }
    case EV_ASSIGN:
        deref_ref(&ev->u.assign.lhs, fn, same, p);
        deref_ref(&ev->u.assign.rhs, fn, same, p);
        break;
    case EV_ASSIGN_COND:
        deref_ref(&ev->u.assign_cond.lhs, fn, same, p);
        deref_cond(&ev->u.assign_cond.cond, fn, same, p);
        break;
    case EV_USE: deref_ref(&ev->u.use.ref, fn, same, p); break;
    case EV_RETURN: deref_ref(&ev->u.ret.value, fn, same, p); break;
    default: break;
    }
}

/* `if (*p)` / `if (*q)` (q a copy of p), which the parse stage does not
 * reduce: in the copy, the NULL test of the handle. */
static bool text_tests_deref_null(const IrFunction *fn, const bool *same, const char *text, bool *ne)
{
    for (int v = 0; v < fn->n_vars; v++)
        if (same[v] && fn->vars[v].name && flow_text_tests_deref_null(text, fn->vars[v].name, ne)) return true;
    return false;
}

/* A copy of fn where parameter p's pointee is the handle. */
static IrFunction *deref_copy(const IrFunction *fn, const bool *same, int p)
{
    IrFunction *c = xmalloc(sizeof *c);
    *c = *fn;
    c->blocks = xcalloc((size_t)fn->n_blocks + 1, sizeof(IrBlock));
    for (int b = 0; b < fn->n_blocks; b++) {
        IrBlock *blk = &c->blocks[b];
        *blk = fn->blocks[b];
        blk->events = xcalloc((size_t)blk->n_events + 1, sizeof(IrEvent));
        for (int e = 0; e < blk->n_events; e++) {
            blk->events[e] = fn->blocks[b].events[e];
            deref_event(&blk->events[e], fn, same, p);
        }
        deref_cond(&blk->cond, fn, same, p);
        deref_ref(&blk->switch_on, fn, same, p);
        bool ne;
        if (blk->term == TERM_BRANCH && !blk->cond.known && text_tests_deref_null(fn, same, blk->cond_text, &ne)) {
            /* `if (*p)` is not reduced by the parse stage: in the copy it
             * is the NULL test of the handle */
            blk->cond.known = true;
            blk->cond.ref = ir_ref_var(p);
            blk->cond.ref2 = ir_ref_none();
            blk->cond.op = ne ? CMP_NE : CMP_EQ;
            blk->cond.value = 0;
        }
    }
    return c;
}

static void deref_copy_free(IrFunction *c)
{
    for (int b = 0; b < c->n_blocks; b++) {
        IrBlock *blk = &c->blocks[b];
        for (int e = 0; e < blk->n_events; e++)
            if (blk->events[e].kind == EV_CALL) free(blk->events[e].u.call.args);
        free(blk->events);
    }
    free(c->blocks);
    free(c);
}

/* close_conn(PGconn **pc) { if (*pc) { PQfinish(*pc); *pc = NULL; } }
 * (repmgr close_connection): what the function does to *p, when it releases
 * it on all paths or on some; anything else stays a borrow. */
static ParamEffect deref_param_effect(const MatchContext *m, const IrFunction *fn, int p, const Resource **res)
{
    *res = NULL;
    bool *same = param_copies(fn, p);
    if (!passes_deref_of(fn, same)) {
        free(same);
        return PARAM_BORROWS;
    }
    IrFunction *copy = deref_copy(fn, same, p);
    free(same);
    FlowRun run;
    flow_run_init(&run, m, copy);
    ParamEffect eff = param_effect(&run, p, res);
    flow_run_free(&run);
    deref_copy_free(copy);
    if (eff != PARAM_RELEASES && eff != PARAM_MAYBE_RELEASES) {
        *res = NULL;
        return PARAM_BORROWS;
    }
    return eff;
}

static bool released_everywhere(unsigned m)
{
    return (m & EXIT_RELEASED) && !(m & (EXIT_HELD | EXIT_QUIET | EXIT_ESC_RETURN | EXIT_ESC_UNKNOWN |
                                         EXIT_ESC_STORE | EXIT_ESC_TRANSFER | EXIT_ESC_OUT));
}

static bool released_nowhere(unsigned m)
{
    return !(m & (EXIT_RELEASED | EXIT_QUIET | EXIT_ESC_STORE | EXIT_ESC_TRANSFER | EXIT_ESC_OUT));
}

/* Does the parameter (an integer the body never assigns) decide it? */
static bool param_is_flag(const IrFunction *fn, int q)
{
    const IrVar *v = &fn->vars[q];
    if (v->is_pointer || v->is_record) return false;
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if ((ev->kind == EV_ASSIGN && ev->u.assign.lhs.var == q && ev->u.assign.lhs.kind != REF_OTHER) ||
                (ev->kind == EV_ASSIGN_COND && ev->u.assign_cond.lhs.var == q))
                return false;
        }
    return true;
}

/* A parameter released on some paths only (mask m of its run): its
 * result or another parameter may tell which. */
static MaybeRule maybe_rule(FlowRun *run, const IrFunction *fn, int p, unsigned m)
{
    MaybeRule r = {MAYBE_BY_NOTHING, -1, MAYBE_BY_NOTHING};
    unsigned rel = m & (EXIT_REL_RET_ZERO | EXIT_REL_RET_NONZERO | EXIT_REL_RET_OTHER);
    unsigned kept = m & (EXIT_KEPT_RET_ZERO | EXIT_KEPT_RET_NONZERO | EXIT_KEPT_RET_OTHER);
    bool only_maybe = !(m & (EXIT_QUIET | EXIT_ESC_RETURN | EXIT_ESC_UNKNOWN | EXIT_ESC_STORE | EXIT_ESC_TRANSFER |
                             EXIT_ESC_OUT));
    if (only_maybe && rel == EXIT_REL_RET_ZERO && kept == EXIT_KEPT_RET_NONZERO) r.ret = MAYBE_WHEN_RET_ZERO;
    if (only_maybe && rel == EXIT_REL_RET_NONZERO && kept == EXIT_KEPT_RET_ZERO) r.ret = MAYBE_WHEN_RET_NONZERO;
    r.by = r.ret;
    for (int q = 0; q < fn->n_params && q < fn->n_vars && q < SUMMARY_MAYBE_PARAMS; q++) {
        if (q == p || !param_is_flag(fn, q)) continue;
        if (!flow_run_param_given(run, p, q, true)) continue;
        unsigned m0 = run->exit_mask;
        if (!flow_run_param_given(run, p, q, false)) continue;
        unsigned m1 = run->exit_mask;
        if (released_everywhere(m0) && released_nowhere(m1)) r.by = MAYBE_WHEN_PARAM_ZERO;
        else if (released_nowhere(m0) && released_everywhere(m1)) r.by = MAYBE_WHEN_PARAM_NONZERO;
        else continue;
        r.param = (signed char)q;
        return r;
    }
    return r;
}

/* An integer parameter (a descriptor) can only be released or taken by
 * passing it on or storing it (s->fd = fd): only then is it worth a run. */
static bool passed_to_a_call(const IrFunction *fn, int p)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind == EV_ASSIGN && ev->u.assign.rhs.kind == REF_VAR && ev->u.assign.rhs.var == p &&
                (ev->u.assign.lhs.kind == REF_FIELD || ev->u.assign.lhs.kind == REF_DEREF))
                return true;
        }
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind != EV_CALL) continue;
            for (int i = 0; i < ev->u.call.nargs; i++)
                if (ev->u.call.args[i].kind == REF_VAR && ev->u.call.args[i].var == p) return true;
        }
    return false;
}

static void compute(const PackSet *packs, const SummaryTable *t, const IrFunction *fn, FunctionSummary *out)
{
    MatchContext m = {packs, t, fn->file};
    FlowRun run;
    flow_run_init(&run, &m, fn);
    out->acquires = NULL;
    out->acquire_result_arg = -1;
    out->acquire_failure = FAILURE_NULL;
    out->acquire_field = NULL;
    out->acquires_per_request = false;
    out->chain = NULL;
    out->returns_param = -1;
    memset(out->maybe, 0, sizeof out->maybe);
    if (fn->n_blocks > 0) compute_acquire(&run, out);
    for (int p = 0; p < fn->n_params && p < fn->n_vars; p++) {
        out->params[p] = PARAM_BORROWS;
        out->param_res[p] = NULL;
        const IrVar *v = &fn->vars[p];
        if (fn->n_blocks == 0 || (!v->is_pointer && !v->is_record && !passed_to_a_call(fn, p))) continue;
        out->params[p] = param_effect(&run, p, &out->param_res[p]);
        if (out->returns_param < 0 && returns_param_itself(run.exit_mask)) out->returns_param = p;
        if (out->params[p] == PARAM_MAYBE_RELEASES && p < SUMMARY_MAYBE_PARAMS)
            out->maybe[p] = maybe_rule(&run, fn, p, run.exit_mask);
        if (out->params[p] == PARAM_BORROWS && v->is_pointer)
            out->params[p] = deref_param_effect(&m, fn, p, &out->param_res[p]);
    }
    flow_run_free(&run);
}

static bool summary_equal(const FunctionSummary *a, const FunctionSummary *b)
{
    if (a->acquires != b->acquires || a->acquire_result_arg != b->acquire_result_arg ||
        a->acquire_failure != b->acquire_failure || a->n_params != b->n_params ||
        a->returns_param != b->returns_param)
        return false;
    for (int i = 0; i < a->n_params; i++)
        if (a->params[i] != b->params[i] || a->param_res[i] != b->param_res[i]) return false;
    return memcmp(a->maybe, b->maybe, sizeof a->maybe) == 0;
}

/* ---- which summaries a summary reads -------------------------------------- */

/* For each function of the table, the table indices of every function its
 * direct calls may reach by name (every summary compute() can look up:
 * calls are matched by callee name only). */
typedef struct {
    VEC(int) *deps;
} DepGraph;

static void add_callee_deps(const StrMap *by_name, const IrFunction *fn, StrMap *seen, void *into)
{
    VEC(int) *deps = into;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrCall *c = blk->events[e].kind == EV_CALL ? &blk->events[e].u.call : NULL;
            if (!c || !c->callee || strmap_has(seen, c->callee)) continue;
            *strmap_slot(seen, c->callee) = (void *)1;
            const VEC(int) *same = strmap_get(by_name, c->callee);
            for (int k = 0; same && k < same->len; k++) VEC_PUSH(*deps, same->items[k]);
        }
    }
}

static DepGraph dep_graph_build(SummaryTable *t)
{
    int n = summary_table_count(t);
    StrMap by_name = {0};
    VEC(int) *lists = xcalloc((size_t)(n ? n : 1), sizeof *lists);
    for (int i = 0; i < n; i++) {
        void **slot = strmap_slot(&by_name, summary_table_function(t, i)->name);
        if (!*slot) *slot = &lists[i]; /* the first index of a name holds its list */
        VEC(int) *same = *slot;
        VEC_PUSH(*same, i);
    }
    DepGraph g = {xcalloc((size_t)(n ? n : 1), sizeof *g.deps)};
    for (int i = 0; i < n; i++) {
        StrMap seen = {0};
        add_callee_deps(&by_name, summary_table_function(t, i), &seen, &g.deps[i]);
        strmap_free(&seen);
    }
    for (int i = 0; i < n; i++) VEC_FREE(lists[i]);
    free(lists);
    strmap_free(&by_name);
    return g;
}

static void dep_graph_free(DepGraph *g, int n)
{
    for (int i = 0; i < n; i++) VEC_FREE(g->deps[i]);
    free(g->deps);
}

/* Has a summary function i reads changed since i was last computed? */
static bool inputs_changed(const DepGraph *g, int i, const long *changed_at, long computed_at)
{
    for (int k = 0; k < g->deps[i].len; k++)
        if (changed_at[g->deps[i].items[k]] > computed_at) return true;
    return false;
}

/* ---- one strongly connected component at a time ---------------------------- */

typedef VEC(int) IntVec;

/* Tarjan's algorithm without recursion (call chains can be deep): calls
 * `each` with every component, callees' components before their callers'. */
typedef struct {
    int *index, *low, *edge; /* edge: the next dependency to visit */
    bool *on_stack;
    IntVec stack, calls;
    int counter;
} Tarjan;

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void tarjan_from(Tarjan *tj, const DepGraph *g, int root, void (*each)(const int *, int, void *), void *data)
{
    VEC_PUSH(tj->calls, root);
    tj->index[root] = tj->low[root] = tj->counter++;
    VEC_PUSH(tj->stack, root);
    tj->on_stack[root] = true;
    while (tj->calls.len) {
        int v = tj->calls.items[tj->calls.len - 1];
        if (tj->edge[v] < g->deps[v].len) {
            int w = g->deps[v].items[tj->edge[v]++];
            if (tj->index[w] < 0) {
                tj->index[w] = tj->low[w] = tj->counter++;
                VEC_PUSH(tj->stack, w);
                tj->on_stack[w] = true;
                VEC_PUSH(tj->calls, w);
            } else if (tj->on_stack[w] && tj->index[w] < tj->low[v]) {
                tj->low[v] = tj->index[w];
            }
            continue;
        }
        tj->calls.len--;
        if (tj->calls.len) {
            int parent = tj->calls.items[tj->calls.len - 1];
            if (tj->low[v] < tj->low[parent]) tj->low[parent] = tj->low[v];
        }
        if (tj->low[v] != tj->index[v]) continue;
        int top = tj->stack.len;
        do {
            top--;
            tj->on_stack[tj->stack.items[top]] = false;
        } while (tj->stack.items[top] != v);
        int n = tj->stack.len - top;
        qsort(tj->stack.items + top, (size_t)n, sizeof(int), int_cmp); /* table order inside */
        each(tj->stack.items + top, n, data);
        tj->stack.len = top;
    }
}

static void each_component(const DepGraph *g, int n, void (*each)(const int *, int, void *), void *data)
{
    Tarjan tj = {0};
    size_t cap = (size_t)(n ? n : 1);
    tj.index = xmalloc(cap * sizeof(int));
    tj.low = xmalloc(cap * sizeof(int));
    tj.edge = xcalloc(cap, sizeof(int));
    tj.on_stack = xcalloc(cap, sizeof(bool));
    for (int i = 0; i < n; i++) tj.index[i] = -1;
    for (int i = 0; i < n; i++)
        if (tj.index[i] < 0) tarjan_from(&tj, g, i, each, data);
    VEC_FREE(tj.stack);
    VEC_FREE(tj.calls);
    free(tj.index);
    free(tj.low);
    free(tj.edge);
    free(tj.on_stack);
}

/* Shared by the threads that solve components (-j): each writes only the
 * entries of its own component; the clock and the counts are atomic, and
 * the hooks (the cache's state) are called under a lock. */
typedef struct {
    const PackSet *packs;
    SummaryTable *t;
    const DepGraph *g;
    const SummaryHooks *hooks;
    pthread_mutex_t hook_lock;
    long *changed_at, *computed_at;
    atomic_long clock;
    atomic_int computed, reused;
} Solver;

/* Recomputes entry i; true when its summary changed. */
static bool recompute(Solver *sv, int i)
{
    FunctionSummary *cur = summary_table_at(sv->t, i);
    FunctionSummary next = *cur;
    next.params = xcalloc((size_t)(cur->n_params + 1), sizeof(ParamEffect));
    next.param_res = xcalloc((size_t)(cur->n_params + 1), sizeof(Resource *));
    sv->computed_at[i] = atomic_fetch_add(&sv->clock, 1) + 1;
    compute(sv->packs, sv->t, summary_table_function(sv->t, i), &next);
    if (summary_equal(&next, cur)) {
        free(next.params);
        free(next.param_res);
        free(next.chain);
        return false;
    }
    free(cur->params);
    free(cur->param_res);
    free(cur->chain);
    /* the computed fields only: other threads' lookups read the names */
    cur->acquires = next.acquires;
    cur->acquire_result_arg = next.acquire_result_arg;
    cur->acquire_failure = next.acquire_failure;
    cur->acquire_field = next.acquire_field;
    cur->acquires_per_request = next.acquires_per_request;
    cur->chain = next.chain;
    cur->params = next.params;
    cur->param_res = next.param_res;
    cur->returns_param = next.returns_param;
    memcpy(cur->maybe, next.maybe, sizeof cur->maybe);
    sv->changed_at[i] = atomic_fetch_add(&sv->clock, 1) + 1;
    return true;
}

/* A component whose callees outside it are final: from empty summaries,
 * sweeps over its members in table order until nothing changes (a member
 * none of whose callees changed since it was computed is not computed
 * again: compute() reads nothing else). A function that calls nothing of
 * its own component is computed once. */
static void solve_component(const int *members, int n, void *data)
{
    Solver *sv = data;
    if (sv->hooks && sv->hooks->reuse) {
        pthread_mutex_lock(&sv->hook_lock);
        bool reused = sv->hooks->reuse(sv->hooks->ctx, sv->t, members, n);
        pthread_mutex_unlock(&sv->hook_lock);
        if (reused) {
            atomic_fetch_add(&sv->reused, n);
            return;
        }
    }
    bool recursive = n > 1;
    for (int k = 0; !recursive && k < sv->g->deps[members[0]].len; k++)
        recursive = sv->g->deps[members[0]].items[k] == members[0];
    for (int pass = 0; pass < (recursive ? SUMMARY_MAX_PASSES : 1); pass++) {
        bool changed = false;
        for (int k = 0; k < n; k++) {
            int i = members[k];
            if (pass > 0 && !inputs_changed(sv->g, i, sv->changed_at, sv->computed_at[i])) continue;
            atomic_fetch_add(&sv->computed, 1);
            if (recompute(sv, i)) changed = true;
        }
        if (!changed) break;
    }
    if (sv->hooks && sv->hooks->computed) {
        pthread_mutex_lock(&sv->hook_lock);
        sv->hooks->computed(sv->hooks->ctx, sv->t, members, n);
        pthread_mutex_unlock(&sv->hook_lock);
    }
}

/* ---- the components on -j threads ------------------------------------------ */

/* The components in the order each_component gives them (callees first),
 * and for each the components that call into it. */
typedef struct {
    IntVec members;      /* every component's members, one after the other */
    IntVec start, size;  /* component c: members.items[start[c]] .. size[c] of them */
    int *comp_of;        /* per table entry: its component */
    int **after;         /* per component: the components calling into it */
    int *n_after;
    int *waits;          /* per component: the components it calls into */
} Condensation;

static void collect_component(const int *members, int n, void *data)
{
    Condensation *c = data;
    for (int k = 0; k < n; k++) c->comp_of[members[k]] = c->start.len;
    VEC_PUSH(c->start, c->members.len);
    VEC_PUSH(c->size, n);
    for (int k = 0; k < n; k++) VEC_PUSH(c->members, members[k]);
}

static void condensation_build(Condensation *c, const DepGraph *g, int n)
{
    c->comp_of = xcalloc((size_t)(n ? n : 1), sizeof(int));
    each_component(g, n, collect_component, c);
    int nc = c->start.len;
    IntVec *after = xcalloc((size_t)(nc ? nc : 1), sizeof *after);
    int *last = xmalloc((size_t)(nc ? nc : 1) * sizeof(int)); /* the caller component last counted */
    c->waits = xcalloc((size_t)(nc ? nc : 1), sizeof(int));
    for (int k = 0; k < nc; k++) last[k] = -1;
    for (int cc = 0; cc < nc; cc++)
        for (int k = 0; k < c->size.items[cc]; k++) {
            int i = c->members.items[c->start.items[cc] + k];
            for (int d = 0; d < g->deps[i].len; d++) {
                int callee = c->comp_of[g->deps[i].items[d]];
                if (callee == cc || last[callee] == cc) continue;
                last[callee] = cc;
                c->waits[cc]++;
                VEC_PUSH(after[callee], cc);
            }
        }
    c->after = xcalloc((size_t)(nc ? nc : 1), sizeof(int *));
    c->n_after = xcalloc((size_t)(nc ? nc : 1), sizeof(int));
    for (int k = 0; k < nc; k++) {
        c->after[k] = after[k].items;
        c->n_after[k] = after[k].len;
    }
    free(after);
    free(last);
}

static void condensation_free(Condensation *c)
{
    for (int k = 0; k < c->start.len; k++) free(c->after[k]);
    free(c->after);
    free(c->n_after);
    free(c->waits);
    free(c->comp_of);
    VEC_FREE(c->members);
    VEC_FREE(c->start);
    VEC_FREE(c->size);
}

typedef struct {
    Solver *sv;
    const Condensation *c;
} ComponentJob;

static void solve_component_task(void *arg, int cc)
{
    const ComponentJob *job = arg;
    solve_component(job->c->members.items + job->c->start.items[cc], job->c->size.items[cc], job->sv);
}

/* Every component with a thread of its own once all the components it
 * calls into are solved (common/pool.c). A component reads only its own
 * members' summaries and final ones, so each is solved exactly as on one
 * thread (the same sweeps: the clock only orders a component's members
 * against what they read), and the table is that of -j1. */
static void solve_all(Solver *sv, const DepGraph *g, int n, int jobs)
{
    if (jobs < 2) {
        each_component(g, n, solve_component, sv);
        return;
    }
    Condensation c = {0};
    condensation_build(&c, g, n);
    ComponentJob job = {sv, &c};
    pool_run_dag(c.start.len, jobs, c.after, c.n_after, c.waits, solve_component_task, &job);
    condensation_free(&c);
}

/* The call graph's components, callees first: every summary a component
 * reads from outside it is final when it is solved, so a component's
 * summaries depend only on its own functions and those final summaries —
 * which is what lets a cache hand a component's summaries over when
 * neither changed (SummaryHooks), with the result of a run from scratch. */
SummaryTable *summaries_build_with(IrUnit **units, int n_units, const PackSet *packs, const SummaryHooks *hooks,
                                   int jobs, SummaryBuildStats *stats)
{
    SummaryTable *t = summary_table_new(units, n_units);
    int n = summary_table_count(t);
    DepGraph g = dep_graph_build(t);
    Solver sv = {.packs = packs, .t = t, .g = &g, .hooks = hooks};
    pthread_mutex_init(&sv.hook_lock, NULL);
    atomic_init(&sv.clock, 0);
    atomic_init(&sv.computed, 0);
    atomic_init(&sv.reused, 0);
    sv.changed_at = xcalloc((size_t)(n ? n : 1), sizeof(long));
    sv.computed_at = xcalloc((size_t)(n ? n : 1), sizeof(long));
    solve_all(&sv, &g, n, jobs);
    if (stats) {
        stats->computed = atomic_load(&sv.computed);
        stats->reused = atomic_load(&sv.reused);
    }
    pthread_mutex_destroy(&sv.hook_lock);
    dep_graph_free(&g, n);
    free(sv.changed_at);
    free(sv.computed_at);
    return t;
}

SummaryTable *summaries_build(IrUnit **units, int n_units, const PackSet *packs)
{
    return summaries_build_with(units, n_units, packs, NULL, 1, NULL);
}
