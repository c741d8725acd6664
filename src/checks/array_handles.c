/* array_handles.c — connection-leak for arrays of handles filled in a loop
 * (issue 12, form 11): `for (i = 0; i < n; i++) { bufs[i] = malloc(16);
 * if (!bufs[i]) return; }` leaks the elements acquired in the earlier
 * rounds at that return. The flow engine treats a store into an array
 * element as an escape; this pass looks at the array as a whole instead.
 *
 * An array is considered when it is a local array (not a pointer, not a
 * global or a member: those stay escaped) that is only ever named element
 * by element (`a[i]`, `*a`): an array passed whole, copied, returned, or
 * whose element is copied anywhere else (`x = a[i]`, `return a[i]`) is
 * not. A store of an acquire's value into an element inside a loop (its
 * block lies on a cycle) leaks at every return reachable from it such that
 * no block on any way between them releases (or hands over) an element of
 * the array. Precision first: any release of any element on the way
 * counts as releasing them all, whatever the bounds (a cleanup loop over
 * the same bounds, `while (i-- > 0) free(a[i]);`, a release of one
 * element); elements of a local array named only with constant indexes
 * are separate variables (parse_arrays.c) and the engine follows them. */
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "flow/match.h"
#include "common/util.h"

static bool is_local_array(const IrVar *v)
{
    return v->storage == VAR_LOCAL && !v->is_pointer && !v->is_record && v->type && strchr(v->type, '[');
}

static bool names_whole(const IrRef *r, int a)
{
    return r->var == a && (r->kind == REF_VAR || r->kind == REF_ADDR || r->kind == REF_FIELD ||
                           r->kind == REF_ADDR_FIELD);
}

static bool is_element(const IrRef *r, int a) { return r->kind == REF_DEREF && r->var == a; }

/* Is array a named only element by element, its elements never copied
 * anywhere but into calls and tests? */
static bool only_elements(const IrFunction *fn, int a)
{
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_BRANCH && (names_whole(&blk->cond.ref, a) || names_whole(&blk->cond.ref2, a)))
            return false;
        if (blk->term == TERM_SWITCH && names_whole(&blk->switch_on, a)) return false;
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_CALL:
                if (names_whole(&ev->u.call.base, a) || is_element(&ev->u.call.base, a)) return false;
                for (int i = 0; i < ev->u.call.nargs; i++)
                    if (names_whole(&ev->u.call.args[i], a)) return false;
                break;
            case EV_ASSIGN:
                if (names_whole(&ev->u.assign.rhs, a) || is_element(&ev->u.assign.rhs, a)) return false;
                if (names_whole(&ev->u.assign.lhs, a) && !ev->u.assign.is_init) return false;
                break;
            case EV_ASSIGN_COND:
                if (names_whole(&ev->u.assign_cond.lhs, a) || is_element(&ev->u.assign_cond.lhs, a)) return false;
                break;
            case EV_RETURN:
                if (names_whole(&ev->u.ret.value, a) || is_element(&ev->u.ret.value, a)) return false;
                break;
            default: break;
            }
        }
    }
    return true;
}

/* Does block b hand an element of array a to a call that releases or
 * takes it (for resource res)? */
static bool releases_element(const MatchContext *m, const IrBlock *blk, int a, const Resource *res)
{
    for (int e = 0; e < blk->n_events; e++) {
        const IrEvent *ev = &blk->events[e];
        if (ev->kind != EV_CALL) continue;
        for (int i = 0; i < ev->u.call.nargs; i++)
            if (is_element(&ev->u.call.args[i], a) && match_arg_effect(m, &ev->u.call, i, res) != ARG_BORROW)
                return true;
    }
    return false;
}

/* Marks every block reachable from `from` (forward) or reaching it
 * (backward: preds given). */
static void reach(const IrFunction *fn, int from, char *mark, int **preds, const int *n_preds)
{
    int *stack = xcalloc((size_t)fn->n_blocks + 1, sizeof(int));
    int sp = 0;
    stack[sp++] = from;
    while (sp) {
        int b = stack[--sp];
        int n = preds ? n_preds[b] : fn->blocks[b].n_succ;
        for (int k = 0; k < n; k++) {
            int s = preds ? preds[b][k] : fn->blocks[b].succ[k];
            if (s < 0 || s >= fn->n_blocks || mark[s]) continue;
            mark[s] = 1;
            stack[sp++] = s;
        }
    }
    free(stack);
}

static const IrCall *call_by_id(const IrFunction *fn, int id)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++)
            if (fn->blocks[b].events[e].kind == EV_CALL && fn->blocks[b].events[e].u.call.id == id)
                return &fn->blocks[b].events[e].u.call;
    return NULL;
}

