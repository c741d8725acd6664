/* flow_reporting.c — the reporting pass of the resource-flow engine: what
 * is a finding. It reads the notes the transfer functions left for one
 * block of the final pass (what happened to which tuple, and where) and
 * turns them into the run's reports (a site run's leaks, double releases
 * and uses after release, once per kind and place) and into the exit
 * summary bits that the summaries read (every run). A tuple marked quiet
 * is never reported. It changes no tuple, runs no event and walks no CFG;
 * messages are resource_flow.c's. */
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

/* ---- what the exits tell the summaries ---------------------------------- */

/* `return NULL;`, or the return of a value known to be NULL on this path. */
static bool returns_null(const FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    if (blk->n_events == 0) return false;
    const IrEvent *ev = &blk->events[blk->n_events - 1];
    if (ev->kind != EV_RETURN) return false;
    const IrRef *v = &ev->u.ret.value;
    if (v->kind == REF_CONST) return v->value == 0;
    Place p;
    if (!flow_place_of(run, v, &p)) return false;
    const Fact *f = tuple_fact(t, &p);
    return f && f->kind == FACT_EQ && f->value == 0;
}

/* 0: returns constant 0, 1: a non-zero constant, 2: anything else */
static int return_class(const IrBlock *blk)
{
    if (blk->n_events == 0) return 2;
    const IrEvent *ev = &blk->events[blk->n_events - 1];
    if (ev->kind != EV_RETURN || ev->u.ret.value.kind != REF_CONST) return 2;
    return ev->u.ret.value.value == 0 ? 0 : 1;
}

static void add_return_class_bits(FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    static const unsigned out_bits[] = {EXIT_OUT_RET_ZERO, EXIT_OUT_RET_NONZERO, EXIT_OUT_RET_OTHER};
    static const unsigned none_bits[] = {EXIT_NONE_RET_ZERO, EXIT_NONE_RET_NONZERO, EXIT_NONE_RET_OTHER};
    int c = return_class(blk);
    if (t->hs == HS_ESCAPED && t->esc == ESC_OUTPARAM) run->exit_mask |= out_bits[c];
    else if (t->hs == HS_FAILED || t->hs == HS_NONE || t->hs == HS_RELEASED) run->exit_mask |= none_bits[c];
    if (t->hs == HS_ESCAPED && (t->esc == ESC_STORE || t->esc == ESC_TRANSFER))
        run->exit_mask |= c == 0 ? EXIT_STORED_RET_ZERO : EXIT_STORED_RET_OTHER;
    if ((t->hs == HS_HELD || t->hs == HS_MAYBE) && c != 1) run->exit_mask |= EXIT_HELD_RET_NOT_NONZERO;
    static const unsigned rel_bits[] = {EXIT_REL_RET_ZERO, EXIT_REL_RET_NONZERO, EXIT_REL_RET_OTHER};
    static const unsigned kept_bits[] = {EXIT_KEPT_RET_ZERO, EXIT_KEPT_RET_NONZERO, EXIT_KEPT_RET_OTHER};
    if (t->hs == HS_RELEASED) run->exit_mask |= rel_bits[c];
    if (t->hs == HS_HELD || t->hs == HS_MAYBE) run->exit_mask |= kept_bits[c];
}

static void add_exit_bits(FlowRun *run, const Tuple *t, const IrBlock *blk)
{
    bool null_ret = returns_null(run, t, blk);
    add_return_class_bits(run, t, blk);
    if ((t->hs == HS_HELD || t->hs == HS_MAYBE) && !null_ret) run->exit_mask |= EXIT_HELD_VALUE_RET;
    if (t->hs == HS_ESCAPED && t->esc == ESC_STORE && t->store_var >= 0 && null_ret)
        run->exit_mask |= EXIT_STORED_LOCAL_NULL_RET;
    else if (t->hs == HS_ESCAPED && (t->esc == ESC_STORE || t->esc == ESC_TRANSFER) && null_ret)
        run->exit_mask |= EXIT_STORED_NULL_RET;
    switch (t->hs) {
    case HS_HELD:
    case HS_MAYBE: run->exit_mask |= t->quiet ? EXIT_QUIET : EXIT_HELD; break;
    case HS_RELEASED: run->exit_mask |= EXIT_RELEASED; break;
    case HS_NONE:
    case HS_FAILED: run->exit_mask |= EXIT_NOTHING; break;
    case HS_ESCAPED:
        switch (t->esc) {
        case ESC_RETURN: run->exit_mask |= EXIT_ESC_RETURN; break;
        case ESC_OUTPARAM:
            run->exit_mask |= EXIT_ESC_OUT;
            if (run->esc_param == -1) run->esc_param = t->esc_param;
            else if (run->esc_param != t->esc_param) run->esc_param = -2;
            break;
        case ESC_STORE: run->exit_mask |= EXIT_ESC_STORE; break;
        case ESC_TRANSFER: run->exit_mask |= EXIT_ESC_TRANSFER; break;
        default: run->exit_mask |= EXIT_ESC_UNKNOWN; break;
        }
        break;
    }
}

