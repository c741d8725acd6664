/* per_request.c — the per-request-outside-handler rule (SPEC §1, §4).
 *
 * A per-request resource (rule pack `"per_request": true`) may be acquired
 * only in designated handler files. Outside them this reports:
 *   - every call that match_acquire() recognises as an acquire of such a
 *     resource, directly or through a wrapper whose summary says it acquires
 *     per request for its caller (the message then names the chain);
 *   - every use of such an acquire function's name as a value (a
 *     function-pointer table), inside functions and at file scope.
 * A wrapper's own acquire (the one it hands to its caller) is not reported
 * inside the wrapper: the responsibility lies with whoever calls the wrapper,
 * and those calls are reported where they stand outside handler files.
 *
 * Handler files are the files whose lexically normalised absolute path
 * matches one of ctx->handler_globs; a pattern without wildcards that names a
 * folder also covers everything below it.
 *
 * It does not follow data flow (that is connection-leak's business) and does
 * not read any source text. */
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "cli/glob.h"
#include "flow/match.h"
#include "common/util.h"

/* ---- handler files ---------------------------------------------------- */

static bool pattern_covers(const char *pattern, const char *path)
{
    if (glob_match(pattern, path)) return true;
    /* "src/handlers" (a folder) covers "src/handlers/x.c" */
    size_t n = strlen(pattern);
    while (n > 1 && pattern[n - 1] == '/') n--;
    if (strpbrk(pattern, "*?")) return false;
    return strncmp(pattern, path, n) == 0 && path[n] == '/';
}

/* The rule needs to know where handlers are: with no handler designated
 * (config "handlers" or --handlers) it stays off rather than flag every
 * per-request acquire of the tree. */
bool check_per_request_enabled(const CheckContext *ctx)
{
    return ctx && ctx->n_handler_globs > 0;
}

bool is_handler_file(const CheckContext *ctx, const char *abs_path)
{
    if (!ctx || !abs_path || ctx->n_handler_globs <= 0) return false;
    char *path = path_normalize(abs_path, NULL);
    bool found = false;
    for (int i = 0; i < ctx->n_handler_globs && !found; i++) {
        char *pattern = path_normalize(ctx->handler_globs[i], NULL);
        found = pattern_covers(pattern, path);
        free(pattern);
    }
    free(path);
    return found;
}

/* ---- what is being acquired ------------------------------------------- */

typedef struct {
    const Resource *res;
    const FunctionSummary *via; /* NULL: straight from a rule pack */
} PerRequestAcquire;

static bool is_per_request(const AcquireMatch *m)
{
    if (!m->res) return false;
    if (m->via) return m->via->acquires_per_request;
    return m->res->per_request;
}

/* The summary of `fn` itself when it is a per-request wrapper: its acquires
 * of that resource are its callers' to answer for. */
static const FunctionSummary *own_wrapper_summary(const CheckContext *ctx, const IrFunction *fn)
{
    if (!ctx->summaries) return NULL;
    const FunctionSummary *s = summary_lookup(ctx->summaries, fn->name, fn->file);
    if (!s || !s->acquires || !s->acquires_per_request) return NULL;
    if (s->file && fn->file && strcmp(s->file, fn->file) != 0) return NULL;
    return s;
}

/* A function name used as a value: a rule-pack acquire by function name, or
 * a per-request wrapper of the analysed sources. */
static bool lookup_func_ref(const CheckContext *ctx, const char *name, const char *file,
                            PerRequestAcquire *out)
{
    if (!name) return false;
    int n = 0;
    const CalleeSpec *cs = packset_specs(ctx->packs, name, &n);
    for (int i = 0; i < n; i++) {
        if (cs[i].role != SPEC_ACQUIRE || cs[i].kind != CALLEE_BY_FUNCTION || !cs[i].res->per_request) continue;
        out->res = cs[i].res;
        out->via = NULL;
        return true;
    }
    if (ctx->summaries) {
        const FunctionSummary *s = summary_lookup(ctx->summaries, name, file);
        if (s && s->acquires && s->acquires_per_request) {
            out->res = s->acquires;
            out->via = s;
            return true;
        }
    }
    return false;
}

/* ---- messages and findings -------------------------------------------- */

static void append_alternative(StrBuf *sb, const Resource *res)
{
    const char *alt = res->shared_alternative;
    if (!alt || !*alt) return;
    size_t n = strlen(alt);
    bool has_parens = n >= 2 && strcmp(alt + n - 2, "()") == 0;
    sb_printf(sb, "; use %s%s (the shared %s) here", alt, has_parens ? "" : "()",
              res->description ? res->description : res->id);
}

static const char *res_description(const Resource *res)
{
    return res->description && *res->description ? res->description : res->id;
}

