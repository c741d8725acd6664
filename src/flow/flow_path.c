/* flow_path.c — rebuilds the path shown with a resource-flow finding from
 * the provenance the dataflow recorded (each tuple remembers the
 * predecessor tuple it first came from): the acquire, each branch decision
 * that was not forced, and the exit. No path enumeration. Also the names of
 * places for messages. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"
#include "flow/summary_table.h"

IrLoc flow_event_loc(const IrFunction *fn, int block, int event)
{
    const IrBlock *blk = &fn->blocks[block];
    if (event < 0 || event >= blk->n_events) return blk->term_loc;
    const IrEvent *ev = &blk->events[event];
    if (ev->kind == EV_CALL && ev->u.call.loc.line > 0) return ev->u.call.loc;
    return ev->loc;
}

char *flow_place_name(const IrFunction *fn, const Place *p)
{
    if (p->kind == PLACE_VAR && p->var >= 0 && p->var < fn->n_vars) return xstrdup(fn->vars[p->var].name);
    if (p->kind == PLACE_FIELD && p->var >= 0 && p->var < fn->n_vars)
        return xasprintf("%s.%s", fn->vars[p->var].name, p->field ? p->field : "?");
    if (p->kind == PLACE_DEREF && p->var >= 0 && p->var < fn->n_vars) return xasprintf("*%s", fn->vars[p->var].name);
    return xstrdup("the handle");
}

static FindingLoc loc_step(const IrFunction *fn, IrLoc l, const char *message)
{
    return findingloc_make(fn->file, l.line, l.col, l.end_line, l.end_col, message);
}

static char *case_label(const IrBlock *blk, int target)
{
    for (int i = 0; i < blk->n_cases; i++) {
        if (blk->cases[i].target != target) continue;
        if (blk->cases[i].lo == blk->cases[i].hi) return xasprintf("taking 'case %lld'", blk->cases[i].lo);
        return xasprintf("taking 'case %lld ... %lld'", blk->cases[i].lo, blk->cases[i].hi);
    }
    return xstrdup("taking 'default'");
}

#define LOOP_SEARCH_BUDGET 512

/* Can `target` be reached from `from` (a bounded forward search)? */
static bool reaches(FlowRun *run, int from, int target)
{
    int queue[LOOP_SEARCH_BUDGET];
    int qn = 0, qi = 0;
    run->visit_gen++;
    queue[qn++] = from;
    while (qi < qn) {
        int b = queue[qi++];
        if (b == target) return true;
        if (b < 0 || b >= run->fn->n_blocks || run->visit_mark[b] == run->visit_gen) continue;
        run->visit_mark[b] = run->visit_gen;
        const IrBlock *blk = &run->fn->blocks[b];
        for (int k = 0; k < blk->n_succ; k++) {
            if (qn >= LOOP_SEARCH_BUDGET) return false;
            queue[qn++] = blk->succ[k];
        }
    }
    return false;
}

/* A branch one of whose ways comes back to it and the other does not is a
 * loop test: "entering the loop" / "leaving the loop". */
static const char *loop_text(FlowRun *run, int b, int si)
{
    const IrBlock *blk = &run->fn->blocks[b];
    if (blk->term != TERM_BRANCH || blk->n_succ != 2 || blk->succ[0] == blk->succ[1]) return NULL;
    if (!run->back_target[b]) return NULL; /* not a loop head: an if inside the loop */
    bool back0 = reaches(run, blk->succ[0], b), back1 = reaches(run, blk->succ[1], b);
    if (back0 == back1) return NULL;
    bool stays = si == 0 ? back0 : back1;
    return stays ? "entering the loop" : "leaving the loop";
}

/* The message of the step "from block p along succ[si]". */
static char *branch_text(FlowRun *run, int b, int si)
{
    const IrBlock *blk = &run->fn->blocks[b];
    if (blk->term == TERM_SWITCH) return case_label(blk, blk->succ[si]);
    const char *loop = loop_text(run, b, si);
    if (loop) return xstrdup(loop);
    if (blk->term == TERM_BRANCH) {
        if (blk->cond_text && si == 0) return xasprintf("taking the branch where '%s'", blk->cond_text);
        if (blk->cond_text) return xasprintf("taking the branch where '%s' is false", blk->cond_text);
        return xstrdup(si == 0 ? "taking the true branch" : "taking the false branch");
    }
    return xstrdup("taking this way");
}

