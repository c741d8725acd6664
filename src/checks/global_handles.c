/* global_handles.c — global-handle-unreleased (issue 12, form 13): a
 * handle kept in a file-scope variable escapes the function that acquired
 * it, so connection-leak stays silent about it. Over the whole program,
 * this check notes such a store when no function of the analysed sources
 * does anything that could release the variable. Three shapes of store:
 * acquired straight into it (`g = fopen(...)`, `sqlite3_open(path, &g)`);
 * copied into it from a local holder (`c = fopen(...); ... g = c;`); and
 * handed to a setter, a function that copies its parameter into it
 * (`set(c);` with `void set(FILE *f) { g = f; }`). The flow engine's site
 * runs record the last two (FlowRun.global_stores: the handle is live and
 * not quiet there). What could release g: passing it (or its address, or
 * a field of it) to a release, a transfer, a function of the analysed
 * sources that releases or stores its parameter, or a call through a
 * function pointer; copying it into anything but a plain local; returning
 * it; calling a releasing member through it (functions with no body
 * borrow, as everywhere) — and the same done to a local that a plain copy
 * or a setter call joins to g in one function (`c = g; fclose(c);`, or
 * `g = c; ... fclose(c);`, or `set(c); ... fclose(c);`: flow-insensitive,
 * any order). Names are compared, not declarations: any variable (or
 * setter) of that name counts (a miss, never a false note); a setter whose
 * name several functions define is not reported through. Not followed:
 * the order of stores and releases (a store in a loop that overwrites the
 * previous handle is silent when g is released anywhere). */
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "common/util.h"
#include "flow/flow.h"

typedef VEC(const char *) Names;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Could this call release (or take) its argument `arg`? */
static bool may_release_arg(const MatchContext *m, const IrCall *call, int arg)
{
    const PackSet *ps = m->packs;
    for (int p = 0; ps && p < ps->n_packs; p++)
        for (int r = 0; r < ps->packs[p].n_resources; r++)
            if (match_arg_effect(m, call, arg, &ps->packs[p].resources[r]) != ARG_BORROW) return true;
    if (call->callee_kind != CALLEE_DIRECT || !call->callee) return true; /* through a pointer: unknown */
    const FunctionSummary *s = m->summaries ? summary_lookup(m->summaries, call->callee, m->caller_file) : NULL;
    if (!s) return false; /* no body in the analysed sources: borrows (README) */
    return s->params && arg < s->n_params && s->params[arg] != PARAM_BORROWS;
}

static bool may_release_base(const MatchContext *m, const IrCall *call)
{
    const PackSet *ps = m->packs;
    for (int p = 0; ps && p < ps->n_packs; p++)
        for (int r = 0; r < ps->packs[p].n_resources; r++)
            if (match_field_release(m, call, &ps->packs[p].resources[r])) return true;
    return false;
}

/* Union-find over a function's variables: a plain copy `a = b` between
 * two variables, at least one of them not file-scope, joins them. */
static int uf_find(int *parent, int v)
{
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
}

static bool is_global_var(const IrFunction *fn, int v)
{
    return v >= 0 && v < fn->n_vars && fn->vars[v].storage == VAR_GLOBAL;
}

static int ref_var(const IrFunction *fn, const IrRef *r)
{
    switch (r->kind) {
    case REF_VAR:
    case REF_ADDR:
    case REF_FIELD:
    case REF_ADDR_FIELD:
    case REF_DEREF: return r->var >= 0 && r->var < fn->n_vars ? r->var : -1;
    default: return -1;
    }
}

static bool plain_copy(const IrFunction *fn, const IrEvent *ev)
{
    const IrRef *l = &ev->u.assign.lhs, *r = &ev->u.assign.rhs;
    return l->kind == REF_VAR && r->kind == REF_VAR && ref_var(fn, l) >= 0 && ref_var(fn, r) >= 0 &&
           l->var != r->var && !(is_global_var(fn, l->var) && is_global_var(fn, r->var));
}

static bool is_static_local(const IrFunction *fn, int var);

/* `g = p;` of a parameter p into a file-scope variable g (not a static
 * local): a setter. Its callers' `set(c)` joins c to g. */
typedef struct {
    const char *fn, *global, *file;
    int param;
    IrLoc loc;      /* the store */
    bool unique;    /* fn names one definition in the analysed sources */
} Setter;

typedef VEC(Setter) Setters;

