/* flow_replace.c — the order of effects of one call, for calls that consume
 * a handle and produce its replacement in the same variable:
 *
 *     l = curl_slist_append(l, s);     h = pool_reconnect(pool, h);
 *     fetch_result(db, &res, 100);     (frees the previous res, writes the next)
 *
 * A pack says so by naming the function both under release (or transfer)
 * and under acquire. The call's effects on its arguments (release,
 * transfer) happen first, then its result or out-parameter is written: the
 * old handle is consumed and the new one replaces it; nothing is
 * overwritten while held. What this file does not do: decide what a call
 * does to an argument (match.c, summaries) or apply it (flow_calls.c). */
#include "flow/flow.h"

bool flow_call_consumes(FlowRun *run, const Tuple *t, const IrCall *c)
{
    for (int i = 0; i < c->nargs; i++) {
        if (flow_ref_holder(run, t, &c->args[i]) < 0) continue;
        ArgEffect eff = flow_arg_effect(run, c, i);
        if (eff == ARG_RELEASE || eff == ARG_TRANSFER || eff == ARG_TRANSFER_ON_SUCCESS ||
            eff == ARG_TRANSFER_ON_ZERO)
            return true;
    }
    return false;
}

/* An acquire returning its handle, with NULL as its failure value: curl
 * documents that a failed curl_slist_append leaves the list it was given
 * untouched, so the NULL way may keep the old handle. */
bool flow_call_returns_replacement(const FlowRun *run, const IrCall *c)
{
    if (c->id < 0 || c->id >= run->fn->n_calls || !run->call_is_acq[c->id]) return false;
    const AcquireMatch *am = &run->call_acq[c->id];
    return am->result_arg < 0 && (am->failure == FAILURE_NULL || am->failure == FAILURE_NULL_FIELD);
}
