/* flow_cond.c — the evaluation of branch conditions against what a tuple
 * of the resource-flow engine knows: tests of the handle (NULL, status,
 * error fields), of facts about other places, pairs and nested
 * conditions; a way that contradicts the tuple is not taken. Places are in
 * flow_place.c, tuples in flow_tuple.c. It does not walk the CFG
 * (flow_engine.c) nor interpret events (flow_transfer.c). */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

/* What is known of a value: exactly v, non-zero, negative (by convention
 * -1), non-negative, or nothing. */
typedef enum { AV_UNKNOWN, AV_EXACT, AV_NONZERO, AV_NEG, AV_NONNEG } AbsKind;

typedef struct {
    AbsKind kind;
    long long v;
} AbsVal;

static Tri tri_of(bool b) { return b ? TRI_TRUE : TRI_FALSE; }

static Tri eval_exact(long long v, IrCmp op, long long k)
{
    switch (op) {
    case CMP_EQ: return tri_of(v == k);
    case CMP_NE: return tri_of(v != k);
    case CMP_LT: return tri_of(v < k);
    case CMP_LE: return tri_of(v <= k);
    case CMP_GT: return tri_of(v > k);
    case CMP_GE: return tri_of(v >= k);
    }
    return TRI_UNKNOWN;
}

static Tri eval_neg(IrCmp op, long long k)
{
    switch (op) {
    case CMP_LT: return k >= 0 ? TRI_TRUE : TRI_UNKNOWN;
    case CMP_LE: return k >= -1 ? TRI_TRUE : TRI_UNKNOWN;
    case CMP_GT: return k >= -1 ? TRI_FALSE : TRI_UNKNOWN;
    case CMP_GE: return k >= 0 ? TRI_FALSE : TRI_UNKNOWN;
    case CMP_EQ: return k >= 0 ? TRI_FALSE : k == -1 ? TRI_TRUE : TRI_UNKNOWN;
    case CMP_NE: return k >= 0 ? TRI_TRUE : k == -1 ? TRI_FALSE : TRI_UNKNOWN;
    }
    return TRI_UNKNOWN;
}

static Tri eval_nonneg(IrCmp op, long long k)
{
    switch (op) {
    case CMP_LT: return k <= 0 ? TRI_FALSE : TRI_UNKNOWN;
    case CMP_LE: return k < 0 ? TRI_FALSE : TRI_UNKNOWN;
    case CMP_GT: return k < 0 ? TRI_TRUE : TRI_UNKNOWN;
    case CMP_GE: return k <= 0 ? TRI_TRUE : TRI_UNKNOWN;
    case CMP_EQ: return k < 0 ? TRI_FALSE : TRI_UNKNOWN;
    case CMP_NE: return k < 0 ? TRI_TRUE : TRI_UNKNOWN;
    }
    return TRI_UNKNOWN;
}

static Tri eval_abs(AbsVal a, IrCmp op, long long k)
{
    switch (a.kind) {
    case AV_EXACT: return eval_exact(a.v, op, k);
    case AV_NONZERO:
        if (k == 0 && op == CMP_EQ) return TRI_FALSE;
        if (k == 0 && op == CMP_NE) return TRI_TRUE;
        return TRI_UNKNOWN;
    case AV_NEG: return eval_neg(op, k);
    case AV_NONNEG: return eval_nonneg(op, k);
    case AV_UNKNOWN: break;
    }
    return TRI_UNKNOWN;
}

static bool edge_possible(Tri value, bool sense)
{
    return value == TRI_UNKNOWN || (value == TRI_TRUE) == sense;
}

static FailureKind run_failure(const FlowRun *run)
{
    return run->acq.res || run->param_var < 0 ? run->acq.failure : FAILURE_NULL;
}

static bool is_status_kind(FailureKind k)
{
    return k == FAILURE_STATUS_NONZERO || k == FAILURE_STATUS_NEGATIVE || k == FAILURE_STATUS_UNKNOWN;
}

