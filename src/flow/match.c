/* match.c — what a call means for resources (match.h): an acquire, a
 * release of an argument or of the base struct, a transfer, or a borrow.
 * Rule packs come first; functions of the analysed sources that no pack
 * names are looked up in the summaries. A NULL resource means "any
 * resource" (the summaries use it for parameters whose resource is not
 * known yet). No dataflow here. */
#include "flow/match.h"

#include <string.h>

static bool callee_matches(CalleeMatchKind kind, const char *name, const IrCall *call)
{
    if (!name) return false;
    /* a library function reached through a macro keeps the name it is written with */
    if (kind == CALLEE_BY_FUNCTION && call->spelled && strcmp(name, call->spelled) == 0) return true;
    if (!call->callee) return false;
    if (kind == CALLEE_BY_FUNCTION && call->callee_kind != CALLEE_DIRECT) return false;
    if (kind == CALLEE_BY_MEMBER && call->callee_kind != CALLEE_MEMBER) return false;
    return strcmp(name, call->callee) == 0;
}

/* ---- the pack specs that name a call, in reading order ------------------ */

/* A call is named by the specs keyed by its callee and by the name it is
 * spelled with (a macro): both lists are in reading order, so they are
 * walked merged, each spec once. */
typedef struct {
    const CalleeSpec *a, *b;
    int na, nb, ia, ib;
    const IrCall *call;
} SpecWalk;

static void walk_start(SpecWalk *w, const PackSet *ps, const IrCall *call)
{
    memset(w, 0, sizeof *w);
    w->call = call;
    if (call->callee) w->a = packset_specs(ps, call->callee, &w->na);
    if (call->spelled && (!call->callee || strcmp(call->spelled, call->callee) != 0))
        w->b = packset_specs(ps, call->spelled, &w->nb);
}

/* The next spec of a pack resource (acquire, release or transfer) that
 * matches the call, or NULL. */
static const CalleeSpec *walk_next(SpecWalk *w)
{
    for (;;) {
        const CalleeSpec *s;
        if (w->ia < w->na && (w->ib >= w->nb || w->a[w->ia].order < w->b[w->ib].order)) s = &w->a[w->ia++];
        else if (w->ib < w->nb) s = &w->b[w->ib++];
        else return NULL;
        if (!s->res || s->role == SPEC_FIELD_RELEASE) continue;
        const char *name = s->role == SPEC_ACQUIRE    ? s->res->acquire[s->index].name
                           : s->role == SPEC_RELEASE  ? s->res->release[s->index].name
                                                      : s->res->transfer[s->index].name;
        if (callee_matches(s->kind, name, w->call)) return s;
    }
}

/* Does any pack name this callee at all (acquire, release or transfer)? */
static bool pack_names_callee(const PackSet *ps, const IrCall *call)
{
    SpecWalk w;
    walk_start(&w, ps, call);
    return walk_next(&w) != NULL;
}

static const FunctionSummary *callee_summary(const MatchContext *m, const IrCall *call)
{
    if (!m->summaries || call->callee_kind != CALLEE_DIRECT || !call->callee) return NULL;
    if (pack_names_callee(m->packs, call)) return NULL;
    return summary_lookup(m->summaries, call->callee, m->caller_file);
}

/* The pack's "error_field": the call's context argument reports failure
 * through a field (hiredis: c->err after redisCommand(c, ...)). */
static void set_error_context(const AcquireSpec *a, const IrCall *call, AcquireMatch *out)
{
    bool has = a->error_arg >= 0 && a->error_field && a->error_arg < call->nargs;
    out->has_error_context = has;
    out->error_context_arg = has ? a->error_arg : -1;
    out->error_context_field = has ? a->error_field : NULL;
}

