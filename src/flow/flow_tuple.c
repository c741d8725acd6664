/* flow_tuple.c — the tuples of the resource-flow engine: their holders,
 * status places and branch facts, how facts are set and forgotten, and
 * the merge of two tuples with the same key (facts intersected). No
 * condition evaluation (flow_cond.c), no events, no CFG. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "common/util.h"

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
void tuple_forget_facts_on(Tuple *t, const Place *p)
{
    for (int i = t->n_facts - 1; i >= 0; i--)
        if (place_inside(&t->facts[i].place, p)) remove_fact_at(t, i);
}

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
    /* full: forget the oldest fact about a global (a logging macro tests
     * half a dozen level and output globals each time it runs, and they
     * would crowd out the local flags of the function: `dispatched = 0;
     * ... LOG(...); ... if (!dispatched)`), else the oldest constant
     * assignment, else the oldest fact (forgetting is always safe; what
     * branches taught is kept longest, as correlated tests need it) */
    if (t->n_facts >= FLOW_MAX_FACTS) {
        int victim = -1;
        for (int i = 0; i < t->n_facts && victim < 0; i++) {
            const Place *q = &t->facts[i].place;
            if (q->kind != PLACE_CALL && q->var >= 0 && q->var < run->fn->n_vars &&
                run->fn->vars[q->var].storage == VAR_GLOBAL)
                victim = i;
        }
        for (int i = 0; i < t->n_facts && victim < 0; i++)
            if (!t->facts[i].tested) victim = i;
        remove_fact_at(t, victim < 0 ? 0 : victim);
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
    return a->hs == b->hs && a->esc == b->esc && a->quiet == b->quiet && a->handed == b->handed &&
           a->esc_param == b->esc_param && a->lost_block == b->lost_block &&
           a->lost_event == b->lost_event && (a->hs != HS_ESCAPED || a->store_var == b->store_var) &&
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
    t->store_var = -1;
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
