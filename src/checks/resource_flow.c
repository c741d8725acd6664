/* resource_flow.c — the rules connection-leak, double-release and
 * use-after-release: finds the acquire sites of a function, runs the flow
 * engine (flow.h) on each, and turns its reports into findings with the
 * messages, related locations, path and identity of SPEC §5. It does not
 * decide levels from the config, suppressions or fingerprints (filter). */
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "flow/flow.h"
#include "common/util.h"

static Level default_level(const char *rule, Level fallback)
{
    const RuleInfo *ri = rule_info_find(rule);
    return ri ? ri->default_level : fallback;
}

static const char *res_description(const Resource *r)
{
    if (r && r->description && *r->description) return r->description;
    return r && r->id ? r->id : "resource";
}

static FindingLoc make_loc(const IrFunction *fn, IrLoc l, const char *message)
{
    return findingloc_make(fn->file, l.line, l.col, l.end_line, l.end_col, message);
}

static const char *callee_name(const IrCall *c)
{
    if (c->spelled) return c->spelled; /* as written, before a macro rewrote it */
    return c->callee ? c->callee : "(indirect call)";
}

/* Messages need a name: the holder at the report, else the first named
 * holder the acquire was stored into. */
static char *handle_name(const FlowRun *run, const FlowReport *r)
{
    if (r->has_holder && r->holder.kind != PLACE_CALL) return flow_place_name(run->fn, &r->holder);
    return NULL;
}

static void add_leak(const FlowRun *run, const FlowReport *r, FindingList *out)
{
    const IrFunction *fn = run->fn;
    const IrCall *acq = run->site_call;
    const char *desc = res_description(run->acq.res);
    char *name = handle_name(run, r);
    ReportKind kind = r->kind;
    if (!name) kind = REP_LEAK_DISCARD;

    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = RULE_CONNECTION_LEAK;
    f.level = default_level(RULE_CONNECTION_LEAK, LEVEL_ERROR);
    f.function = xstrdup(fn->name);
    /* The held-handle leaks differ only in what happens at the exit. */
    static const struct {
        ReportKind kind;
        const char *exit_kind, *exit_text, *what;
    } leak_kinds[] = {
        {REP_LEAK_END, "end", "leaving the function here", "is not released at the end of the function"},
        {REP_LEAK_OVERWRITE, "overwrite", "overwritten here", "is overwritten here while still held"},
        {REP_LEAK_SCOPE, "scope", "going out of scope here", "is not released before it goes out of scope here"},
        {REP_LEAK_RETURN, "return", "returning here", "is not released when the function returns here"},
    };
    const char *exit_kind, *exit_text;
    IrLoc primary = flow_event_loc(fn, r->block, r->event);
    int line = acq->loc.line;
    if (kind == REP_LEAK_REPLACE_FAILED) {
        /* reported at the call that replaces the only holder; the path
         * goes on to the exit its failure way reaches */
        const IrRef *rhs = &fn->blocks[r->lost_block].events[r->lost_event].u.assign.rhs;
        const IrCall *rc = rhs->call >= 0 && rhs->call < fn->n_calls ? run->calls[rhs->call] : NULL;
        const char *callee = rc ? callee_name(rc) : "the call";
        exit_kind = "replace-failed";
        exit_text = "leaving the function here with the old one unreleased (when the call failed)";
        primary = flow_event_loc(fn, r->lost_block, r->lost_event);
        f.message = xasprintf("'%s' (%s) acquired at line %d is lost when %s() fails here: its NULL overwrites "
                              "'%s', the only holder of the old %s, which is then never released",
                              name, desc, line, callee, name, desc);
        f.message_markdown = xasprintf("'%s' (%s) acquired at [line %d](1) is lost when %s() fails here: its NULL "
                                       "overwrites '%s', the only holder of the old %s, which is then never released",
                                       name, desc, line, callee, name, desc);
    } else if (kind == REP_LEAK_DISCARD) {
        exit_kind = "discard";
        exit_text = "the result is discarded here";
        primary = acq->loc;
        f.message = xasprintf("the %s returned by %s() is discarded without being released", desc, callee_name(acq));
        f.message_markdown = xasprintf("the %s returned by [%s()](1) is discarded without being released", desc, callee_name(acq));
    } else {
        size_t k = sizeof leak_kinds / sizeof leak_kinds[0] - 1; /* default: a return */
        for (size_t i = 0; i < sizeof leak_kinds / sizeof leak_kinds[0]; i++)
            if (leak_kinds[i].kind == kind) k = i;
        exit_kind = leak_kinds[k].exit_kind;
        exit_text = leak_kinds[k].exit_text;
        f.message = xasprintf("'%s' (%s) acquired at line %d %s", name, desc, line, leak_kinds[k].what);
        f.message_markdown = xasprintf("'%s' (%s) acquired at [line %d](1) %s", name, desc, line, leak_kinds[k].what);
    }
    const char *shown = name ? name : "the handle";
    f.loc = make_loc(fn, primary, NULL);
    char *acq_msg = xasprintf("'%s' acquired here", shown);
    f.related = xcalloc(1, sizeof(FindingLoc));
    f.related[0] = make_loc(fn, acq->loc, acq_msg);
    f.n_related = 1;
    free(acq_msg);
    f.path = flow_path_build(run, r, shown, exit_text, &f.n_path);
    if (kind == REP_LEAK_DISCARD) {
        /* the exit step of a discard is the call itself */
        FindingLoc *last = &f.path[f.n_path - 1];
        free(last->file);
        free(last->message);
        *last = make_loc(fn, acq->loc, exit_text);
    }
    f.identity = xasprintf("%s:%s:%s:%s:%s", RULE_CONNECTION_LEAK, fn->name, name ? name : "-",
                           callee_name(acq), exit_kind);
    findings_add(out, &f);
    free(name);
}