/* The tested value in the held and in the failed sub-state. */
static void handle_values(FailureKind k, AbsVal *held, AbsVal *failed)
{
    held->v = failed->v = 0;
    held->kind = failed->kind = AV_UNKNOWN;
    switch (k) {
    case FAILURE_NULL:
    case FAILURE_NULL_FIELD:
        held->kind = AV_NONZERO;
        failed->kind = AV_EXACT;
        break;
    case FAILURE_NEGATIVE:
    case FAILURE_STATUS_NEGATIVE:
        held->kind = AV_NONNEG;
        failed->kind = AV_NEG;
        break;
    case FAILURE_STATUS_NONZERO:
        held->kind = AV_EXACT;
        failed->kind = AV_NONZERO;
        break;
    case FAILURE_NEVER:
    case FAILURE_STATUS_UNKNOWN:
        held->kind = AV_UNKNOWN;
        failed->kind = AV_UNKNOWN;
        break;
    }
}

static bool field_is(const char *field, const char *prefix, const char *last)
{
    if (!field || !last) return false;
    if (!prefix) return strcmp(field, last) == 0;
    size_t n = strlen(prefix);
    return strncmp(field, prefix, n) == 0 && field[n] == '.' && strcmp(field + n + 1, last) == 0;
}

/* Does the condition's ref denote the handle's success/failure value? */
static bool cond_on_handle(const FlowRun *run, const Tuple *t, const IrRef *r)
{
    FailureKind k = run_failure(run);
    if (t->hs != HS_HELD && t->hs != HS_MAYBE && t->hs != HS_FAILED) return false;
    if (r->kind == REF_CALL && run->site_call && r->call == run->site_call->id &&
        (is_status_kind(k) || run->acq.result_arg < 0) && k != FAILURE_NULL_FIELD)
        return true;
    if (is_status_kind(k)) {
        Place p;
        if (!flow_place_of(run, r, &p)) return false;
        for (int i = 0; i < t->n_status; i++)
            if (place_equal(&t->status[i], &p)) return true;
        return false;
    }
    if (k == FAILURE_NULL_FIELD) {
        if (r->kind != REF_FIELD) return false;
        for (int i = 0; i < t->n_holders; i++) {
            const Place *h = &t->holders[i];
            if (h->var != r->var) continue;
            /* s.db for a session s, sp->db for a pointer sp = &s */
            if (h->kind == PLACE_VAR && field_is(r->field, NULL, run->acq.failure_field)) return true;
            if (h->kind == PLACE_FIELD && !r->via_pointer && field_is(r->field, h->field, run->acq.failure_field))
                return true;
        }
        return false;
    }
    Place p;
    return flow_place_of(run, r, &p) && tuple_find_holder(t, &p) >= 0;
}

/* A way of `fd > 2` (or `fd > 0`, `fd < 3`...) where a descriptor can only
 * be 0, 1 or 2: a standard stream, the process's own (daemonize's
 * `if (fd > STDERR_FILENO) close(fd)` after dup2 onto 0..2; `if (fd > 0)`
 * taking 0 for a failure, stdin being open) — nothing to release there. */
static bool std_stream_way(const IrCond *c, bool sense)
{
    long long top;
    if (sense && c->op == CMP_LT) top = c->value - 1;
    else if (sense && c->op == CMP_LE) top = c->value;
    else if (!sense && c->op == CMP_GT) top = c->value;
    else if (!sense && c->op == CMP_GE) top = c->value - 1;
    else return false;
    return top >= 0 && top <= 2;
}

static bool apply_handle_cond(const FlowRun *run, Tuple *t, const IrCond *c, bool sense)
{
    AbsVal held, failed;
    handle_values(run_failure(run), &held, &failed);
    if (run_failure(run) == FAILURE_NEGATIVE && (t->hs == HS_HELD || t->hs == HS_MAYBE) && std_stream_way(c, sense)) {
        t->hs = HS_FAILED;
        return true;
    }
    bool can_held = (t->hs == HS_HELD || t->hs == HS_MAYBE) &&
                    edge_possible(eval_abs(held, c->op, c->value), sense);
    bool can_failed = (t->hs == HS_FAILED || t->hs == HS_MAYBE) &&
                      edge_possible(eval_abs(failed, c->op, c->value), sense);
    if (run_failure(run) == FAILURE_NEVER) can_failed = t->hs == HS_FAILED;
    if (!can_held && !can_failed) return false;
    if (can_held && can_failed) return true; /* stays as it was (MAYBE) */
    t->hs = can_held ? HS_HELD : HS_FAILED;
    return true;
}