static void collect_setters(const IrFunction *fn, Setters *out)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind != EV_ASSIGN || !plain_copy(fn, ev)) continue;
            int l = ev->u.assign.lhs.var, r = ev->u.assign.rhs.var;
            if (!is_global_var(fn, l) || is_static_local(fn, l) || fn->vars[r].storage != VAR_PARAM) continue;
            Setter st = {fn->name, fn->vars[l].name, fn->file, fn->vars[r].param_index, ev->loc, true};
            VEC_PUSH(*out, st);
        }
}

static int setter_cmp(const void *a, const void *b)
{
    const Setter *x = a, *y = b;
    int c = strcmp(x->fn, y->fn);
    return c ? c : (x->param > y->param) - (x->param < y->param);
}

/* The global setter `callee` keeps its argument `arg` in, from the k-th
 * match on (*k: 0 at first, then advanced past each match), or NULL. The
 * setters are sorted by name and parameter. */
static const Setter *setter_next(const Setters *ss, const IrCall *c, int arg, int *k)
{
    if (!ss || !ss->len || c->callee_kind != CALLEE_DIRECT || !c->callee) return NULL;
    if (*k == 0) { /* the first entry of (callee, arg) */
        int lo = 0, hi = ss->len;
        Setter key = {c->callee, NULL, NULL, arg, {0, 0, 0, 0}, false};
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (setter_cmp(&ss->items[mid], &key) < 0) lo = mid + 1;
            else hi = mid;
        }
        *k = lo;
    }
    if (*k >= ss->len) return NULL;
    const Setter *st = &ss->items[*k];
    if (st->param != arg || strcmp(st->fn, c->callee) != 0) return NULL;
    (*k)++;
    return st;
}

static bool setter_keeps(const Setters *ss, const IrCall *c, int arg, const char *name)
{
    int k = 0;
    for (const Setter *st; (st = setter_next(ss, c, arg, &k));)
        if (strcmp(st->global, name) == 0) return true;
    return false;
}

/* A function's variables and, after them, one node per setter call's
 * argument (`set(c)`: the global the setter keeps it in). */
typedef struct {
    const IrFunction *fn;
    int *parent;
    const char **pseudo; /* names of the nodes past fn->n_vars */
    int n_pseudo;
} Groups;

static const char *node_global(const Groups *gr, int v)
{
    if (v >= gr->fn->n_vars) return gr->pseudo[v - gr->fn->n_vars];
    return is_global_var(gr->fn, v) ? gr->fn->vars[v].name : NULL;
}

/* Every global joined to var v's group may be released, but those the
 * event itself keeps it in (`g = c`: g; `set(c)`: the setter's global). */
static void push_group(Groups *gr, int v, const char *except, const Setters *ss, const IrCall *c, int arg, Names *out)
{
    if (v < 0) return;
    int root = uf_find(gr->parent, v);
    for (int g = 0; g < gr->fn->n_vars + gr->n_pseudo; g++) {
        const char *name = node_global(gr, g);
        if (!name || uf_find(gr->parent, g) != root) continue;
        if ((except && strcmp(name, except) == 0) || (c && setter_keeps(ss, c, arg, name))) continue;
        VEC_PUSH(*out, name);
    }
}

/* Every global name some function may release, hand on, copy or return,
 * itself or through a local a plain copy (or a setter call) joins to it. */
