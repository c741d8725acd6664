/* parse_finish.c — turns the builder's graph into the IrFunction of ir.h:
 * resolves gotos (with the scope ends of the scopes they leave) and
 * computed gotos, skips empty jump-only blocks, drops empty blocks that no
 * code reaches, numbers blocks in reverse postorder from the entry (the
 * true successor first, so dumps read top-down; stable), numbers the
 * globals after the locals, and copies everything into the arena.
 * All passes are linear and iterative. */
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

static void resolve_gotos(Builder *b)
{
    int *mark = xcalloc((size_t)b->scopes.len + 1, sizeof(int));
    for (int i = 0; i < b->gotos.len; i++) {
        PendingGoto *g = &b->gotos.items[i];
        Label *l = &b->labels.items[g->label];
        if (l->scope < 0) continue; /* undefined label (code with errors) */
        for (int s = l->scope; s >= 0; s = b->scopes.items[s].parent) mark[s] = i + 1;
        b->cur = g->block;
        for (int s = g->from_scope; s >= 0 && mark[s] != i + 1; s = b->scopes.items[s].parent)
            emit_scope_ends_of(b, s, g->loc, true);
        bb_jump(b, l->block);
        b->blocks.items[g->block].term_loc = g->loc;
    }
    free(mark);
}

static void resolve_indirect(Builder *b)
{
    for (int i = 0; i < b->indirect_blocks.len; i++) {
        BBlock *blk = &b->blocks.items[b->indirect_blocks.items[i]];
        for (int l = 0; l < b->labels.len; l++)
            if (b->labels.items[l].addr_taken) VEC_PUSH(blk->succ, b->labels.items[l].block);
    }
}

static bool forwardable(const BBlock *blk, int self)
{
    return blk->ev.len == 0 && blk->ended && blk->term == TERM_JUMP && blk->succ.len == 1 &&
           blk->succ.items[0] != self;
}

/* fwd[i]: where a jump to block i really lands (past empty jump blocks). */
static int *forward_targets(Builder *b)
{
    int n = b->blocks.len;
    int *fwd = xmalloc(sizeof(int) * (size_t)n);
    char *state = xcalloc((size_t)n, 1); /* 0 new, 1 on the current path, 2 done */
    IntVec path = {0};
    for (int i = 0; i < n; i++) {
        if (state[i] == 2) continue;
        path.len = 0;
        int x = i, target;
        for (;;) {
            if (state[x] == 2) { target = fwd[x]; break; }
            if (state[x] == 1 || !forwardable(&b->blocks.items[x], x) || x == 0) { target = x; break; }
            state[x] = 1;
            VEC_PUSH(path, x);
            x = b->blocks.items[x].succ.items[0];
        }
        if (i == 0) target = 0;
        for (int k = 0; k < path.len; k++) {
            fwd[path.items[k]] = target;
            state[path.items[k]] = 2;
        }
        if (state[i] != 2) {
            fwd[i] = i == 0 ? 0 : target;
            state[i] = 2;
        }
    }
    VEC_FREE(path);
    free(state);
    return fwd;
}

static bool substantive(const BBlock *blk)
{
    for (int i = 0; i < blk->ev.len; i++) {
        const IrEvent *e = &blk->ev.items[i];
        if (e->kind == EV_SCOPE_END) continue;
        if (e->kind == EV_RETURN && e->u.ret.implicit) continue;
        return true;
    }
    return false;
}

/* Blocks to keep: reachable from the entry or from any block with code. */
static char *kept_blocks(Builder *b, const int *fwd)
{
    int n = b->blocks.len;
    char *keep = xcalloc((size_t)n, 1);
    IntVec work = {0};
    for (int i = 0; i < n; i++)
        if ((i == 0 || substantive(&b->blocks.items[i])) && fwd[i] == i) {
            keep[i] = 1;
            VEC_PUSH(work, i);
        }
    while (work.len) {
        int x = work.items[--work.len];
        IntVec *s = &b->blocks.items[x].succ;
        for (int k = 0; k < s->len; k++) {
            int t = fwd[s->items[k]];
            if (!keep[t]) {
                keep[t] = 1;
                VEC_PUSH(work, t);
            }
        }
    }
    VEC_FREE(work);
    return keep;
}

/* Appends block t to block a (a ends with a jump to t, t's only
 * predecessor): straight-line code becomes one block. */