typedef struct {
    int block;          /* the branching block */
    int succ;           /* index of the successor taken */
    const Tuple *t;     /* the tuple at the branching block */
} Hop;

#define DETOUR_BUDGET 16

/* Does block b do anything to the handle held as in t (or leave the function)? */
static bool block_touches(const FlowRun *run, const Tuple *t, int b)
{
    const IrBlock *blk = &run->fn->blocks[b];
    if (blk->term == TERM_RETURN || blk->term == TERM_NORETURN) return true;
    for (int e = 0; e < blk->n_events; e++) {
        const IrEvent *ev = &blk->events[e];
        switch (ev->kind) {
        case EV_CALL: {
            const IrCall *c = &ev->u.call;
            if (b == run->site_block && e == run->site_event) return true;
            if (flow_ref_holder(run, t, &c->base) >= 0 && match_field_release(run->m, c, run->acq.res))
                return true;
            for (int i = 0; i < c->nargs; i++) {
                /* borrowing calls do not change the handle; the rest do */
                if (flow_ref_holder(run, t, &c->args[i]) < 0) continue;
                if (c->args[i].kind == REF_CALL || match_arg_effect(run->m, c, i, run->acq.res) != ARG_BORROW)
                    return true;
            }
            break;
        }
        case EV_ASSIGN:
            if (flow_ref_touches(run, t, &ev->u.assign.lhs) || flow_ref_touches(run, t, &ev->u.assign.rhs))
                return true;
            break;
        case EV_SCOPE_END: return true;
        default: break;
        }
    }
    return false;
}

/* The acquire block's own test of what it just acquired (`if (c)` right
 * after `c = PQconnectdb()`): the IN tuple does not hold it yet. */
static bool tests_fresh_handle(const FlowRun *run, const IrBlock *p)
{
    if (!p->cond.known) return false;
    const IrRef *r = &p->cond.ref;
    if (r->kind == REF_CALL) return r->call == run->site_call->id;
    for (int e = run->site_event + 1; e < p->n_events; e++) {
        const IrEvent *ev = &p->events[e];
        if (ev->kind == EV_ASSIGN && ev->u.assign.rhs.kind == REF_CALL &&
            ev->u.assign.rhs.call == run->site_call->id && ir_ref_equal(&ev->u.assign.lhs, r))
            return true;
    }
    if (run->acq.result_arg >= 0 && run->acq.result_arg < run->site_call->nargs) {
        const IrRef *a = &run->site_call->args[run->acq.result_arg];
        if ((a->kind == REF_ADDR && r->kind == REF_VAR) || (a->kind == REF_ADDR_FIELD && r->kind == REF_FIELD)) {
            IrRef v = *a;
            v.kind = r->kind;
            return ir_ref_equal(&v, r);
        }
    }
    return false;
}

/* A decision is worth showing unless the other way is a short detour that
 * rejoins the path later without touching the handle (if/else bodies that
 * only do other work). */
static bool decision_matters(const FlowRun *run, const Hop *h, const int *pos, int here)
{
    const IrBlock *p = &run->fn->blocks[h->block];
    int taken = p->succ[h->succ];
    if (p->term == TERM_BRANCH && h->block == run->site_block && tests_fresh_handle(run, p)) return true;
    if (p->term == TERM_BRANCH) {
        /* a test that decides the handle's state (failed or not) matters */
        Tuple yes = *h->t, no = *h->t;
        bool can_yes = flow_apply_cond(run, &yes, &p->cond, true);
        bool can_no = flow_apply_cond(run, &no, &p->cond, false);
        if (can_yes != can_no || yes.hs != no.hs) return true;
    }
    for (int s = 0; s < p->n_succ; s++) {
        int o = p->succ[s];
        if (o == taken) continue;
        int queue[DETOUR_BUDGET];
        int qn = 0, qi = 0;
        bool rejoined = false, touched = false;
        queue[qn++] = o;
        while (qi < qn && !touched) {
            int b = queue[qi++];
            if (b < 0 || b >= run->fn->n_blocks) continue;
            if (pos[b] > here) {
                rejoined = true;
                continue;
            }
            if (block_touches(run, h->t, b)) {
                touched = true;
                break;
            }
            const IrBlock *blk = &run->fn->blocks[b];
            for (int k = 0; k < blk->n_succ; k++) {
                if (qn >= DETOUR_BUDGET) {
                    touched = true; /* too long to tell: keep the step */
                    break;
                }
                queue[qn++] = blk->succ[k];
            }
        }
        if (touched || !rejoined) return true;
    }
    return false;
}

