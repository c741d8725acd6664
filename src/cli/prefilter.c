/* prefilter.c — the closure of files that can matter (prefilter.h): wanted
 * names select the files that mention them, parsing those reveals more
 * wanted names, until nothing new is reached. Names are the IR's and the
 * packs' own strings (they outlive the closure). */
#include "cli/prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"
#include "common/util.h"

typedef struct {
    const TextIndex *text;
    StrMap wanted;
    bool *want;  /* per file */
    bool grew;   /* a name was added in this pass */
} Closure;

/* A name whose users matter (every file that mentions it) or, for a
 * callee, whose definition matters (every file that may define it). Values
 * in `wanted`: 1 definitions, 2 users (which include the definitions). */
static void want(Closure *c, const char *name, bool users)
{
    if (!name) return;
    void **slot = strmap_slot(&c->wanted, name);
    void *level = users ? (void *)2 : (void *)1;
    if (*slot == level || *slot == (void *)2) return;
    *slot = level;
    c->grew = true;
    int n = 0;
    const int *files = users ? textindex_files_mentioning(c->text, name, &n)
                             : textindex_files_may_define(c->text, name, &n);
    for (int i = 0; i < n; i++) c->want[files[i]] = true;
}

static void want_name(Closure *c, const char *name) { want(c, name, true); }
static void want_definition(Closure *c, const char *name) { want(c, name, false); }

static void want_pack_name(const char *name, void *data) { want_name(data, name); }

/* Names whose users matter: pack names and functions that may act on
 * resources (or never return) for their callers. */
static bool wanted(const Closure *c, const char *name) { return name && strmap_get(&c->wanted, name) == (void *)2; }

static bool needed(const Closure *c, const char *name) { return name && strmap_has(&c->wanted, name); }

/* Does the function call, reference or clean up with a wanted name, or
 * contain a call that never returns? Then it may do to its callers what
 * those names do. */
static bool function_is_relevant(const Closure *c, const IrFunction *fn)
{
    for (int v = 0; v < fn->n_vars; v++)
        if (wanted(c, fn->vars[v].cleanup_fn)) return true;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->term == TERM_NORETURN) return true;
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            if (ev->kind == EV_FUNC_REF && wanted(c, ev->u.func_ref.name)) return true;
            if (ev->kind != EV_CALL) continue;
            const IrCall *call = &ev->u.call;
            if (call->noreturn || wanted(c, call->callee) || wanted(c, call->spelled)) return true;
        }
    }
    return false;
}

static bool passes_a_value(const IrCall *call)
{
    for (int i = 0; i < call->nargs; i++)
        if (call->args[i].kind != REF_CONST && call->args[i].kind != REF_NONE) return true;
    return false;
}

/* The callees a handle may be handed to: their definitions decide whether
 * it is stored away or returned. */
static void want_callees(Closure *c, const IrFunction *fn)
{
    for (int v = 0; v < fn->n_vars; v++) want_definition(c, fn->vars[v].cleanup_fn);
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrCall *call = blk->events[e].kind == EV_CALL ? &blk->events[e].u.call : NULL;
            if (call && call->callee_kind == CALLEE_DIRECT && passes_a_value(call)) want_definition(c, call->callee);
        }
    }
}

/* A handle such a function stores in a file-scope variable is released (or
 * copied, returned, passed on) wherever that variable is named
 * (global-handle-unreleased looks at the whole program): every file that
 * names it is parsed. */
static void want_globals(Closure *c, const IrFunction *fn)
{
    for (int v = 0; v < fn->n_vars; v++)
        if (fn->vars[v].storage == VAR_GLOBAL) want_name(c, fn->vars[v].name);
}

static void grow_from_units(Closure *c, IrUnit **units, int n_files)
{
    do {
        c->grew = false;
        for (int i = 0; i < n_files; i++) {
            if (!units[i]) continue;
            for (int f = 0; f < units[i]->n_functions; f++) {
                const IrFunction *fn = &units[i]->functions[f];
                if (function_is_relevant(c, fn)) {
                    want_name(c, fn->name);
                    want_globals(c, fn);
                }
                if (needed(c, fn->name)) want_callees(c, fn);
            }
        }
    } while (c->grew);
}

static bool anything_to_parse(const Closure *c, IrUnit **units, int n_files)
{
    for (int i = 0; i < n_files; i++)
        if (c->want[i] && !units[i]) return true;
    return false;
}

int prefilter_parse_closure(const TextIndex *text, int n_files, const PackSet *packs, PrefilterParse parse,
                            void *data, IrUnit **units)
{
    Closure c = {text, {0}, xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof(bool)), false};
    for (int i = 0; i < n_files; i++) c.want[i] = textindex_unsure(text, i);
    packset_each_name(packs, want_pack_name, &c);
    /* suppression comments (connlint-ignore, NOLINT(connlint-...)): their
     * file is scanned for them, warned about, reported when unused */
    int n_marked = 0;
    const int *marked = textindex_files_mentioning(text, "connlint", &n_marked);
    for (int i = 0; i < n_marked; i++) c.want[marked[i]] = true;
    while (anything_to_parse(&c, units, n_files)) {
        parse(data, c.want, units);
        grow_from_units(&c, units, n_files);
    }
    int parsed = 0;
    for (int i = 0; i < n_files; i++) parsed += units[i] != NULL;
    strmap_free(&c.wanted);
    free(c.want);
    return parsed;
}
