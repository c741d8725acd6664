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

/* Does any pack name this callee at all (acquire, release or transfer)? */
static bool pack_names_callee(const PackSet *ps, const IrCall *call)
{
    for (int p = 0; ps && p < ps->n_packs; p++) {
        for (int r = 0; r < ps->packs[p].n_resources; r++) {
            const Resource *res = &ps->packs[p].resources[r];
            for (int i = 0; i < res->n_acquire; i++)
                if (callee_matches(res->acquire[i].kind, res->acquire[i].name, call)) return true;
            for (int i = 0; i < res->n_release; i++)
                if (res->release[i].name && callee_matches(res->release[i].kind, res->release[i].name, call))
                    return true;
            for (int i = 0; i < res->n_transfer; i++)
                if (callee_matches(res->transfer[i].kind, res->transfer[i].name, call)) return true;
        }
    }
    return false;
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
    const PackSet *ps = m->packs;
    for (int p = 0; ps && p < ps->n_packs; p++) {
        for (int r = 0; r < ps->packs[p].n_resources; r++) {
            const Resource *res = &ps->packs[p].resources[r];
            for (int i = 0; i < res->n_acquire; i++) {
                const AcquireSpec *a = &res->acquire[i];
                if (!callee_matches(a->kind, a->name, call)) continue;
                if (a->result_arg >= 0 && a->result_arg >= call->nargs) continue;
                out->res = res;
                out->result_arg = a->result_arg;
                out->failure = res->failure;
                out->failure_field = res->failure_field;
                out->via = NULL;
                out->in_place_arg = a->in_place && a->result_arg < 0 ? a->in_place_arg : -1;
                set_error_context(a, call, out);
                return true;
            }
        }
    }
    const FunctionSummary *s = callee_summary(m, call);
    if (s && s->acquires && (s->acquire_result_arg < 0 || s->acquire_result_arg < call->nargs)) {
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

static ArgEffect pack_arg_effect(const Resource *res, const IrCall *call, int arg)
{
    for (int i = 0; i < res->n_release; i++) {
        const ReleaseSpec *rs = &res->release[i];
        if (rs->name && rs->arg == arg && callee_matches(rs->kind, rs->name, call)) return ARG_RELEASE;
    }
    for (int i = 0; i < res->n_transfer; i++) {
        const TransferSpec *ts = &res->transfer[i];
        if (ts->arg == arg && callee_matches(ts->kind, ts->name, call)) return ARG_TRANSFER;
    }
    return ARG_BORROW;
}

/* Standard functions that take ownership of what they are given, whatever
 * the resource: the argument of a new thread is the thread's to release. */
static bool standard_transfer(const IrCall *call, int arg)
{
    static const struct { const char *name; int arg; } known[] = {
        {"pthread_create", 3}, {"thrd_create", 2}, {"g_thread_new", 2}, {"g_thread_try_new", 2},
    };
    if (call->callee_kind != CALLEE_DIRECT || !call->callee) return false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].arg == arg && strcmp(call->callee, known[i].name) == 0) return true;
    return false;
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

ArgEffect match_arg_effect(const MatchContext *m, const IrCall *call, int arg, const Resource *res)
{
    if (arg < 0 || arg >= call->nargs) return ARG_BORROW;
    if (standard_transfer(call, arg)) return ARG_TRANSFER;
    if (res) {
        ArgEffect e = pack_arg_effect(res, call, arg);
        if (e != ARG_BORROW) return e;
    } else {
        const PackSet *ps = m->packs;
        for (int p = 0; ps && p < ps->n_packs; p++)
            for (int r = 0; r < ps->packs[p].n_resources; r++) {
                ArgEffect e = pack_arg_effect(&ps->packs[p].resources[r], call, arg);
                if (e != ARG_BORROW) return e;
            }
    }
    const FunctionSummary *s = callee_summary(m, call);
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

static bool field_release_of(const Resource *res, const IrCall *call)
{
    for (int i = 0; i < res->n_release; i++) {
        const ReleaseSpec *rs = &res->release[i];
        if (rs->field && strcmp(rs->field, call->callee) == 0) return true;
    }
    return false;
}

bool match_field_release(const MatchContext *m, const IrCall *call, const Resource *res)
{
    if (call->callee_kind != CALLEE_MEMBER || !call->callee) return false;
    if (res) return field_release_of(res, call);
    const PackSet *ps = m->packs;
    for (int p = 0; ps && p < ps->n_packs; p++)
        for (int r = 0; r < ps->packs[p].n_resources; r++)
            if (field_release_of(&ps->packs[p].resources[r], call)) return true;
    return false;
}