/* The step at a conditional release helper that kept the handle:
 * "close_if() releases 'c' only when its parameter 'flag' is not 0 (here
 * 'more' may be 0)". */
static char *kept_text(const FlowRun *run, const FlowReport *r, const char *handle)
{
    const IrBlock *blk = &run->fn->blocks[r->kept_block];
    if (r->kept_event < 0 || r->kept_event >= blk->n_events || blk->events[r->kept_event].kind != EV_CALL)
        return NULL;
    const IrCall *c = &blk->events[r->kept_event].u.call;
    const FunctionSummary *s = run->m->summaries && c->callee
                                   ? summary_lookup(run->m->summaries, c->callee, run->m->caller_file)
                                   : NULL;
    int i = -1;
    MaybeRule rule = {MAYBE_BY_NOTHING, -1, MAYBE_BY_NOTHING};
    for (int k = 0; s && k < c->nargs && k < SUMMARY_MAYBE_PARAMS && i < 0; k++)
        if (s->maybe[k].by == MAYBE_WHEN_PARAM_ZERO || s->maybe[k].by == MAYBE_WHEN_PARAM_NONZERO) {
            rule = s->maybe[k];
            i = k;
        }
    if (i < 0 || rule.param < 0) return NULL;
    bool zero = rule.by == MAYBE_WHEN_PARAM_ZERO;
    const char *pname = summary_param_name(s, rule.param);
    char *pq = pname ? xasprintf("its parameter '%s'", pname) : xasprintf("its argument %d", rule.param + 1);
    char *arg = NULL;
    if (rule.param < c->nargs) {
        const IrRef *a = &c->args[rule.param];
        Place ap;
        if (a->kind != REF_CALL && place_from_ref(run->fn, a, &ap)) {
            char *n = flow_place_name(run->fn, &ap);
            arg = xasprintf("'%s'", n);
            free(n);
        }
    }
    const char *callee = c->spelled ? c->spelled : c->callee;
    char *text = xasprintf("%s() releases '%s' only when %s is %s; %s may be %s here, and then '%s' is kept",
                           callee, handle, pq, zero ? "0" : "not 0", arg ? arg : "the argument passed",
                           zero ? "non-zero" : "0", handle);
    free(pq);
    free(arg);
    return text;
}

#define FLOW_PATH_MAX_DECISIONS 32
/* A path longer than this many hops is walked back only this far: its
 * decisions nearest the exit are shown and the earlier ones counted (from
 * the memo below), so N findings on paths of length up to N cost O(N), not
 * O(N^2) (one handle with 20,000 early returns). Shorter paths, which is
 * every path of real code seen so far, are shown whole as before. */
#define FLOW_PATH_WALK_LIMIT 1024

/* Per block, for each IN tuple of the current run: how many hops lead back
 * from it to the acquire, and how many of them are branch decisions
 * (-1: not computed yet). Computed once per tuple and run. */
struct PathMemo {
    int gen;
    int cap;
    int *hops;
    int *branches;
};

void flow_path_memo_free(FlowRun *run)
{
    if (!run->path_memo) return;
    for (int b = 0; b < run->fn->n_blocks; b++) {
        free(run->path_memo[b].hops);
        free(run->path_memo[b].branches);
    }
    free(run->path_memo);
    run->path_memo = NULL;
}

