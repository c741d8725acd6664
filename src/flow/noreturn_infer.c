/* noreturn_infer.c — marks calls that never return because the callee, a
 * function of the analysed sources, cannot reach a return: every path of
 * its body ends in a noreturn call (exit, abort, a _Noreturn function, or
 * another such function), once the branches on its parameters that the
 * call's constant arguments decide are decided. The callee's CFG is walked
 * for each (callee, constant arguments) pair, memoised, to a bounded depth;
 * a parameter assigned in the body is not trusted. Reads and refines the
 * IR only: the refined block ends at the call in TERM_NORETURN. */
#include "flow/noreturn_infer.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define MAX_DEPTH 6
#define MAX_ARGS 8

typedef struct {
    const IrFunction *fn;
} Def;

typedef struct {
    Def *defs;
    int n;
} DefTable;

typedef struct {
    const IrFunction *fn;
    unsigned known;             /* bit i: argument i is a known constant */
    long long values[MAX_ARGS];
    bool result;
} Memo;

/* The memo: open addressing on (callee, known arguments, their values),
 * doubled at half load, so a lookup per call stays O(1) however many
 * calls a tree has (a list scanned per call was quadratic). */
typedef struct {
    Memo *slots; /* fn == NULL: empty */
    size_t cap, len;
} MemoTable;

typedef struct {
    DefTable defs;
    MemoTable memo;
    VEC(const IrFunction *) stack; /* functions being walked (recursion guard) */
} Infer;

static size_t memo_hash(const IrFunction *fn, unsigned known, const long long *values)
{
    unsigned long long h = hash_bytes64(1469598103934665603ULL, &fn, sizeof fn);
    h = hash_bytes64(h, &known, sizeof known);
    for (int k = 0; k < MAX_ARGS; k++)
        if (known & (1u << k)) h = hash_bytes64(h, &values[k], sizeof values[k]);
    return (size_t)h;
}

static bool memo_same(const Memo *m, const IrFunction *fn, unsigned known, const long long *values)
{
    if (m->fn != fn || m->known != known) return false;
    for (int k = 0; k < MAX_ARGS; k++)
        if ((known & (1u << k)) && m->values[k] != values[k]) return false;
    return true;
}

static Memo *memo_probe(Memo *slots, size_t cap, const IrFunction *fn, unsigned known, const long long *values)
{
    size_t i = memo_hash(fn, known, values) & (cap - 1);
    while (slots[i].fn && !memo_same(&slots[i], fn, known, values)) i = (i + 1) & (cap - 1);
    return &slots[i];
}

static const Memo *memo_find(const MemoTable *t, const IrFunction *fn, unsigned known, const long long *values)
{
    if (!t->cap) return NULL;
    const Memo *m = memo_probe(t->slots, t->cap, fn, known, values);
    return m->fn ? m : NULL;
}

static void memo_add(MemoTable *t, const Memo *m)
{
    if (2 * (t->len + 1) > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        Memo *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].fn) *memo_probe(slots, cap, t->slots[i].fn, t->slots[i].known, t->slots[i].values) = t->slots[i];
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    Memo *slot = memo_probe(t->slots, t->cap, m->fn, m->known, m->values);
    if (slot->fn) return; /* the first result stays, as a list's first match did */
    t->len++;
    *slot = *m;
}

static int def_cmp(const void *a, const void *b)
{
    return strcmp(((const Def *)a)->fn->name, ((const Def *)b)->fn->name);
}

/* The definition a call from `caller` reaches: a static function of the
 * caller's file first, else a non-static one of that name. */
static const IrFunction *def_lookup(const DefTable *t, const char *name, const char *caller_file)
{
    if (!name || t->n == 0) return NULL;
    IrFunction key_fn;
    memset(&key_fn, 0, sizeof key_fn);
    key_fn.name = name;
    Def key = {&key_fn};
    const Def *hit = bsearch(&key, t->defs, (size_t)t->n, sizeof(Def), def_cmp);
    if (!hit) return NULL;
    while (hit > t->defs && strcmp(hit[-1].fn->name, name) == 0) hit--;
    const IrFunction *global = NULL;
    for (; hit < t->defs + t->n && strcmp(hit->fn->name, name) == 0; hit++) {
        if (hit->fn->is_static) {
            if (caller_file && strcmp(hit->fn->file, caller_file) == 0) return hit->fn;
        } else if (!global) {
            global = hit->fn;
        }
    }
    return global;
}

static bool param_assigned(const IrFunction *fn, int param)
{
    for (int b = 0; b < fn->n_blocks; b++)
        for (int e = 0; e < fn->blocks[b].n_events; e++) {
            const IrEvent *ev = &fn->blocks[b].events[e];
            if ((ev->kind == EV_ASSIGN || ev->kind == EV_ASSIGN_COND) && ev->u.assign.lhs.kind == REF_VAR &&
                ev->u.assign.lhs.var == param)
                return true;
        }
    return false;
}

/* The value of `r` in a walk of `fn` with these known parameters. */
static bool ref_value(const IrFunction *fn, const IrRef *r, unsigned known, const long long *values,
                      long long *out)
{
    if (r->kind == REF_CONST) {
        *out = r->value;
        return true;
    }
    if (r->kind == REF_VAR && r->var >= 0 && r->var < fn->n_params && r->var < MAX_ARGS &&
        (known & (1u << r->var))) {
        *out = values[r->var];
        return true;
    }
    return false;
}

