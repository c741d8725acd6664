/* prefilter.c — the closure of files that can change a result
 * (prefilter.h): mention-wanted names reach the files mentioning them,
 * definition-wanted names the files defining them; the parsed files and
 * their summaries add names until no new file is reached. Parses nothing
 * itself: the caller parses what prefilter_pending lists. */
#include "cli/prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"
#include "common/util.h"

#define WANT_DEFINITION ((void *)1)
#define WANT_MENTION ((void *)2)

struct Prefilter {
    const TextIndex *text;
    const PackSet *packs;
    int n_files;
    StrMap wanted; /* name (owned) -> WANT_DEFINITION or WANT_MENTION (the stronger) */
    bool *reached;
};

static void reach(Prefilter *pf, const int *files, int n)
{
    for (int i = 0; i < n; i++) pf->reached[files[i]] = true;
}

/* The slot of `name` in the wanted names, its key a copy (names may come
 * from IR that is freed before the closure ends). */
static void **wanted_slot(Prefilter *pf, const char *name)
{
    if (!strmap_has(&pf->wanted, name)) strmap_slot(&pf->wanted, xstrdup(name));
    return strmap_slot(&pf->wanted, name);
}

static void want_mention(Prefilter *pf, const char *name)
{
    if (!name) return;
    void **slot = wanted_slot(pf, name);
    if (*slot == WANT_MENTION) return;
    *slot = WANT_MENTION;
    int n = 0;
    const int *files = textindex_files_mentioning(pf->text, name, &n);
    reach(pf, files, n);
}

/* A header's definition: one includer is enough, and none is needed when
 * a reached file includes the header already. */
static void reach_one_includer(const int *files, int n, void *data)
{
    Prefilter *pf = data;
    for (int i = 0; i < n; i++)
        if (pf->reached[files[i]]) return;
    if (n > 0) pf->reached[files[0]] = true;
}

static void want_definition(Prefilter *pf, const char *name)
{
    if (!name) return;
    void **slot = wanted_slot(pf, name);
    if (*slot) return;
    *slot = WANT_DEFINITION;
    int n = 0;
    const int *files = textindex_files_defining(pf->text, name, &n);
    reach(pf, files, n);
    textindex_header_definitions(pf->text, name, reach_one_includer, pf);
}

static void want_pack_name(const char *name, void *data) { want_mention(data, name); }

static void want_if_deallocator(const char *word, void *data)
{
    Prefilter *pf = data;
    if (packset_is_deallocator(pf->packs, word)) want_mention(pf, word);
}

Prefilter *prefilter_new(const TextIndex *text, int n_files, const PackSet *packs)
{
    Prefilter *pf = xcalloc(1, sizeof *pf);
    pf->text = text;
    pf->packs = packs;
    pf->n_files = n_files;
    pf->reached = xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof(bool));
    for (int i = 0; i < n_files; i++) pf->reached[i] = textindex_unsure(text, i);
    packset_each_name(packs, want_pack_name, pf);
    textindex_each_word(text, want_if_deallocator, pf); /* deallocator suffixes */
    return pf;
}

int prefilter_pending(const Prefilter *pf, IrUnit *const *units, int *out)
{
    int n = 0;
    for (int i = 0; i < pf->n_files; i++)
        if (pf->reached[i] && !units[i]) out[n++] = i;
    return n;
}

/* A static function of the unit (its own file's or a header's) is the one
 * its calls reach; an extern one may have a namesake elsewhere. */
static bool unit_defines_static(const IrUnit *u, const char *name)
{
    for (int f = 0; f < u->n_functions; f++)
        if (u->functions[f].is_static && u->functions[f].name && strcmp(u->functions[f].name, name) == 0)
            return true;
    return false;
}

static void want_callee(Prefilter *pf, const IrUnit *u, const char *name)
{
    if (name && !strmap_has(&pf->wanted, name) && !unit_defines_static(u, name)) want_definition(pf, name);
}

/* What one parsed function needs: the definitions of what it calls, takes
 * the address of or cleans up with; every file naming a global it names. */
static void learn_function(Prefilter *pf, const IrUnit *u, const IrFunction *fn)
{
    for (int v = 0; v < fn->n_vars; v++) {
        if (fn->vars[v].storage == VAR_GLOBAL) want_mention(pf, fn->vars[v].name);
        want_callee(pf, u, fn->vars[v].cleanup_fn);
    }
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            if (ev->kind == EV_FUNC_REF) want_callee(pf, u, ev->u.func_ref.name);
            if (ev->kind != EV_CALL || ev->u.call.callee_kind != CALLEE_DIRECT) continue;
            want_callee(pf, u, ev->u.call.callee);
            want_callee(pf, u, ev->u.call.spelled);
        }
    }
}

static bool has_effect(const FunctionSummary *s)
{
    if (s->acquires) return true;
    for (int k = 0; s->params && k < s->n_params; k++)
        if (s->params[k] != PARAM_BORROWS) return true;
    return false;
}

void prefilter_learn(Prefilter *pf, IrUnit *const *units, const SummaryTable *summaries)
{
    for (int i = 0; i < pf->n_files; i++) {
        const IrUnit *u = units[i];
        if (!u) continue;
        for (int f = 0; f < u->n_functions; f++) learn_function(pf, u, &u->functions[f]);
        for (int g = 0; g < u->n_global_refs; g++) want_callee(pf, u, u->global_refs[g].name);
        for (int g = 0; g < u->n_global_vars; g++) want_callee(pf, u, u->global_vars[g].init_func);
    }
    SummaryTable *t = (SummaryTable *)summaries; /* summary_table_at is not const */
    for (int k = 0; t && k < summary_table_count(t); k++) {
        const FunctionSummary *s = summary_table_at(t, k);
        if (has_effect(s)) want_mention(pf, s->name);
    }
}

bool prefilter_reached(const Prefilter *pf, int file)
{
    return file >= 0 && file < pf->n_files && pf->reached[file];
}

void prefilter_free(Prefilter *pf)
{
    if (!pf) return;
    for (size_t i = 0; i < pf->wanted.cap; i++) free((char *)pf->wanted.slots[i].key);
    strmap_free(&pf->wanted);
    free(pf->reached);
    free(pf);
}