typedef struct {
    const char *rule;
    int line, col;
} Seen;

typedef VEC(Seen) SeenVec;

/* One double-release / use-after-release per rule and line: `show(r->type)`
 * after free(r) is one use, not one for the call and one for the read. */
static bool seen_before(SeenVec *seen, const char *rule, IrLoc l)
{
    for (int i = 0; i < seen->len; i++)
        if (seen->items[i].rule == rule && seen->items[i].line == l.line) return true;
    Seen s = {rule, l.line, l.col};
    VEC_PUSH(*seen, s);
    return false;
}

static void add_misuse(const FlowRun *run, const FlowReport *r, SeenVec *seen, FindingList *out)
{
    const IrFunction *fn = run->fn;
    const IrCall *acq = run->site_call;
    bool dbl = r->kind == REP_DOUBLE_RELEASE;
    const char *rule = dbl ? RULE_DOUBLE_RELEASE : RULE_USE_AFTER_RELEASE;
    IrLoc at = flow_event_loc(fn, r->block, r->event);
    if (seen_before(seen, rule, at)) return;
    char *name = handle_name(run, r);
    if (!name) name = xasprintf("%s()", callee_name(acq));
    const char *desc = res_description(run->acq.res);
    bool has_rel = r->rel_block >= 0;
    IrLoc rel = has_rel ? flow_event_loc(fn, r->rel_block, r->rel_event) : acq->loc;

    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.level = default_level(rule, LEVEL_WARNING);
    f.function = xstrdup(fn->name);
    f.loc = make_loc(fn, at, NULL);
    const char *what = dbl ? "is released again here" : "is used here after being released";
    if (has_rel) {
        f.message = xasprintf("'%s' (%s) acquired at line %d %s; it was released at line %d", name, desc,
                              acq->loc.line, what, rel.line);
        f.message_markdown = xasprintf("'%s' (%s) acquired at [line %d](2) %s; it was released at [line %d](1)",
                                       name, desc, acq->loc.line, what, rel.line);
        f.related = xcalloc(2, sizeof(FindingLoc));
        char *m1 = xasprintf("'%s' released here", name);
        char *m2 = xasprintf("'%s' acquired here", name);
        f.related[0] = make_loc(fn, rel, m1);
        f.related[1] = make_loc(fn, acq->loc, m2);
        f.n_related = 2;
        free(m1);
        free(m2);
    } else {
        f.message = xasprintf("'%s' (%s) acquired at line %d %s", name, desc, acq->loc.line, what);
        f.message_markdown = xasprintf("'%s' (%s) acquired at [line %d](1) %s", name, desc, acq->loc.line, what);
        char *m2 = xasprintf("'%s' acquired here", name);
        f.related = xcalloc(1, sizeof(FindingLoc));
        f.related[0] = make_loc(fn, acq->loc, m2);
        f.n_related = 1;
        free(m2);
    }
    f.path = flow_path_build(run, r, name, dbl ? "released again here" : "used here after release", &f.n_path);
    f.identity = xasprintf("%s:%s:%s:%s", rule, fn->name, name, callee_name(acq));
    findings_add(out, &f);
    free(name);
}

static void report_site(const FlowRun *run, SeenVec *seen, FindingList *out)
{
    for (int i = 0; i < run->reports.len; i++) {
        const FlowReport *r = &run->reports.items[i];
        if (r->kind == REP_DOUBLE_RELEASE || r->kind == REP_USE_AFTER_RELEASE) add_misuse(run, r, seen, out);
        else add_leak(run, r, out);
    }
}

void check_resource_flow(const CheckContext *ctx, const IrFunction *fn, FindingList *out)
{
    if (!fn || fn->truncated || fn->has_errors || fn->n_blocks == 0 || !ctx || !ctx->packs) return;
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    FlowRun run;
    flow_run_init(&run, &m, fn);
    run.follow_deref = true; /* `*out` holds the handle until the exits (flow_outparam.c) */
    SeenVec seen = {0};
    bool prepared = false;
    for (int id = 0; id < fn->n_calls; id++) {
        if (!run.call_is_acq[id] || !run.calls[id] || run.rpo_index[run.call_block[id]] < 0) continue;
        if (!prepared) flow_prepare_sites(&run); /* the prefix every site run shares */
        prepared = true;
        AcquireMatch acq = run.call_acq[id];
        if (flow_run_site(&run, run.call_block[id], run.call_event[id], &acq)) report_site(&run, &seen, out);
    }
    VEC_FREE(seen);
    flow_run_free(&run);
    check_array_handles(ctx, fn, out);
}