static struct PathMemo *memo_at(FlowRun *run, int b)
{
    if (!run->path_memo) {
        run->path_memo = xcalloc((size_t)(run->fn->n_blocks > 0 ? run->fn->n_blocks : 1), sizeof(struct PathMemo));
        for (int i = 0; i < run->fn->n_blocks; i++) run->path_memo[i].gen = run->path_gen - 1;
    }
    struct PathMemo *m = &run->path_memo[b];
    int len = run->in[b].len;
    if (m->gen != run->path_gen || m->cap < len) {
        if (m->cap < len) {
            m->cap = len;
            m->hops = xrealloc(m->hops, (size_t)len * sizeof(int));
            m->branches = xrealloc(m->branches, (size_t)len * sizeof(int));
        }
        for (int i = 0; i < m->cap; i++) m->hops[i] = m->branches[i] = -1;
        m->gen = run->path_gen;
    }
    return m;
}

/* Is (b, k) where the walk back stops (the acquire's block, the start, a
 * broken link)? */
static bool walk_ends(const FlowRun *run, int b, int k)
{
    if (b < 0 || b == run->site_block) return true;
    if (k < 0 || k >= run->in[b].len) return true;
    return run->in[b].items[k].pred_block < 0;
}

/* Hops and branch hops from IN tuple k of block b back to where the walk
 * stops, memoised: each tuple is computed once per run, so all the findings
 * of a run cost the number of tuples, not the sum of their path lengths. */
static void path_depth(FlowRun *run, int b, int k, int *hops, int *branches)
{
    VEC(int) stack = {0}; /* pairs (block, tuple) not yet known */
    int cb = b, ck = k, base_h = 0, base_br = 0;
    for (int guard = 0; guard <= 4 * run->fn->n_blocks + 4 * FLOW_PATH_WALK_LIMIT; guard++) {
        if (walk_ends(run, cb, ck)) break;
        struct PathMemo *m = memo_at(run, cb);
        if (m->hops[ck] >= 0) {
            base_h = m->hops[ck];
            base_br = m->branches[ck];
            break;
        }
        VEC_PUSH(stack, cb);
        VEC_PUSH(stack, ck);
        const Tuple *t = &run->in[cb].items[ck];
        cb = t->pred_block;
        ck = t->pred_tuple;
    }
    for (int i = stack.len - 2; i >= 0; i -= 2) {
        int sb = stack.items[i], sk = stack.items[i + 1];
        const Tuple *t = &run->in[sb].items[sk];
        base_h += 1;
        base_br += t->pred_choice ? 1 : 0;
        struct PathMemo *m = memo_at(run, sb);
        m->hops[sk] = base_h;
        m->branches[sk] = base_br;
    }
    VEC_FREE(stack);
    *hops = base_h;
    *branches = base_br;
}

