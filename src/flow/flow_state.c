/* flow_state.c — the abstract domain of the resource-flow engine: places,
 * tuples (handle state + holders + branch facts), their merge, and the
 * evaluation of branch conditions against what a tuple knows. It does not
 * walk the CFG (flow_engine.c) nor interpret events (flow_transfer.c). */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool place_equal(const Place *a, const Place *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case PLACE_VAR: return a->var == b->var;
    case PLACE_FIELD: return a->var == b->var && str_eq(a->field, b->field);
    case PLACE_CALL: return a->call == b->call;
    case PLACE_DEREF: return a->var == b->var;
    }
    return false;
}

Place place_call(int call_id)
{
    Place p = {PLACE_CALL, -1, NULL, call_id};
    return p;
}

/* VAR x, FIELD x.f (not through a pointer) and CALL values are places.
 * fn may be NULL (then var indexes are not bounds-checked). */
bool place_from_ref(const IrFunction *fn, const IrRef *r, Place *out)
{
    memset(out, 0, sizeof *out);
    out->var = -1;
    out->call = -1;
    switch (r->kind) {
    case REF_VAR:
        if (r->var < 0 || (fn && r->var >= fn->n_vars)) return false;
        out->kind = PLACE_VAR;
        out->var = r->var;
        return true;
    case REF_FIELD:
        if (r->via_pointer || !r->field || r->var < 0 || (fn && r->var >= fn->n_vars)) return false;
        out->kind = PLACE_FIELD;
        out->var = r->var;
        out->field = r->field;
        return true;
    case REF_CALL:
        out->kind = PLACE_CALL;
        out->call = r->call;
        return true;
    default: return false;
    }
}

bool place_is_local(const IrFunction *fn, const Place *p)
{
    if (p->kind == PLACE_CALL) return true;
    if (p->var < 0 || p->var >= fn->n_vars) return false;
    return fn->vars[p->var].storage != VAR_GLOBAL;
}

/* q is p or lies inside p (p = x, q = x.f; p = x.a, q = x.a.b). */
static bool place_inside(const Place *q, const Place *p)
{
    if (place_equal(q, p)) return true;
    if (q->kind != PLACE_FIELD || q->var != p->var) return false;
    if (p->kind == PLACE_VAR) return true;
    if (p->kind != PLACE_FIELD || !p->field || !q->field) return false;
    size_t n = strlen(p->field);
    return strncmp(q->field, p->field, n) == 0 && q->field[n] == '.';
}

int tuple_find_holder(const Tuple *t, const Place *p)
{
    for (int i = 0; i < t->n_holders; i++)
        if (place_equal(&t->holders[i], p)) return i;
    return -1;
}

bool tuple_add_holder(Tuple *t, const Place *p)
{
    if (tuple_find_holder(t, p) >= 0) return true;
    if (t->n_holders >= FLOW_MAX_HOLDERS) return false;
    t->holders[t->n_holders++] = *p;
    return true;
}

void tuple_remove_holder_at(Tuple *t, int i)
{
    memmove(&t->holders[i], &t->holders[i + 1], (size_t)(t->n_holders - i - 1) * sizeof(Place));
    t->n_holders--;
}

bool tuple_add_status(Tuple *t, const Place *p)
{
    for (int i = 0; i < t->n_status; i++)
        if (place_equal(&t->status[i], p)) return true;
    if (t->n_status >= FLOW_MAX_STATUS) return false;
    t->status[t->n_status++] = *p;
    return true;
}

static void remove_fact_at(Tuple *t, int i)
{
    memmove(&t->facts[i], &t->facts[i + 1], (size_t)(t->n_facts - i - 1) * sizeof(Fact));
    t->n_facts--;
}

/* Facts about p, or about places inside p, or flags derived from them. */
void tuple_forget_place_facts(Tuple *t, const Place *p)
{
    for (int i = t->n_facts - 1; i >= 0; i--) {
        const Fact *f = &t->facts[i];
        bool stale = place_inside(&f->place, p);
        if (!stale && f->kind == FACT_FLAG) {
            Place q;
            /* the flag's condition reads a place that is changing */
            if (f->cond && place_from_ref(NULL, &f->cond->ref, &q) && place_inside(&q, p))
                stale = true;
        }
        if (stale) remove_fact_at(t, i);
    }
}

void tuple_forget_place(Tuple *t, const Place *p)
{
    for (int i = t->n_holders - 1; i >= 0; i--)
        if (place_inside(&t->holders[i], p)) tuple_remove_holder_at(t, i);
    for (int i = t->n_status - 1; i >= 0; i--) {
        if (place_inside(&t->status[i], p)) {
            memmove(&t->status[i], &t->status[i + 1], (size_t)(t->n_status - i - 1) * sizeof(Place));
            t->n_status--;
        }
    }
    tuple_forget_place_facts(t, p);
}

const Fact *tuple_fact(const Tuple *t, const Place *p)
{
    for (int i = 0; i < t->n_facts; i++)
        if (place_equal(&t->facts[i].place, p)) return &t->facts[i];
    return NULL;
}