static char *call_message(const IrFunction *fn, const char *callee, const PerRequestAcquire *a)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "per-request %s acquired outside a request handler", res_description(a->res));
    if (a->via && a->via->chain)
        sb_printf(&sb, ": %s() calls %s", fn->name, a->via->chain);
    else if (a->via)
        sb_printf(&sb, " by %s(), which acquires one per request", callee);
    else
        sb_printf(&sb, " by %s()", callee);
    append_alternative(&sb, a->res);
    return sb_take(&sb);
}

static char *ref_message(const char *name, const PerRequestAcquire *a)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "'%s' acquires a per-request %s and is referenced outside a request handler",
              name, res_description(a->res));
    if (a->via && a->via->chain) sb_printf(&sb, " (%s)", a->via->chain);
    append_alternative(&sb, a->res);
    return sb_take(&sb);
}

static Level rule_level(void)
{
    const RuleInfo *ri = rule_info_find(RULE_PER_REQUEST);
    return ri ? ri->default_level : LEVEL_ERROR;
}

/* `scope` names the function, or the file for a file-scope table. */
static void add_finding(FindingList *out, const char *file, IrLoc loc, const char *function,
                        const char *scope, const char *callee, char *message)
{
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = RULE_PER_REQUEST;
    f.level = rule_level();
    f.loc = findingloc_make(file, loc.line, loc.col, loc.end_line, loc.end_col, NULL);
    f.message = message;
    f.function = function ? xstrdup(function) : NULL;
    f.identity = xasprintf("%s:%s:%s", RULE_PER_REQUEST, scope, callee);
    f.baseline = BASELINE_NONE;
    findings_add(out, &f);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- the checks -------------------------------------------------------- */

static void check_call(const CheckContext *ctx, const IrFunction *fn, const IrCall *call,
                       const FunctionSummary *own, FindingList *out)
{
    if (call->callee_kind == CALLEE_INDIRECT || !call->callee) return;
    MatchContext m = {ctx->packs, ctx->summaries, fn->file};
    AcquireMatch am;
    memset(&am, 0, sizeof am);
    if (!match_acquire(&m, call, &am) || !is_per_request(&am)) return;
    if (own && own->acquires == am.res) return; /* handed to the wrapper's caller */
    PerRequestAcquire a = {am.res, am.via};
    add_finding(out, fn->file, call->loc, fn->name, fn->name, call->callee,
                call_message(fn, call->callee, &a));
}

static void check_func_ref(const CheckContext *ctx, const IrFunction *fn, const IrEvent *ev,
                           FindingList *out)
{
    const char *name = ev->u.func_ref.name;
    PerRequestAcquire a;
    if (!lookup_func_ref(ctx, name, fn->file, &a)) return;
    if (a.via && fn->name && strcmp(fn->name, name) == 0) return; /* itself */
    add_finding(out, fn->file, ev->loc, fn->name, fn->name, name, ref_message(name, &a));
}

void check_per_request_function(const CheckContext *ctx, const IrFunction *fn, FindingList *out)
{
    if (!ctx || !fn || !fn->file || is_handler_file(ctx, fn->file)) return;
    const FunctionSummary *own = own_wrapper_summary(ctx, fn);
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            if (ev->kind == EV_CALL) check_call(ctx, fn, &ev->u.call, own, out);
            else if (ev->kind == EV_FUNC_REF) check_func_ref(ctx, fn, ev, out);
        }
    }
}

/* A table in a header is seen by every unit that includes it: report it once. */
static bool already_reported(const FindingList *out, const char *file, IrLoc loc,
                             const char *identity)
{
    for (int i = 0; i < out->len; i++) {
        const Finding *f = &out->items[i];
        if (f->rule && strcmp(f->rule, RULE_PER_REQUEST) == 0 && f->loc.line == loc.line && f->loc.col == loc.col &&
            f->loc.file && strcmp(f->loc.file, file) == 0 && f->identity &&
            strcmp(f->identity, identity) == 0)
            return true;
    }
    return false;
}

void check_per_request_global_refs(const CheckContext *ctx, const IrUnit *u, FindingList *out)
{
    if (!ctx || !u) return;
    for (int i = 0; i < u->n_global_refs; i++) {
        const IrGlobalRef *g = &u->global_refs[i];
        const char *file = g->file ? g->file : u->main_file;
        if (!file || is_handler_file(ctx, file)) continue;
        PerRequestAcquire a;
        if (!lookup_func_ref(ctx, g->name, file, &a)) continue;
        char *scope = xasprintf("<file-scope %s>", base_name(file));
        char *identity = xasprintf("%s:%s:%s", RULE_PER_REQUEST, scope, g->name);
        if (!already_reported(out, file, g->loc, identity))
            add_finding(out, file, g->loc, NULL, scope, g->name, ref_message(g->name, &a));
        free(identity);
        free(scope);
    }
}