static void collect_released(const CheckContext *ctx, const IrFunction *fn, const Setters *ss, Names *out)
{
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    Groups gr = {fn, NULL, NULL, 0};
    int n_pseudo = 0;
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            for (int i = 0; ev->kind == EV_CALL && i < ev->u.call.nargs; i++) {
                int k = 0;
                while (setter_next(ss, &ev->u.call, i, &k)) n_pseudo++;
            }
        }
    gr.parent = xcalloc((size_t)(fn->n_vars + n_pseudo > 0 ? fn->n_vars + n_pseudo : 1), sizeof(int));
    gr.pseudo = xcalloc((size_t)(n_pseudo > 0 ? n_pseudo : 1), sizeof(char *));
    for (int v = 0; v < fn->n_vars + n_pseudo; v++) gr.parent[v] = v;
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind == EV_ASSIGN && plain_copy(fn, ev))
                gr.parent[uf_find(gr.parent, ev->u.assign.lhs.var)] = uf_find(gr.parent, ev->u.assign.rhs.var);
            for (int i = 0; ev->kind == EV_CALL && i < ev->u.call.nargs; i++) {
                int k = 0;
                const IrRef *a = &ev->u.call.args[i];
                for (const Setter *st; (st = setter_next(ss, &ev->u.call, i, &k));) {
                    int node = fn->n_vars + gr.n_pseudo;
                    gr.pseudo[gr.n_pseudo++] = st->global;
                    if (a->kind == REF_VAR && ref_var(fn, a) >= 0)
                        gr.parent[uf_find(gr.parent, node)] = uf_find(gr.parent, a->var);
                }
            }
        }
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            switch (ev->kind) {
            case EV_CALL:
                for (int i = 0; i < ev->u.call.nargs; i++)
                    if (ref_var(fn, &ev->u.call.args[i]) >= 0 && may_release_arg(&m, &ev->u.call, i))
                        push_group(&gr, ref_var(fn, &ev->u.call.args[i]), NULL, ss, &ev->u.call, i, out);
                if (ref_var(fn, &ev->u.call.base) >= 0 && may_release_base(&m, &ev->u.call))
                    push_group(&gr, ref_var(fn, &ev->u.call.base), NULL, NULL, NULL, -1, out);
                break;
            case EV_ASSIGN: {
                const IrRef *l = &ev->u.assign.lhs, *r = &ev->u.assign.rhs;
                int rv = ref_var(fn, r);
                if (rv < 0 || (l->kind == REF_VAR && l->var == rv)) break;
                if (plain_copy(fn, ev)) {
                    /* `g = c` joins c to g: the other globals of the group are copied into g */
                    if (is_global_var(fn, l->var)) push_group(&gr, rv, fn->vars[l->var].name, NULL, NULL, -1, out);
                } else if (l->kind == REF_VAR && is_global_var(fn, l->var) && is_global_var(fn, rv) &&
                           r->kind == REF_VAR) {
                    VEC_PUSH(*out, fn->vars[rv].name); /* g2 = g */
                } else {
                    push_group(&gr, rv, NULL, NULL, NULL, -1, out); /* s->f = c, p = &c, x = g->next ... */
                }
                break;
            }
            case EV_RETURN: push_group(&gr, ref_var(fn, &ev->u.ret.value), NULL, NULL, NULL, -1, out); break;
            default: break;
            }
        }
    }
    free(gr.parent);
    free(gr.pseudo);
}

static bool is_static_local(const IrFunction *fn, int var)
{
    const IrVar *v = &fn->vars[var];
    return v->loc.line > 0 && v->loc.line >= fn->body.line && v->loc.line <= fn->body.end_line;
}

/* One note per function and variable (its identity names both). */
static bool noted_before(Names *noted, const char *global)
{
    for (int i = 0; i < noted->len; i++)
        if (strcmp(noted->items[i], global) == 0) return true;
    VEC_PUSH(*noted, global);
    return false;
}

/* copied: the handle came through a local (`g = c;` at loc; call at its own
 * line); setter: ... and was handed to a setter at loc. */
static void report(const IrFunction *fn, const char *global, const AcquireMatch *am, const IrCall *call, IrLoc loc,
                   bool copied, const Setter *setter, FindingList *out)
{
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = RULE_GLOBAL_HANDLE;
    const RuleInfo *ri = rule_info_find(RULE_GLOBAL_HANDLE);
    f.level = ri ? ri->default_level : LEVEL_NOTE;
    f.loc = findingloc_make(fn->file, loc.line, loc.col, loc.end_line, loc.end_col, NULL);
    const char *what = am->res && am->res->description ? am->res->description : "resource";
    const char *callee = call->spelled ? call->spelled : call->callee ? call->callee : "a call";
    if (setter) {
        f.message = xasprintf("the %s acquired by %s() at line %d is passed here to %s(), which keeps it in "
                              "file-scope variable '%s'; no function of the analysed sources releases that variable",
                              what, callee, call->loc.line, setter->fn, global);
        f.message_markdown = xasprintf("the %s acquired by %s() at [line %d](1) is passed here to %s(), which keeps "
                                       "it in file-scope variable '%s' ([here](2)); no function of the analysed "
                                       "sources releases that variable",
                                       what, callee, call->loc.line, setter->fn, global);
        f.related = xcalloc(2, sizeof(FindingLoc));
        f.related[0] = findingloc_make(fn->file, call->loc.line, call->loc.col, call->loc.end_line, call->loc.end_col,
                                       "acquired here");
        char *kept = xasprintf("kept in '%s' here", global);
        f.related[1] = findingloc_make(setter->file, setter->loc.line, setter->loc.col, setter->loc.end_line,
                                       setter->loc.end_col, kept);
        free(kept);
        f.n_related = 2;
    } else if (copied) {
        f.message = xasprintf("the %s acquired by %s() at line %d is stored here in file-scope variable '%s', "
                              "which no function of the analysed sources releases",
                              what, callee, call->loc.line, global);
        f.message_markdown = xasprintf("the %s acquired by %s() at [line %d](1) is stored here in file-scope "
                                       "variable '%s', which no function of the analysed sources releases",
                                       what, callee, call->loc.line, global);
        f.related = xcalloc(1, sizeof(FindingLoc));
        f.related[0] = findingloc_make(fn->file, call->loc.line, call->loc.col, call->loc.end_line, call->loc.end_col,
                                       "acquired here");
        f.n_related = 1;
    } else {
        f.message = xasprintf("the %s acquired by %s() is kept in file-scope variable '%s', which no function of "
                              "the analysed sources releases",
                              what, call->callee ? call->callee : "a call", global);
    }
    f.function = xstrdup(fn->name);
    f.identity = xasprintf("%s:%s:%s", RULE_GLOBAL_HANDLE, fn->name, global);
    f.baseline = BASELINE_NONE;
    findings_add(out, &f);
}