void tuple_set_fact(const FlowRun *run, Tuple *t, const Place *p, FactKind kind, long long value,
                    const IrCond *cond, bool tested)
{
    for (int i = t->n_facts - 1; i >= 0; i--)
        if (place_equal(&t->facts[i].place, p)) remove_fact_at(t, i);
    if (p->kind != PLACE_CALL && p->var >= 0 && p->var < run->fn->n_vars && run->addr_taken[p->var]) return;
    /* full: forget the oldest constant assignment, else the oldest fact
     * (forgetting is always safe; what branches taught is kept longest, as
     * correlated tests need it) */
    if (t->n_facts >= FLOW_MAX_FACTS) {
        int victim = 0;
        for (int i = 0; i < t->n_facts; i++)
            if (!t->facts[i].tested) {
                victim = i;
                break;
            }
        remove_fact_at(t, victim);
    }
    Fact *f = &t->facts[t->n_facts++];
    f->place = *p;
    f->kind = (signed char)kind;
    f->value = value;
    f->cond = cond;
    f->tested = tested;
}

void tuple_forget_global_facts(const FlowRun *run, Tuple *t)
{
    for (int i = t->n_facts - 1; i >= 0; i--) {
        const Fact *f = &t->facts[i];
        if (f->tested || f->place.kind == PLACE_CALL) continue;
        if (f->place.var >= 0 && f->place.var < run->fn->n_vars &&
            run->fn->vars[f->place.var].storage == VAR_GLOBAL)
            remove_fact_at(t, i);
    }
}

static bool places_same_set(const Place *a, int na, const Place *b, int nb)
{
    if (na != nb) return false;
    for (int i = 0; i < na; i++) {
        bool found = false;
        for (int j = 0; j < nb && !found; j++) found = place_equal(&a[i], &b[j]);
        if (!found) return false;
    }
    return true;
}

bool tuple_same_key(const Tuple *a, const Tuple *b)
{
    return a->hs == b->hs && a->esc == b->esc && a->quiet == b->quiet &&
           a->esc_param == b->esc_param &&
           places_same_set(a->holders, a->n_holders, b->holders, b->n_holders) &&
           places_same_set(a->status, a->n_status, b->status, b->n_status) &&
           places_same_set(a->pending, a->n_pending, b->pending, b->n_pending);
}

static bool fact_equal(const Fact *a, const Fact *b)
{
    return place_equal(&a->place, &b->place) && a->kind == b->kind && a->value == b->value &&
           a->cond == b->cond && a->tested == b->tested;
}

static bool implies_nonzero(const Fact *f)
{
    return f->kind == FACT_NONZERO || (f->kind == FACT_EQ && f->value != 0);
}

/* The join of two facts on one place that are not identical: the same
 * value assigned on one way and tested on the other is kept (untested);
 * both ways agreeing the place is non-zero (i == 2 from the loop's entry,
 * i != 0 from its condition) keep that much. Returns -1 when
 * they do not agree, 0 when `into` already says it, 1 when it was
 * weakened. Weakening only goes EQ -> NONZERO -> forgotten, so fixpoints
 * still terminate. */
static int join_fact(Fact *into, const Tuple *from)
{
    /* the same value, learned from a branch on one way and assigned on the
     * other (i = 0; vs the loop test finding i == 0) */
    for (int j = 0; j < from->n_facts; j++) {
        const Fact *g = &from->facts[j];
        if (place_equal(&into->place, &g->place) && into->kind == g->kind && into->value == g->value &&
            into->cond == g->cond && into->tested != g->tested) {
            if (!into->tested) return 0;
            into->tested = false;
            return 1;
        }
    }
    if (!implies_nonzero(into)) return -1;
    for (int j = 0; j < from->n_facts; j++) {
        const Fact *g = &from->facts[j];
        if (!place_equal(&into->place, &g->place) || !implies_nonzero(g)) continue;
        bool tested = into->tested && g->tested;
        if (into->kind == FACT_NONZERO && into->tested == tested) return 0;
        into->kind = FACT_NONZERO;
        into->value = 0;
        into->cond = NULL;
        into->tested = tested;
        return 1;
    }
    return -1;
}

bool tuple_intersect_facts(Tuple *into, const Tuple *from)
{
    bool changed = false;
    for (int i = into->n_facts - 1; i >= 0; i--) {
        bool kept = false;
        for (int j = 0; j < from->n_facts && !kept; j++) kept = fact_equal(&into->facts[i], &from->facts[j]);
        if (kept) continue;
        int w = join_fact(&into->facts[i], from);
        if (w < 0) remove_fact_at(into, i);
        if (w != 0) changed = true;
    }
    return changed;
}

void tuple_escape(Tuple *t, EscapeKind esc, int param)
{
    t->hs = HS_ESCAPED;
    t->esc = (unsigned char)esc;
    t->esc_param = (short)(esc == ESC_OUTPARAM ? param : -1);
    t->n_holders = 0;
    t->n_status = 0;
    t->n_pending = 0;
}

void tuple_list_push(TupleList *l, const Tuple *t)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 2;
        l->items = xrealloc(l->items, (size_t)l->cap * sizeof(Tuple));
    }
    l->items[l->len++] = *t;
}

void tuple_list_free(TupleList *l)
{
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

/* ---- condition evaluation ------------------------------------------- */

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

static bool apply_handle_cond(const FlowRun *run, Tuple *t, const IrCond *c, bool sense)
{
    AbsVal held, failed;
    handle_values(run_failure(run), &held, &failed);
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
    bool other_ok = ha ? (pb || c->ref2.kind == REF_CONST) : (pa || c->ref.kind == REF_CONST);
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