static void report(const IrFunction *fn, const IrVar *arr, const IrCall *acq, const Resource *res,
                   const IrBlock *exit, FindingList *out)
{
    const IrEvent *ret = &exit->events[exit->n_events - 1];
    bool at_end = ret->u.ret.implicit;
    const char *desc = res && res->description && *res->description ? res->description : res ? res->id : "resource";
    const char *callee = acq->spelled ? acq->spelled : acq->callee ? acq->callee : "(indirect call)";
    const char *what = at_end ? "are not released at the end of the function"
                              : "are not released when the function returns here";
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = RULE_CONNECTION_LEAK;
    const RuleInfo *ri = rule_info_find(RULE_CONNECTION_LEAK);
    f.level = ri ? ri->default_level : LEVEL_ERROR;
    f.function = xstrdup(fn->name);
    f.message = xasprintf("the elements of '%s' (%s) acquired at line %d in a loop %s", arr->name, desc,
                          acq->loc.line, what);
    f.message_markdown = xasprintf("the elements of '%s' (%s) acquired at [line %d](1) in a loop %s", arr->name,
                                   desc, acq->loc.line, what);
    IrLoc l = ret->loc;
    f.loc = findingloc_make(fn->file, l.line, l.col, l.end_line, l.end_col, NULL);
    char *acq_msg = xasprintf("'%s' elements acquired here", arr->name);
    f.related = xcalloc(1, sizeof(FindingLoc));
    f.related[0] = findingloc_make(fn->file, acq->loc.line, acq->loc.col, acq->loc.end_line, acq->loc.end_col, acq_msg);
    f.n_related = 1;
    f.path = xcalloc(2, sizeof(FindingLoc));
    f.path[0] = findingloc_make(fn->file, acq->loc.line, acq->loc.col, acq->loc.end_line, acq->loc.end_col, acq_msg);
    f.path[1] = findingloc_make(fn->file, l.line, l.col, l.end_line, l.end_col,
                                at_end ? "leaving the function here" : "returning here");
    f.n_path = 2;
    free(acq_msg);
    f.identity = xasprintf("%s:%s:%s[]:%s:%s", RULE_CONNECTION_LEAK, fn->name, arr->name, callee,
                           at_end ? "end" : "return");
    findings_add(out, &f);
}

void check_array_handles(const CheckContext *ctx, const IrFunction *fn, FindingList *out)
{
    if (!fn || fn->truncated || fn->has_errors || fn->n_blocks == 0 || !ctx || !ctx->packs) return;
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    int n = fn->n_blocks;
    int **preds = NULL, *n_preds = NULL;
    char *fwd = xcalloc((size_t)n, 1), *back = xcalloc((size_t)n, 1), *reported = xcalloc((size_t)n, 1);
    for (int a = 0; a < fn->n_vars; a++) {
        if (!is_local_array(&fn->vars[a]) || !only_elements(fn, a)) continue;
        memset(reported, 0, (size_t)n);
        for (int b = 0; b < n; b++) {
            const IrBlock *blk = &fn->blocks[b];
            for (int e = 0; e < blk->n_events; e++) {
                const IrEvent *ev = &blk->events[e];
                if (ev->kind != EV_ASSIGN || !is_element(&ev->u.assign.lhs, a) || ev->u.assign.rhs.kind != REF_CALL)
                    continue;
                const IrCall *acq = call_by_id(fn, ev->u.assign.rhs.call);
                AcquireMatch am;
                if (!acq || !match_acquire(&m, acq, &am) || am.result_arg >= 0) continue;
                memset(fwd, 0, (size_t)n);
                reach(fn, b, fwd, NULL, NULL);
                if (!fwd[b]) continue; /* not in a loop: one element, no earlier rounds */
                if (!preds) { /* predecessors, built once */
                    preds = xcalloc((size_t)n, sizeof(int *));
                    n_preds = xcalloc((size_t)n, sizeof(int));
                    for (int p = 0; p < n; p++)
                        for (int k = 0; k < fn->blocks[p].n_succ; k++) {
                            int s = fn->blocks[p].succ[k];
                            if (s < 0 || s >= n) continue;
                            preds[s] = realloc(preds[s], sizeof(int) * (size_t)(n_preds[s] + 1));
                            preds[s][n_preds[s]++] = p;
                        }
                }
                for (int r = 0; r < n; r++) {
                    if (!fwd[r] || reported[r] || fn->blocks[r].term != TERM_RETURN || fn->blocks[r].n_events == 0)
                        continue;
                    memset(back, 0, (size_t)n);
                    back[r] = 1;
                    reach(fn, r, back, preds, n_preds);
                    bool released = false;
                    for (int k = 0; k < n && !released; k++)
                        if ((k == r || k == b || (fwd[k] && back[k])) &&
                            releases_element(&m, &fn->blocks[k], a, am.res))
                            released = true;
                    if (released) continue;
                    reported[r] = 1;
                    report(fn, &fn->vars[a], acq, am.res, &fn->blocks[r], out);
                }
            }
        }
    }
    for (int p = 0; preds && p < n; p++) free(preds[p]);
    free(preds);
    free(n_preds);
    free(fwd);
    free(back);
    free(reported);
}