/* The fact a taken edge of `ref OP k` teaches about ref. */
static void learn_from_edge(const FlowRun *run, Tuple *t, const Place *p, const IrCond *c, bool sense)
{
    bool eq = (c->op == CMP_EQ && sense) || (c->op == CMP_NE && !sense);
    bool ne = (c->op == CMP_NE && sense) || (c->op == CMP_EQ && !sense);
    if (eq) tuple_set_fact(run, t, p, FACT_EQ, c->value, NULL, true);
    else if (ne && c->value == 0) tuple_set_fact(run, t, p, FACT_NONZERO, 0, NULL, true);
}

/* `if (stmt)` / `if (db != NULL)` on a pointer that holds a handle whose
 * failure is reported otherwise (status, never): the NULL way holds nothing
 * (sqlite3_prepare succeeds with no statement for an empty SQL text). */
static bool null_test_of_holder(const FlowRun *run, const Tuple *t, const IrCond *c)
{
    FailureKind k = run_failure(run);
    if (!is_status_kind(k) && k != FAILURE_NEVER) return false;
    if (c->value != 0 || (c->op != CMP_EQ && c->op != CMP_NE)) return false;
    if (t->hs != HS_HELD && t->hs != HS_MAYBE && t->hs != HS_FAILED) return false;
    Place p;
    if (!flow_place_of(run, &c->ref, &p) || p.kind == PLACE_CALL || tuple_find_holder(t, &p) < 0)
        return false;
    return p.kind == PLACE_FIELD || (p.var >= 0 && p.var < run->fn->n_vars && run->fn->vars[p.var].is_pointer);
}

/* The tested place is one the quiet tuple waits for (its holders after a
 * status of unknown meaning, or after a status translated by a helper). */
static bool pending_has(const Tuple *t, const IrRef *r, const FlowRun *run)
{
    Place p;
    if (!flow_place_of(run, r, &p)) return false;
    for (int i = 0; i < t->n_pending; i++)
        if (place_equal(&t->pending[i], &p)) return true;
    return false;
}

static bool apply_null_test(const FlowRun *run, Tuple *t, const IrCond *c, bool sense)
{
    bool is_null = (c->op == CMP_EQ) == sense;
    if (is_null) {
        t->hs = HS_FAILED; /* nothing to release on this way */
    } else if (t->quiet && t->n_pending && pending_has(t, &c->ref, run)) {
        /* the handle itself is tested non-NULL: whatever the status meant,
         * it is held here */
        t->hs = HS_HELD;
        t->quiet = 0;
        t->n_pending = 0;
    }
    return true;
}

/* A wrapper's status of unknown meaning is tested: either way may be the
 * failure, so both stay quiet until the handle itself is tested. */
static bool apply_unknown_status(Tuple *t)
{
    if (t->hs != HS_MAYBE || t->quiet) return true;
    t->quiet = 1;
    t->n_pending = 0;
    for (int i = 0; i < t->n_holders && t->n_pending < 2; i++)
        if (t->holders[i].kind != PLACE_CALL) t->pending[t->n_pending++] = t->holders[i];
    return true;
}

/* rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0); if (check(db, rc) != OK)
 * return -1; — the status is handed to a helper whose result is tested
 * (FreeRADIUS rlm_sql_sqlite sql_check_error): what the helper's result
 * means is not known, so the handle stays quiet until it is tested itself,
 * as after a status of unknown meaning. Returns true when it went quiet. */
