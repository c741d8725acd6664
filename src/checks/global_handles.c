/* global_handles.c — global-handle-unreleased (issue 12, form 13): a
 * handle acquired straight into a file-scope variable (`g = fopen(...)`,
 * `sqlite3_open(path, &g)`) escapes the acquiring function, so
 * connection-leak stays silent about it. Over the whole program, this
 * check notes such a store when no function of the analysed sources does
 * anything that could release the variable: pass it (or its address, or a
 * field of it) to a release, a transfer, a function of the analysed
 * sources that releases or stores its parameter, or a call through a
 * function pointer; copy it elsewhere; return it; call a releasing member
 * through it (functions with no body borrow, as everywhere). Names are compared, not
 * declarations: any variable of that name counts (a miss, never a false
 * note). Not followed: handles first stored in a local and then copied
 * into the global (connection-leak reports nothing there either). */
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "common/util.h"
#include "flow/match.h"

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

/* Every global name some function may release, hand on, copy or return. */
static void collect_released(const CheckContext *ctx, const IrFunction *fn, Names *out)
{
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            const char *g;
            switch (ev->kind) {
            case EV_CALL:
                for (int i = 0; i < ev->u.call.nargs; i++)
                    if ((g = ir_ref_global_name(fn, &ev->u.call.args[i])) && may_release_arg(&m, &ev->u.call, i))
                        VEC_PUSH(*out, g);
                if ((g = ir_ref_global_name(fn, &ev->u.call.base)) && may_release_base(&m, &ev->u.call)) VEC_PUSH(*out, g);
                break;
            case EV_ASSIGN:
                g = ir_ref_global_name(fn, &ev->u.assign.rhs);
                if (g && !(ev->u.assign.lhs.kind == REF_VAR && ev->u.assign.lhs.var == ev->u.assign.rhs.var))
                    VEC_PUSH(*out, g);
                break;
            case EV_RETURN:
                if ((g = ir_ref_global_name(fn, &ev->u.ret.value))) VEC_PUSH(*out, g);
                break;
            default: break;
            }
        }
    }
}

static bool is_static_local(const IrFunction *fn, int var)
{
    const IrVar *v = &fn->vars[var];
    return v->loc.line > 0 && v->loc.line >= fn->body.line && v->loc.line <= fn->body.end_line;
}

static void report(const IrFunction *fn, const char *global, const AcquireMatch *am, const IrCall *call, IrLoc loc,
                   FindingList *out)
{
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = RULE_GLOBAL_HANDLE;
    const RuleInfo *ri = rule_info_find(RULE_GLOBAL_HANDLE);
    f.level = ri ? ri->default_level : LEVEL_NOTE;
    f.loc = findingloc_make(fn->file, loc.line, loc.col, loc.end_line, loc.end_col, NULL);
    const char *what = am->res && am->res->description ? am->res->description : "resource";
    f.message = xasprintf("the %s acquired by %s() is kept in file-scope variable '%s', which no function of "
                          "the analysed sources releases",
                          what, call->callee ? call->callee : "a call", global);
    f.function = xstrdup(fn->name);
    f.identity = xasprintf("%s:%s:%s", RULE_GLOBAL_HANDLE, fn->name, global);
    f.baseline = BASELINE_NONE;
    findings_add(out, &f);
}

static bool released(const Names *names, const char *g)
{
    return names->len && bsearch(&g, names->items, (size_t)names->len, sizeof(const char *), name_cmp);
}

/* `g = acquire(...)` and `acquire(..., &g)` into a file-scope variable. */
static void check_stores(const CheckContext *ctx, const IrFunction *fn, const Names *rel, FindingList *out)
{
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
                    match_acquire(&m, c, &am) && am.result_arg < 0 && am.in_place_arg < 0)
                    report(fn, g, &am, c, ev->loc, out);
            }
            if (ev->kind == EV_CALL && match_acquire(&m, &ev->u.call, &am) && am.result_arg >= 0 &&
                am.result_arg < ev->u.call.nargs) {
                const IrRef *a = &ev->u.call.args[am.result_arg];
                const char *g = a->kind == REF_ADDR ? ir_ref_global_name(fn, a) : NULL;
                if (g && !is_static_local(fn, a->var) && !released(rel, g)) report(fn, g, &am, &ev->u.call, ev->loc, out);
            }
        }
    free(calls);
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

void check_global_handles(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out)
{
    Names rel = {0};
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) collect_released(ctx, &units[u]->functions[f], &rel);
    }
    if (rel.len) qsort(rel.items, (size_t)rel.len, sizeof(const char *), name_cmp);
    IrDefinitionSet seen = {0}; /* a header's functions are checked once */
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) {
            const IrFunction *fn = &units[u]->functions[f];
            if (fn->truncated || fn->has_errors || !ir_definition_first(&seen, fn)) continue;
            check_stores(ctx, fn, &rel, out);
        }
    }
    ir_definition_set_free(&seen);
    VEC_FREE(rel);
}