FindingLoc *flow_path_build(const FlowRun *run, const FlowReport *r, const char *handle,
                            const char *exit_text, int *n_out)
{
    const IrFunction *fn = run->fn;
    VEC(Hop) hops = {0}; /* from the report back to the acquire */
    VEC(int) blocks = {0};
    int b = r->block, k = r->in_tuple;
    int total_hops = 0, total_branches = 0;
    path_depth((FlowRun *)run, b, k, &total_hops, &total_branches); /* memo only */
    bool long_path = total_hops > FLOW_PATH_WALK_LIMIT;
    VEC_PUSH(blocks, b);
    for (int guard = 0; guard <= fn->n_blocks && b >= 0 && b != run->site_block; guard++) {
        if (long_path && hops.len >= FLOW_PATH_WALK_LIMIT) break;
        if (k < 0 || k >= run->in[b].len) break;
        const Tuple *t = &run->in[b].items[k];
        if (t->pred_block < 0) break;
        const Tuple *pt = &run->in[t->pred_block].items[t->pred_tuple];
        if (t->pred_choice) {
            Hop h = {t->pred_block, t->pred_succ, pt};
            VEC_PUSH(hops, h);
        } else {
            Hop h = {t->pred_block, -1, pt};
            VEC_PUSH(hops, h);
        }
        b = t->pred_block;
        k = t->pred_tuple;
        VEC_PUSH(blocks, b);
    }
    /* pos[block] = its position on the path, counted from the acquire (the
     * run's scratch, all -1 off the path: reset below, block by block, so a
     * finding costs the length of its path, not the size of the function) */
    int *pos = run->path_pos;
    for (int i = blocks.len - 1; i >= 0; i--) pos[blocks.items[i]] = blocks.len - 1 - i;

    VEC(FindingLoc) steps = {0};
    char *acq = xasprintf("'%s' acquired here", handle);
    VEC_PUSH(steps, loc_step(fn, run->site_call->loc, acq));
    free(acq);
    /* At most FLOW_PATH_MAX_DECISIONS branch steps per finding: the first
     * half after the acquire and the last half before the exit, with one
     * step saying how many were left out. A handle with 2,000 early
     * returns gave each of its 2,000 findings up to 2,000 notes (O(N^2)
     * output, each decision costing a search): the cap keeps both linear. */
    int front[FLOW_PATH_MAX_DECISIONS / 2], back[FLOW_PATH_MAX_DECISIONS / 2];
    int n_front = 0, n_back = 0, first = hops.len - 1, last = 0;
    /* a long path shows only decisions near its exit: those before the
     * window walked back are counted, not examined */
    int unwalked = 0;
    if (long_path) {
        int walked_branches = 0;
        for (int i = 0; i < hops.len; i++) walked_branches += hops.items[i].succ >= 0;
        unwalked = total_branches - walked_branches;
        if (unwalked < 0) unwalked = 0;
    }
    for (; !long_path && first >= 0 && n_front < FLOW_PATH_MAX_DECISIONS / 2; first--) {
        const Hop *h = &hops.items[first];
        if (h->succ >= 0 && decision_matters(run, h, pos, blocks.len - 1 - (first + 1))) front[n_front++] = first;
    }
    for (; last <= first && n_back < FLOW_PATH_MAX_DECISIONS / 2; last++) {
        const Hop *h = &hops.items[last];
        if (h->succ >= 0 && decision_matters(run, h, pos, blocks.len - 1 - (last + 1))) back[n_back++] = last;
    }
    int skipped = 0, skipped_at = -1; /* branch hops between front and back, not examined */
    /* the conditional release helper that kept it, in its place on the path */
    char *kept = r->kept_block >= 0 && r->kept_block < fn->n_blocks ? kept_text(run, r, handle) : NULL;
    int kept_pos = kept ? pos[r->kept_block] : -1;
    for (int i = first; i >= last; i--)
        if (hops.items[i].succ >= 0) {
            skipped++;
            if (skipped_at < 0) skipped_at = i;
        }
    skipped += unwalked;
    for (int n = 0; n < n_front + 1 + n_back; n++) {
        if (n == n_front) {
            if (!skipped) continue;
            IrLoc at = skipped_at >= 0 ? fn->blocks[hops.items[skipped_at].block].term_loc : run->site_call->loc;
            char *text = xasprintf("... up to %d more branch decision%s not shown", skipped, skipped == 1 ? "" : "s");
            VEC_PUSH(steps, loc_step(fn, at, text));
            free(text);
            continue;
        }
        const Hop *h = &hops.items[n < n_front ? front[n] : back[n_back - 1 - (n - n_front - 1)]];
        const IrBlock *p = &fn->blocks[h->block];
        if (kept && kept_pos >= 0 && pos[h->block] >= kept_pos) {
            VEC_PUSH(steps, loc_step(fn, flow_event_loc(fn, r->kept_block, r->kept_event), kept));
            free(kept);
            kept = NULL;
        }
        char *text = branch_text((FlowRun *)run, h->block, h->succ); /* scratch marks only */
        VEC_PUSH(steps, loc_step(fn, p->term_loc, text));
        free(text);
    }
    if (kept) {
        VEC_PUSH(steps, loc_step(fn, flow_event_loc(fn, r->kept_block, r->kept_event), kept));
        free(kept);
    }
    IrLoc exit_loc = flow_event_loc(fn, r->block, r->event);
    VEC_PUSH(steps, loc_step(fn, exit_loc, exit_text));
    for (int i = 0; i < blocks.len; i++) pos[blocks.items[i]] = -1;
    VEC_FREE(hops);
    VEC_FREE(blocks);
    *n_out = steps.len;
    return steps.items;
}