/* ---- findings ----------------------------------------------------------- */

/* Still this function's to release, and not marked to be kept silent. */
static bool loud_live(const Tuple *t) { return flow_is_live(t) && !t->quiet; }

static bool loud_released(const Tuple *t) { return t->hs == HS_RELEASED && !t->quiet; }

/* Records a report of note n, once per kind and place; summaries' runs
 * (one parameter) report nothing. The notes handed over are all of one
 * block, so only the reports recorded since this block's notes began can
 * repeat one (scanning them all made a handle with N early returns cost
 * O(N^2)). */
static void record(FlowRun *run, ReportKind kind, const FlowNote *n, const Place *holder)
{
    if (run->param_var >= 0) return;
    for (int i = run->block_reports; i < run->reports.len; i++) {
        const FlowReport *r = &run->reports.items[i];
        if (r->kind == kind && r->block == n->block && r->event == n->event) return;
    }
    FlowReport r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.block = n->block;
    r.event = n->event;
    r.in_tuple = n->in_tuple;
    if (holder) {
        r.holder = *holder;
        r.has_holder = true;
    }
    r.rel_block = n->t.rel_block;
    r.rel_event = n->t.rel_event;
    r.kept_block = n->t.kept_block;
    r.kept_event = n->t.kept_event;
    r.lost_block = n->t.lost_block;
    r.lost_event = n->t.lost_event;
    VEC_PUSH(run->reports, r);
}

static const Place *note_holder(const FlowNote *n) { return n->has_holder ? &n->holder : NULL; }

/* What the exit tells the summaries; then, with a live handle, a leak at
 * the return (or the closing brace), named by its first named holder; a
 * handle nothing but a call's unstored value holds was thrown away. */
static void report_exit(FlowRun *run, const FlowNote *n)
{
    const Tuple *t = &n->t;
    const IrBlock *blk = &run->fn->blocks[n->block];
    if (t->lost_block >= 0) {
        /* the failure way of `p = realloc(p, n)` (flow_transfer.c): one
         * report per call, whichever exits that way reaches; the exits
         * of the way the call succeeded tell the summaries */
        if (!loud_live(t)) return;
        for (int i = 0; i < run->reports.len; i++) {
            const FlowReport *r = &run->reports.items[i];
            if (r->kind == REP_LEAK_REPLACE_FAILED && r->lost_block == t->lost_block &&
                r->lost_event == t->lost_event)
                return;
        }
        record(run, REP_LEAK_REPLACE_FAILED, n, &t->lost_place);
        return;
    }
    add_exit_bits(run, t, blk);
    if (!loud_live(t)) return;
    int last = n->event;
    bool only_temp = true;
    for (int i = 0; i < t->n_holders; i++)
        if (t->holders[i].kind != PLACE_CALL) only_temp = false;
    if (only_temp && run->site_block >= 0) {
        record(run, REP_LEAK_DISCARD, n, NULL);
        return;
    }
    bool implicit = last >= 0 && blk->events[last].kind == EV_RETURN && blk->events[last].u.ret.implicit;
    record(run, implicit ? REP_LEAK_END : REP_LEAK_RETURN, n, flow_first_named_holder(t));
}

static void report_note(FlowRun *run, const FlowNote *n)
{
    switch (n->kind) {
    case NOTE_USE:
        if (loud_released(&n->t)) record(run, REP_USE_AFTER_RELEASE, n, note_holder(n));
        break;
    case NOTE_RELEASE:
        if (loud_released(&n->t)) record(run, REP_DOUBLE_RELEASE, n, note_holder(n));
        break;
    case NOTE_OVERWRITE:
        if (loud_live(&n->t)) record(run, REP_LEAK_OVERWRITE, n, note_holder(n));
        break;
    case NOTE_OUT_OF_SCOPE:
        if (loud_live(&n->t)) record(run, REP_LEAK_SCOPE, n, note_holder(n));
        break;
    case NOTE_DISCARD:
        if (loud_live(&n->t)) record(run, REP_LEAK_DISCARD, n, NULL);
        break;
    case NOTE_EXIT: report_exit(run, n); break;
    }
}

void flow_report_kept_notes(FlowRun *run, const FlowNote *notes, int n)
{
    run->block_reports = run->reports.len;
    for (int i = 0; i < n; i++) report_note(run, &notes[i]);
}

void flow_report_notes(FlowRun *run)
{
    flow_report_kept_notes(run, run->notes.items, run->notes.len);
    run->notes.len = 0;
}