bool flow_status_translated(const FlowRun *run, Tuple *t, const IrCall *c)
{
    if (t->hs != HS_MAYBE || t->quiet || !is_status_kind(run_failure(run))) return false;
    if (c->id < 0 || c->id >= run->fn->n_calls || !run->call_tested[c->id]) return false;
    for (int i = 0; i < c->nargs; i++) {
        const IrRef *a = &c->args[i];
        bool status = a->kind == REF_CALL && run->site_call && a->call == run->site_call->id;
        Place p;
        if (!status && flow_place_of(run, a, &p))
            for (int k = 0; k < t->n_status && !status; k++) status = place_equal(&t->status[k], &p);
        if (status) return apply_unknown_status(t);
    }
    return false;
}

/* Tests of a place that holds the result of a transfer-on-success call
 * make the failure way's leak reportable. */
static void resolve_pending(Tuple *t, const Place *p)
{
    for (int i = 0; i < t->n_pending; i++) {
        if (place_equal(&t->pending[i], p)) {
            t->n_pending = 0;
            t->quiet = 0;
            return;
        }
    }
}

/* r reads a pointer-sized value through another pointer (`s->f`, `*p`,
 * `a[i]`) and does not name where the tuple follows the handle. */
static bool read_through_pointer(const FlowRun *run, const Tuple *t, const IrRef *r)
{
    if (!((r->kind == REF_FIELD && r->via_pointer) || r->kind == REF_DEREF)) return false;
    return flow_ref_holder(run, t, r) < 0;
}

/* `fresh == other` between the handle's holder and a place that does not
 * hold it: a fresh handle equals no pointer that existed before it, so the
 * equal way means it is NULL (failed), or cannot happen when it is known to
 * be held. */
static bool apply_pair_cond(const FlowRun *run, Tuple *t, const IrCond *c, bool sense)
{
    if (c->op != CMP_EQ && c->op != CMP_NE) return true;
    if (c->ref2.kind == REF_NONE || c->ref2.kind == REF_OTHER) return true;
    Place a, b;
    bool pa = flow_place_of(run, &c->ref, &a), pb = flow_place_of(run, &c->ref2, &b);
    bool ha = pa && tuple_find_holder(t, &a) >= 0, hb = pb && tuple_find_holder(t, &b) >= 0;
    bool equal_way = (c->op == CMP_EQ) == sense;
    /* both sides hold this handle (`other = conn;` earlier on this path):
     * they are equal, so the unequal way is not this tuple's (repmgr
     * `if (primary_conn != upstream_conn) PQfinish(primary_conn);`) */
    if (ha && hb && !t->holders_merged && a.kind != PLACE_CALL && b.kind != PLACE_CALL) return equal_way;
    if (run_failure(run) != FAILURE_NULL) return true; /* a failed handle is NULL */
    if (t->hs != HS_HELD && t->hs != HS_MAYBE) return true;
    /* the other side may also be read through a pointer (`buf->ptr`, `*pp`,
     * `v[i]`): a place the engine keeps no facts about, but not this handle */
    bool other_ok = ha ? (pb || c->ref2.kind == REF_CONST || read_through_pointer(run, t, &c->ref2))
                       : (pa || c->ref.kind == REF_CONST || read_through_pointer(run, t, &c->ref));
    if (ha == hb || !other_ok) return true;
    if (!equal_way) return true;
    if (t->hs == HS_HELD) return false;
    t->hs = HS_FAILED;
    return true;
}

/* `if (c->err)` after r = redisCommand(c, ...): the context's error field
 * is set exactly when the command acquired nothing (AcquireMatch
 * .has_error_context), so it is a test of the handle. */
static bool is_error_context_test(const FlowRun *run, const Tuple *t, const IrCond *c)
{
    const IrCall *site = run->site_call;
    if (!site || !run->acq.has_error_context || !run->acq.error_context_field) return false;
    if (t->hs != HS_HELD && t->hs != HS_MAYBE && t->hs != HS_FAILED) return false;
    if (!c->known || c->value != 0 || (c->op != CMP_EQ && c->op != CMP_NE)) return false;
    int i = run->acq.error_context_arg;
    if (i < 0 || i >= site->nargs || c->ref.kind != REF_FIELD || !c->ref.field) return false;
    const IrRef *a = &site->args[i];
    const char *want = run->acq.error_context_field;
    if (a->var < 0 || a->var != c->ref.var) return false;
    if (a->kind == REF_VAR || a->kind == REF_ADDR) /* c->err, ctx.err */
        return c->ref.via_pointer == (a->kind == REF_VAR) && strcmp(c->ref.field, want) == 0;
    if ((a->kind != REF_FIELD && a->kind != REF_ADDR_FIELD) || !a->field) return false;
    /* w->conn->err after redisCommand(w->conn, ...): the path "conn.err" */
    size_t n = strlen(a->field);
    return c->ref.via_pointer == a->via_pointer && strncmp(c->ref.field, a->field, n) == 0 &&
           c->ref.field[n] == '.' && strcmp(c->ref.field + n + 1, want) == 0;
}