static bool cmp_holds(IrCmp op, long long a, long long b)
{
    switch (op) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    case CMP_GE: return a >= b;
    }
    return false;
}

static bool never_returns(Infer *in, const IrFunction *fn, unsigned known, const long long *values, int depth);

/* Does this call never return, in a walk with these known parameters? */
static bool call_never_returns(Infer *in, const IrFunction *caller, const IrCall *call, unsigned known,
                               const long long *values, int depth)
{
    if (call->noreturn) return true;
    if (call->callee_kind != CALLEE_DIRECT || depth >= MAX_DEPTH) return false;
    const IrFunction *callee = def_lookup(&in->defs, call->callee, caller->file);
    if (!callee || callee->truncated || callee->has_errors) return false;
    unsigned k2 = 0;
    long long v2[MAX_ARGS] = {0};
    for (int i = 0; i < call->nargs && i < MAX_ARGS && i < callee->n_params; i++) {
        if (ref_value(caller, &call->args[i], known, values, &v2[i])) k2 |= 1u << i;
    }
    return never_returns(in, callee, k2, v2, depth + 1);
}

static bool walk(Infer *in, const IrFunction *fn, unsigned known, const long long *values, int depth)
{
    if (fn->n_blocks == 0) return false;
    int *mark = xcalloc((size_t)fn->n_blocks, sizeof(int));
    int *queue = xmalloc(sizeof(int) * (size_t)fn->n_blocks);
    int qn = 0, qi = 0;
    bool returns = false;
    queue[qn++] = 0;
    mark[0] = 1;
    while (qi < qn && !returns) {
        const IrBlock *blk = &fn->blocks[queue[qi++]];
        bool dead = false;
        for (int e = 0; e < blk->n_events && !dead; e++)
            if (blk->events[e].kind == EV_CALL)
                dead = call_never_returns(in, fn, &blk->events[e].u.call, known, values, depth);
        if (dead || blk->term == TERM_NORETURN) continue;
        if (blk->term == TERM_RETURN) {
            returns = true;
            break;
        }
        int only = -1;
        if (blk->term == TERM_BRANCH && blk->cond.known && blk->n_succ == 2) {
            long long v;
            if (ref_value(fn, &blk->cond.ref, known, values, &v))
                only = cmp_holds(blk->cond.op, v, blk->cond.value) ? blk->succ[0] : blk->succ[1];
        }
        for (int s = 0; s < blk->n_succ; s++) {
            int t = only >= 0 ? only : blk->succ[s];
            if (t >= 0 && t < fn->n_blocks && !mark[t]) {
                mark[t] = 1;
                queue[qn++] = t;
            }
            if (only >= 0) break;
        }
    }
    free(queue);
    free(mark);
    return !returns;
}

static bool never_returns(Infer *in, const IrFunction *fn, unsigned known, const long long *values, int depth)
{
    /* parameters the body assigns are not what the caller passed */
    for (int i = 0; known && i < fn->n_params && i < MAX_ARGS; i++)
        if ((known & (1u << i)) && param_assigned(fn, i)) known &= ~(1u << i);
    const Memo *hit = memo_find(&in->memo, fn, known, values);
    if (hit) return hit->result;
    for (int i = 0; i < in->stack.len; i++)
        if (in->stack.items[i] == fn) return false; /* recursion: assume it returns */
    VEC_PUSH(in->stack, fn);
    bool r = walk(in, fn, known, values, depth);
    in->stack.len--;
    Memo m;
    memset(&m, 0, sizeof m);
    m.fn = fn;
    m.known = known;
    for (int k = 0; k < MAX_ARGS; k++)
        if (known & (1u << k)) m.values[k] = values[k];
    m.result = r;
    memo_add(&in->memo, &m);
    return r;
}

/* Ends block `b` at its event `e` (a call now known never to return). */
static void end_block_at(IrFunction *fn, int b, int e)
{
    IrBlock *blk = &fn->blocks[b];
    blk->events[e].u.call.noreturn = true;
    blk->n_events = e + 1;
    blk->term = TERM_NORETURN;
    blk->n_succ = 0;
    blk->n_cases = 0;
    blk->term_loc = blk->events[e].u.call.loc;
}

int noreturn_refine(IrUnit **units, int n_units)
{
    Infer in;
    memset(&in, 0, sizeof in);
    VEC(Def) defs = {0};
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) {
            Def d = {&units[u]->functions[f]};
            if (d.fn->name) VEC_PUSH(defs, d);
        }
    }
    if (defs.len) qsort(defs.items, (size_t)defs.len, sizeof(Def), def_cmp);
    in.defs.defs = defs.items;
    in.defs.n = defs.len;
    int marked = 0;
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) {
            IrFunction *fn = &units[u]->functions[f];
            for (int b = 0; b < fn->n_blocks; b++) {
                IrBlock *blk = &fn->blocks[b];
                for (int e = 0; e < blk->n_events; e++) {
                    IrEvent *ev = &blk->events[e];
                    if (ev->kind != EV_CALL || ev->u.call.noreturn) continue;
                    long long none[MAX_ARGS] = {0};
                    if (call_never_returns(&in, fn, &ev->u.call, 0, none, 0)) {
                        end_block_at(fn, b, e);
                        marked++;
                        break;
                    }
                }
            }
        }
    }
    VEC_FREE(defs);
    free(in.memo.slots);
    VEC_FREE(in.stack);
    return marked;
}