static bool released(const Names *names, const char *g)
{
    return names->len && bsearch(&g, names->items, (size_t)names->len, sizeof(const char *), name_cmp);
}

/* A global no function releases, stored from a plain local or parameter
 * somewhere in fn (`g = c;`), or handed to a setter of one (`set(c)`):
 * worth the flow runs of fn's acquire sites. */
static bool has_copy_store(const IrFunction *fn, const Setters *ss, const Names *rel)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            for (int i = 0; ev->kind == EV_CALL && i < ev->u.call.nargs; i++) {
                int k = 0;
                for (const Setter *st; (st = setter_next(ss, &ev->u.call, i, &k));)
                    if (st->unique && !released(rel, st->global)) return true;
            }
            if (ev->kind != EV_ASSIGN || !plain_copy(fn, ev) || !is_global_var(fn, ev->u.assign.lhs.var)) continue;
            if (!is_static_local(fn, ev->u.assign.lhs.var) && !released(rel, fn->vars[ev->u.assign.lhs.var].name))
                return true;
        }
    return false;
}

/* `c = acquire(...); ... g = c;` (or `set(c);`): the flow engine runs
 * each acquire site of fn and records where a live, not quiet handle is
 * stored into a global or handed to a call that keeps it. */
static void check_copy_stores(const CheckContext *ctx, const IrFunction *fn, const Setters *ss, const Names *rel,
                              Names *noted, FindingList *out)
{
    if (fn->n_blocks == 0 || !ctx->packs || !has_copy_store(fn, ss, rel)) return;
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    FlowRun run;
    flow_run_init(&run, &m, fn);
    run.follow_deref = true; /* as check_resource_flow runs them */
    bool prepared = false;
    for (int id = 0; id < fn->n_calls; id++) {
        if (!run.call_is_acq[id] || !run.calls[id] || run.rpo_index[run.call_block[id]] < 0) continue;
        if (!prepared) flow_prepare_sites(&run);
        prepared = true;
        AcquireMatch acq = run.call_acq[id];
        if (!flow_run_site(&run, run.call_block[id], run.call_event[id], &acq)) continue;
        for (int i = 0; i < run.global_stores.len; i++) {
            const FlowGlobalStore *st = &run.global_stores.items[i];
            IrLoc at = flow_event_loc(fn, st->block, st->event);
            if (st->arg < 0) {
                const char *g = fn->vars[st->var].name;
                if (is_static_local(fn, st->var) || released(rel, g) || noted_before(noted, g)) continue;
                report(fn, g, &acq, run.calls[id], at, true, NULL, out);
                continue;
            }
            const IrEvent *ev = &fn->blocks[st->block].events[st->event];
            if (ev->kind != EV_CALL) continue;
            int k = 0;
            for (const Setter *set; (set = setter_next(ss, &ev->u.call, st->arg, &k));)
                if (set->unique && !released(rel, set->global) && !noted_before(noted, set->global))
                    report(fn, set->global, &acq, run.calls[id], at, true, set, out);
        }
    }
    flow_run_free(&run);
}

