/* flow_path.c — rebuilds the path shown with a resource-flow finding from
 * the provenance the dataflow recorded (each tuple remembers the
 * predecessor tuple it first came from): the acquire, each branch decision
 * that was not forced, and the exit. No path enumeration. Also the names of
 * places for messages. */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "util.h"

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

/* The message of the step "from block p along succ[si]". */
static char *branch_text(const IrBlock *blk, int si)
{
    if (blk->term == TERM_SWITCH) return case_label(blk, blk->succ[si]);
    if (blk->term == TERM_BRANCH) {
        if (blk->cond_text && si == 0) return xasprintf("taking the branch where '%s'", blk->cond_text);
        if (blk->cond_text) return xasprintf("taking the branch where '%s' is false", blk->cond_text);
        return xstrdup(si == 0 ? "taking the true branch" : "taking the false branch");
    }
    return xstrdup("taking this way");
}

FindingLoc *flow_path_build(const FlowRun *run, const FlowReport *r, const char *handle,
                            const char *exit_text, int *n_out)
{
    const IrFunction *fn = run->fn;
    VEC(FindingLoc) back = {0};
    int b = r->block, k = r->in_tuple;
    for (int guard = 0; guard <= fn->n_blocks && b >= 0 && b != run->site_block; guard++) {
        if (k < 0 || k >= run->in[b].len) break;
        const Tuple *t = &run->in[b].items[k];
        if (t->pred_block < 0) break;
        if (t->pred_choice) {
            const IrBlock *p = &fn->blocks[t->pred_block];
            char *text = branch_text(p, t->pred_succ);
            VEC_PUSH(back, loc_step(fn, p->term_loc, text));
            free(text);
        }
        b = t->pred_block;
        k = t->pred_tuple;
    }
    int n = back.len + 2;
    FindingLoc *steps = xcalloc((size_t)n, sizeof(FindingLoc));
    char *acq = xasprintf("'%s' acquired here", handle);
    steps[0] = loc_step(fn, run->site_call->loc, acq);
    free(acq);
    for (int i = 0; i < back.len; i++) steps[1 + i] = back.items[back.len - 1 - i];
    IrLoc exit_loc = flow_event_loc(fn, r->block, r->event);
    steps[n - 1] = loc_step(fn, exit_loc, exit_text);
    VEC_FREE(back);
    *n_out = n;
    return steps;
}