bool match_acquire(const MatchContext *m, const IrCall *call, AcquireMatch *out)
{
    SpecWalk w;
    walk_start(&w, m->packs, call);
    for (const CalleeSpec *cs; (cs = walk_next(&w));) {
        if (cs->role != SPEC_ACQUIRE) continue;
        const Resource *res = cs->res;
        const AcquireSpec *a = &res->acquire[cs->index];
        if (a->result_arg >= 0 && a->result_arg >= call->nargs) continue;
        /* "null_arg": only a NULL argument (the values stage passes a
         * local that is NULL on every path as the constant) */
        if (a->when_null && (a->null_arg >= call->nargs || call->args[a->null_arg].kind != REF_CONST ||
                                 call->args[a->null_arg].value != 0))
            continue;
        out->res = res;
        out->result_arg = a->result_arg;
        out->failure = res->failure;
        out->failure_field = res->failure_field;
        out->via = NULL;
        out->in_place_arg = a->in_place && a->result_arg < 0 ? a->in_place_arg : -1;
        set_error_context(a, call, out);
        return true;
    }
    const FunctionSummary *s = callee_summary(m, call);
    /* a NULL where the callee undoes its own acquire: nothing comes out */
    bool undone = s && s->acquire_unless_zero >= 0 && s->acquire_unless_zero < call->nargs &&
                  call->args[s->acquire_unless_zero].kind == REF_CONST && call->args[s->acquire_unless_zero].value == 0;
    if (s && s->acquires && !undone && (s->acquire_result_arg < 0 || s->acquire_result_arg < call->nargs)) {
        out->res = s->acquires;
        out->result_arg = s->acquire_result_arg;
        out->failure = s->acquire_failure;
        out->failure_field = s->acquire_field;
        out->via = s;
        out->in_place_arg = -1;
        out->has_error_context = false;
        out->error_context_arg = -1;
        out->error_context_field = NULL;
        return true;
    }
    return false;
}

/* The first release or transfer of argument `arg` by a pack, in reading
 * order (within a resource releases come before transfers); `only`
 * restricts it to one resource. */
static const CalleeSpec *pack_arg_spec(const PackSet *ps, const IrCall *call, int arg, const Resource *only)
{
    SpecWalk w;
    walk_start(&w, ps, call);
    for (const CalleeSpec *cs; (cs = walk_next(&w));) {
        if (cs->role == SPEC_ACQUIRE || cs->arg != arg) continue;
        if (!only || cs->res == only) return cs;
    }
    return NULL;
}

/* A library function that takes ownership of what it is given, whatever
 * the resource (the libc pack's "takes_ownership": a new thread's argument
 * is the thread's to release). */
static bool takes_ownership(const PackSet *ps, const IrCall *call, int arg)
{
    if (call->callee_kind != CALLEE_DIRECT || !call->callee) return false;
    int n = 0;
    const CalleeSpec *cs = packset_specs(ps, call->callee, &n);
    for (int i = 0; i < n; i++)
        if (cs[i].role == SPEC_TAKES_OWNERSHIP && cs[i].arg == arg) return true;
    return false;
}

/* A call registering a callback with its user data (`event_set(ev, fd,
 * EV_READ, on_read, ctx)`, `g_idle_add(fn, data)`): an argument after the
 * first function-pointer argument, passed to a function with no body in the
 * analysed sources that no pack names, is the callback's to release (it
 * runs later, and the registration keeps the pointer). A synchronous walk
 * of that shape (`foreach(list, fn, data)`) is read alike: a miss, not a
 * false alarm. Arguments before the function (`qsort(base, n, sz, cmp)`)
 * are borrowed as before. */
static bool callback_user_data(const MatchContext *m, const IrCall *call, int arg)
{
    if (call->callee_kind != CALLEE_DIRECT || !call->callee || !call->callback_arg) return false;
    if (arg < call->callback_arg || !m->summaries || pack_names_callee(m->packs, call)) return false;
    return summary_lookup(m->summaries, call->callee, m->caller_file) == NULL;
}

/* Two resources one release call ends alike (hiredis: a reply from
 * redisCommand and one from redisGetReply both end with freeReplyObject):
 * a project helper found releasing one releases the other too. */
static bool share_a_release(const Resource *a, const Resource *b)
{
    for (int i = 0; i < a->n_release; i++) {
        const ReleaseSpec *x = &a->release[i];
        for (int k = 0; k < b->n_release; k++) {
            const ReleaseSpec *y = &b->release[k];
            if (x->name && y->name && x->kind == y->kind && strcmp(x->name, y->name) == 0) return true;
            if (x->field && y->field && strcmp(x->field, y->field) == 0) return true;
        }
    }
    return false;
}

static ArgEffect summary_arg_effect(const FunctionSummary *s, int arg, const Resource *res)
{
    if (!s || !s->params || arg >= s->n_params) return ARG_BORROW;
    const Resource *pr = s->param_res ? s->param_res[arg] : NULL;
    if (res && pr && pr != res && !share_a_release(pr, res)) return ARG_BORROW;
    switch (s->params[arg]) {
    case PARAM_RELEASES: return ARG_RELEASE;
    case PARAM_MAYBE_RELEASES: return ARG_MAYBE_RELEASE;
    case PARAM_TRANSFERS: return ARG_TRANSFER;
    case PARAM_TRANSFERS_ON_SUCCESS: return ARG_TRANSFER_ON_SUCCESS;
    case PARAM_TRANSFERS_ON_ZERO: return ARG_TRANSFER_ON_ZERO;
    case PARAM_BORROWS: break;
    }
    return ARG_BORROW;
}