static void merge_into(BBlock *a, BBlock *t)
{
    for (int i = 0; i < t->ev.len; i++) VEC_PUSH(a->ev, t->ev.items[i]);
    VEC_FREE(a->succ);
    VEC_FREE(a->cases);
    a->succ = t->succ;
    a->cases = t->cases;
    memset(&t->succ, 0, sizeof t->succ);
    memset(&t->cases, 0, sizeof t->cases);
    a->ended = t->ended;
    a->term = t->term;
    a->cond = t->cond;
    a->cond_text = t->cond_text;
    a->switch_on = t->switch_on;
    a->default_target = t->default_target;
    a->term_loc = t->term_loc;
    t->ev.len = 0;
}

static void merge_straight_lines(Builder *b, const int *fwd, char *keep)
{
    int n = b->blocks.len;
    int *preds = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) {
        if (!keep[i]) continue;
        IntVec *s = &b->blocks.items[i].succ;
        for (int k = 0; k < s->len; k++) preds[fwd[s->items[k]]]++;
    }
    for (int i = 0; i < n; i++) {
        if (!keep[i]) continue;
        BBlock *a = &b->blocks.items[i];
        while (a->ended && a->term == TERM_JUMP && a->succ.len == 1) {
            int t = fwd[a->succ.items[0]];
            if (t == i || t == 0 || preds[t] != 1 || !keep[t]) break;
            merge_into(a, &b->blocks.items[t]);
            keep[t] = 0;
        }
    }
    free(preds);
}

/* Reverse postorder of the kept blocks: the entry's graph first (visiting
 * succ[0] last so that it comes first), then each unreachable root in
 * creation order. Iterative DFS. */
static void number_blocks(Builder *b, const int *fwd, const char *keep, int *newid, int kept)
{
    int n = b->blocks.len;
    char *seen = xcalloc((size_t)n, 1);
    int *post = xmalloc(sizeof(int) * (size_t)(kept ? kept : 1));
    int n_post = 0, base = 0;
    IntVec stack = {0}, next = {0};
    for (int root = 0; root < n; root++) {
        if (!keep[root] || seen[root]) continue;
        seen[root] = 1;
        VEC_PUSH(stack, root);
        VEC_PUSH(next, b->blocks.items[root].succ.len - 1);
        while (stack.len) {
            int x = stack.items[stack.len - 1];
            int *k = &next.items[next.len - 1];
            if (*k >= 0) {
                int t = fwd[b->blocks.items[x].succ.items[(*k)--]];
                if (!seen[t] && keep[t]) {
                    seen[t] = 1;
                    VEC_PUSH(stack, t);
                    VEC_PUSH(next, b->blocks.items[t].succ.len - 1);
                }
                continue;
            }
            post[n_post++] = x;
            stack.len--;
            next.len--;
        }
        /* this root's blocks, in reverse postorder, after the earlier roots' */
        for (int i = n_post - 1, id = base; i >= base; i--, id++) newid[post[i]] = id;
        base = n_post;
    }
    VEC_FREE(stack);
    VEC_FREE(next);
    free(post);
    free(seen);
}

static void remap_var(int *v, int n_locals)
{
    if (*v >= GLOBAL_VAR_BASE) *v = n_locals + (*v - GLOBAL_VAR_BASE);
}

static void remap_ref(IrRef *r, int n_locals)
{
    remap_var(&r->var, n_locals);
}

static void remap_event(IrEvent *e, int n_locals)
{
    switch (e->kind) {
    case EV_CALL:
        remap_ref(&e->u.call.base, n_locals);
        for (int i = 0; i < e->u.call.nargs; i++) remap_ref(&e->u.call.args[i], n_locals);
        remap_var(&e->u.call.callee_var, n_locals);
        break;
    case EV_ASSIGN:
        remap_ref(&e->u.assign.lhs, n_locals);
        remap_ref(&e->u.assign.rhs, n_locals);
        break;
    case EV_ASSIGN_COND:
        remap_ref(&e->u.assign_cond.lhs, n_locals);
        remap_ref(&e->u.assign_cond.cond.ref, n_locals);
        remap_ref(&e->u.assign_cond.cond.ref2, n_locals);
        break;
    case EV_USE: remap_ref(&e->u.use.ref, n_locals); break;
    case EV_RETURN: remap_ref(&e->u.ret.value, n_locals); break;
    case EV_SCOPE_END: remap_var(&e->u.scope.var, n_locals); break;
    case EV_FUNC_REF: break;
    }
}

/* Copies the successor list, renumbered, without duplicates for switch
 * and indirect terminators (a branch keeps both edges). */