static bool apply_error_context(Tuple *t, const IrCond *c, bool sense)
{
    bool err_set = (c->op == CMP_NE) == sense;
    if (err_set) {
        if (t->hs == HS_HELD) return false;
        t->hs = HS_FAILED;
    } else {
        if (t->hs == HS_FAILED) return false;
        t->hs = HS_HELD;
    }
    return true;
}

static bool apply_cond_depth(const FlowRun *run, Tuple *t, const IrCond *c, bool sense, int depth)
{
    if (!c) return true;
    if (is_error_context_test(run, t, c)) return apply_error_context(t, c, sense);
    if (!c->known) return apply_pair_cond(run, t, c, sense);
    if (c->ref.kind == REF_CONST) return edge_possible(eval_exact(c->ref.value, c->op, c->value), sense);
    Place p;
    bool is_place = flow_place_of(run, &c->ref, &p);
    if (null_test_of_holder(run, t, c)) return apply_null_test(run, t, c, sense);
    if (cond_on_handle(run, t, &c->ref)) {
        if (run_failure(run) == FAILURE_STATUS_UNKNOWN) return apply_unknown_status(t);
        if (!apply_handle_cond(run, t, c, sense)) return false;
        /* keep what the test said: it still prunes after a release */
        if (is_place && !tuple_fact(t, &p)) learn_from_edge(run, t, &p, c, sense);
        return true;
    }
    if (!is_place) return true;
    if (t->n_pending) {
        /* the tuple only exists with its own fact on the result: if this way
         * is possible for it, the program tested the failure */
        const Fact *pf = tuple_fact(t, &p);
        bool possible = false;
        if (pf && pf->kind == FACT_EQ) possible = edge_possible(eval_exact(pf->value, c->op, c->value), sense);
        if (pf && pf->kind == FACT_NONZERO) {
            AbsVal a = {AV_NONZERO, 0};
            possible = edge_possible(eval_abs(a, c->op, c->value), sense);
        }
        if (possible) resolve_pending(t, &p);
    }
    const Fact *f = tuple_fact(t, &p);
    if (!f) {
        learn_from_edge(run, t, &p, c, sense);
        return true;
    }
    if (f->kind == FACT_EQ) {
        AbsVal a = {AV_EXACT, f->value};
        return edge_possible(eval_abs(a, c->op, c->value), sense);
    }
    if (f->kind == FACT_NONZERO) {
        AbsVal a = {AV_NONZERO, 0};
        Tri v = eval_abs(a, c->op, c->value);
        if (!edge_possible(v, sense)) return false;
        if (v == TRI_UNKNOWN) learn_from_edge(run, t, &p, c, sense);
        return true;
    }
    /* FACT_FLAG: the place holds (flag_cond ? 1 : 0) */
    const IrCond *flag_cond = f->cond;
    bool when_true = edge_possible(eval_exact(1, c->op, c->value), sense);
    bool when_false = edge_possible(eval_exact(0, c->op, c->value), sense);
    if (!when_true && !when_false) return false;
    if (when_true && when_false) return true;
    if (depth >= 2) return true;
    if (!apply_cond_depth(run, t, flag_cond, when_true, depth + 1)) return false;
    tuple_set_fact(run, t, &p, FACT_EQ, when_true ? 1 : 0, NULL, true);
    return true;
}

bool flow_apply_cond(const FlowRun *run, Tuple *t, const IrCond *cond, bool sense)
{
    return apply_cond_depth(run, t, cond, sense, 0);
}