/* `g = acquire(...)` and `acquire(..., &g)` into a file-scope variable. */
static void check_stores(const CheckContext *ctx, const IrFunction *fn, const Setters *ss, const Names *rel,
                         FindingList *out)
{
    Names noted = {0};
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    const IrCall **calls = xcalloc((size_t)(fn->n_calls > 0 ? fn->n_calls : 1), sizeof(IrCall *));
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if (ev->kind == EV_CALL && ev->u.call.id >= 0 && ev->u.call.id < fn->n_calls)
                calls[ev->u.call.id] = &ev->u.call;
        }
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            AcquireMatch am;
            if (ev->kind == EV_ASSIGN && ev->u.assign.lhs.kind == REF_VAR && ev->u.assign.rhs.kind == REF_CALL &&
                ev->u.assign.rhs.call >= 0 && ev->u.assign.rhs.call < fn->n_calls) {
                const char *g = ir_ref_global_name(fn, &ev->u.assign.lhs);
                const IrCall *c = calls[ev->u.assign.rhs.call];
                if (g && c && !is_static_local(fn, ev->u.assign.lhs.var) && !released(rel, g) &&
                    match_acquire(&m, c, &am) && am.result_arg < 0 && am.in_place_arg < 0) {
                    (void)noted_before(&noted, g); /* the copies of this function add no second note */
                    report(fn, g, &am, c, ev->loc, false, NULL, out);
                }
            }
            if (ev->kind == EV_CALL && match_acquire(&m, &ev->u.call, &am) && am.result_arg >= 0 &&
                am.result_arg < ev->u.call.nargs) {
                const IrRef *a = &ev->u.call.args[am.result_arg];
                const char *g = a->kind == REF_ADDR ? ir_ref_global_name(fn, a) : NULL;
                if (g && !is_static_local(fn, a->var) && !released(rel, g)) {
                    (void)noted_before(&noted, g);
                    report(fn, g, &am, &ev->u.call, ev->loc, false, NULL, out);
                }
            }
        }
    free(calls);
    check_copy_stores(ctx, fn, ss, rel, &noted, out);
    VEC_FREE(noted);
}

bool check_global_handles_enabled(const CheckContext *ctx)
{
    if (!ctx->config) return false;
    bool on = false;
    for (int i = 0; i < ctx->config->n_levels; i++) /* the last one given wins */
        if (ctx->config->levels[i].rule && strcmp(ctx->config->levels[i].rule, RULE_GLOBAL_HANDLE) == 0)
            on = ctx->config->levels[i].level != LEVEL_NONE;
    return on;
}

/* Setters whose name more than one function of the analysed sources
 * defines are joined (releases) but not reported through. */
static void mark_unique_setters(IrUnit *const *units, int n_units, Setters *ss)
{
    if (!ss->len) return;
    Names defs = {0};
    IrDefinitionSet seen = {0};
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++)
            if (ir_definition_first(&seen, &units[u]->functions[f])) VEC_PUSH(defs, units[u]->functions[f].name);
    }
    qsort(defs.items, (size_t)defs.len, sizeof(const char *), name_cmp);
    for (int i = 0; i < ss->len; i++) {
        int lo = 0, hi = defs.len;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (strcmp(defs.items[mid], ss->items[i].fn) < 0) lo = mid + 1;
            else hi = mid;
        }
        int n = 0;
        while (lo + n < defs.len && strcmp(defs.items[lo + n], ss->items[i].fn) == 0) n++;
        ss->items[i].unique = n == 1;
    }
    ir_definition_set_free(&seen);
    VEC_FREE(defs);
}

void check_global_handles(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out)
{
    Setters ss = {0};
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) collect_setters(&units[u]->functions[f], &ss);
    }
    if (ss.len) qsort(ss.items, (size_t)ss.len, sizeof(Setter), setter_cmp);
    mark_unique_setters(units, n_units, &ss);
    Names rel = {0};
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) collect_released(ctx, &units[u]->functions[f], &ss, &rel);
    }
    if (rel.len) qsort(rel.items, (size_t)rel.len, sizeof(const char *), name_cmp);
    IrDefinitionSet seen = {0}; /* a header's functions are checked once */
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) {
            const IrFunction *fn = &units[u]->functions[f];
            if (fn->truncated || fn->has_errors || !ir_definition_first(&seen, fn)) continue;
            check_stores(ctx, fn, &ss, &rel, out);
        }
    }
    ir_definition_set_free(&seen);
    VEC_FREE(rel);
    VEC_FREE(ss);
}