static void copy_succ(IrBlock *out, const BBlock *in, const int *fwd, const int *newid, int *stamp,
                      int stamp_val, Arena *a)
{
    out->succ = in->succ.len ? arena_alloc(a, sizeof(int) * (size_t)in->succ.len) : NULL;
    int n = 0;
    bool dedupe = in->term == TERM_SWITCH || in->term == TERM_INDIRECT;
    for (int k = 0; k < in->succ.len; k++) {
        int t = newid[fwd[in->succ.items[k]]];
        if (dedupe && stamp[t] == stamp_val) continue;
        stamp[t] = stamp_val;
        out->succ[n++] = t;
    }
    out->n_succ = n;
}

static void copy_block(IrBlock *out, BBlock *in, const int *fwd, const int *newid, int *stamp,
                       int stamp_val, int n_locals, Arena *a)
{
    out->n_events = in->ev.len;
    out->events = in->ev.len ? arena_dup(a, in->ev.items, sizeof(IrEvent) * (size_t)in->ev.len) : NULL;
    for (int k = 0; k < out->n_events; k++) remap_event(&out->events[k], n_locals);
    out->term = in->ended ? in->term : TERM_NORETURN;
    out->cond = in->cond;
    remap_ref(&out->cond.ref, n_locals);
    remap_ref(&out->cond.ref2, n_locals);
    out->cond_text = in->cond_text;
    out->switch_on = in->switch_on;
    remap_ref(&out->switch_on, n_locals);
    out->term_loc = in->term_loc;
    out->default_target = in->default_target >= 0 ? newid[fwd[in->default_target]] : -1;
    out->n_cases = in->cases.len;
    out->cases = in->cases.len ? arena_dup(a, in->cases.items, sizeof(IrCase) * (size_t)in->cases.len) : NULL;
    for (int k = 0; k < out->n_cases; k++) out->cases[k].target = newid[fwd[out->cases[k].target]];
    copy_succ(out, in, fwd, newid, stamp, stamp_val, a);
}

IrFunction *builder_finish(Builder *b, IrFunction *fn)
{
    resolve_gotos(b);
    resolve_indirect(b);
    int n = b->blocks.len;
    int *fwd = forward_targets(b);
    char *keep = kept_blocks(b, fwd);
    merge_straight_lines(b, fwd, keep);
    int *newid = xmalloc(sizeof(int) * (size_t)n);
    int kept = 0;
    for (int i = 0; i < n; i++) {
        newid[i] = -1;
        if (keep[i]) kept++;
    }
    number_blocks(b, fwd, keep, newid, kept);
    int n_locals = b->locals.len;
    fn->n_blocks = kept;
    fn->blocks = arena_alloc(b->arena, sizeof(IrBlock) * (size_t)(kept ? kept : 1));
    int *stamp = xcalloc((size_t)(kept ? kept : 1), sizeof(int));
    for (int i = 0; i < n; i++) {
        if (!keep[i]) continue;
        IrBlock *out = &fn->blocks[newid[i]];
        out->id = newid[i];
        copy_block(out, &b->blocks.items[i], fwd, newid, stamp, i + 1, n_locals, b->arena);
    }
    free(stamp);
    free(newid);
    free(keep);
    free(fwd);
    fn->n_vars = n_locals + b->globals.len;
    fn->vars = arena_alloc(b->arena, sizeof(IrVar) * (size_t)(fn->n_vars ? fn->n_vars : 1));
    for (int i = 0; i < n_locals; i++) fn->vars[i] = b->locals.items[i];
    for (int i = 0; i < b->globals.len; i++) fn->vars[n_locals + i] = b->globals.items[i];
    fn->n_calls = b->n_calls;
    fn->truncated = b->truncated;
    return fn;
}

void builder_free(Builder *b)
{
    for (int i = 0; i < b->blocks.len; i++) {
        BBlock *blk = &b->blocks.items[i];
        VEC_FREE(blk->ev);
        VEC_FREE(blk->cases);
        VEC_FREE(blk->succ);
    }
    VEC_FREE(b->blocks);
    cursormap_free(&b->var_map);
    cursormap_free(&b->split_arrays);
    VEC_FREE(b->elements);
    VEC_FREE(b->locals);
    VEC_FREE(b->globals);
    for (int i = 0; i < b->scopes.len; i++) {
        VEC_FREE(b->scopes.items[i].cleanups);
        VEC_FREE(b->scopes.items[i].locals);
    }
    VEC_FREE(b->scopes);
    VEC_FREE(b->jumps);
    for (int i = 0; i < b->switches.len; i++) VEC_FREE(b->switches.items[i].cases);
    VEC_FREE(b->switches);
    for (int i = 0; i < b->labels.len; i++) free(b->labels.items[i].name);
    VEC_FREE(b->labels);
    free(b->label_slots);
    VEC_FREE(b->gotos);
    VEC_FREE(b->indirect_blocks);
    VEC_FREE(b->used_vars);
}