ArgEffect match_arg_effect(const MatchContext *m, const IrCall *call, int arg, const Resource *res)
{
    if (arg < 0 || arg >= call->nargs) return ARG_BORROW;
    if (takes_ownership(m->packs, call, arg) || callback_user_data(m, call, arg)) return ARG_TRANSFER;
    const CalleeSpec *cs = pack_arg_spec(m->packs, call, arg, res);
    if (cs) return cs->role == SPEC_RELEASE ? ARG_RELEASE : ARG_TRANSFER;
    return summary_arg_effect(callee_summary(m, call), arg, res);
}

bool match_callee_unknown(const MatchContext *m, const IrCall *call)
{
    /* through a pointer the values stage could not resolve (ops->set(o, s)) */
    if (call->callee_kind != CALLEE_DIRECT) return !pack_names_callee(m->packs, call);
    if (!call->callee || call->callee_system ||
        strncmp(call->callee, "__builtin", 9) == 0 || pack_names_callee(m->packs, call))
        return false;
    if (match_is_deallocator(m, call) || takes_ownership(m->packs, call, 0)) return false;
    int arg;
    if (match_returns_arg(m, call, &arg)) return false;
    return !m->summaries || !summary_lookup(m->summaries, call->callee, m->caller_file);
}

bool match_takes_contents(const MatchContext *m, const IrCall *call, int arg)
{
    if (arg < 0 || arg >= call->nargs || arg >= 32) return false;
    const FunctionSummary *s = callee_summary(m, call);
    return s && (s->takes_contents & (1u << arg));
}

ArgEffect match_arg_effect_any(const MatchContext *m, const IrCall *call, int arg, const Resource **which)
{
    *which = NULL;
    if (arg < 0 || arg >= call->nargs) return ARG_BORROW;
    const Resource *first = packset_first_resource(m->packs);
    if (callback_user_data(m, call, arg)) return ARG_TRANSFER; /* whatever the resource */
    if (takes_ownership(m->packs, call, arg)) {
        *which = first;
        return ARG_TRANSFER;
    }
    const CalleeSpec *cs = pack_arg_spec(m->packs, call, arg, NULL);
    if (cs) {
        *which = cs->res;
        return cs->role == SPEC_RELEASE ? ARG_RELEASE : ARG_TRANSFER;
    }
    const FunctionSummary *s = callee_summary(m, call);
    ArgEffect e = summary_arg_effect(s, arg, NULL);
    /* the callee's parameter's resource; none when its effect applies to
     * any (released through p->field, handed to a callback): naming the
     * packs' first resource there would make the caller's own effect
     * apply to that resource only, and its callers borrow a heap block
     * the chain releases */
    if (e != ARG_BORROW) *which = s->param_res ? s->param_res[arg] : NULL;
    return e;
}

static const Resource *field_release_resource(const PackSet *ps, const IrCall *call, const Resource *only)
{
    int n = 0;
    const CalleeSpec *cs = packset_specs(ps, call->callee, &n);
    for (int i = 0; i < n; i++)
        if (cs[i].role == SPEC_FIELD_RELEASE && (!only || cs[i].res == only)) return cs[i].res;
    return NULL;
}

bool match_field_release(const MatchContext *m, const IrCall *call, const Resource *res)
{
    if (call->callee_kind != CALLEE_MEMBER || !call->callee) return false;
    return field_release_resource(m->packs, call, res) != NULL;
}

const Resource *match_field_release_any(const MatchContext *m, const IrCall *call)
{
    if (call->callee_kind != CALLEE_MEMBER || !call->callee) return NULL;
    return field_release_resource(m->packs, call, NULL);
}

bool match_returns_arg_ex(const MatchContext *m, const IrCall *call, int *arg, bool *never_null)
{
    if (call->callee_kind != CALLEE_DIRECT || !call->callee) return false;
    int n = 0;
    const CalleeSpec *cs = packset_specs(m->packs, call->callee, &n);
    for (int i = 0; i < n; i++) {
        if (cs[i].role != SPEC_RETURNS_ARG) continue;
        *arg = cs[i].arg;
        if (never_null) *never_null = cs[i].never_null;
        return true;
    }
    return false;
}

bool match_returns_arg(const MatchContext *m, const IrCall *call, int *arg)
{
    return match_returns_arg_ex(m, call, arg, NULL);
}

bool match_is_deallocator(const MatchContext *m, const IrCall *call)
{
    return call->callee_kind == CALLEE_DIRECT && call->callee && packset_is_deallocator(m->packs, call->callee);
}
