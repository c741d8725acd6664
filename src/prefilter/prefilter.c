/* prefilter.c — the closure of files that can change a result
 * (prefilter.h): mention-wanted names reach the files mentioning them,
 * definition-wanted names the files defining them; the parsed files and
 * their summaries add names until no new file is reached. Parses nothing
 * itself: the caller parses what prefilter_pending lists. */
#include "prefilter/prefilter.h"

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
    StrMap written; /* globals (owned names) whose writers are reached */
    bool globals_read_matter;
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

/* A file whose macros paste tokens may make `name` from words it
 * mentions: it counts as mentioning (and defining) it. */
static void reach_pasters(Prefilter *pf, const char *name)
{
    for (int i = 0; i < pf->n_files; i++)
        if (!pf->reached[i] && textindex_may_paste(pf->text, i, name)) pf->reached[i] = true;
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
    reach_pasters(pf, name);
}

static void want_writers(Prefilter *pf, const char *name)
{
    if (!name) return;
    if (pf->globals_read_matter) {
        want_mention(pf, name);
        return;
    }
    if (strmap_has(&pf->written, name)) return;
    *strmap_slot(&pf->written, xstrdup(name)) = (void *)1;
    int n = 0;
    const int *files = textindex_files_writing(pf->text, name, &n);
    reach(pf, files, n);
    reach_pasters(pf, name);
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
    reach_pasters(pf, name);
}

/* The names that start what a finding or a summary effect is made of:
 * the resources' acquires, releases (functions, members, fields) and
 * transfers. The library knowledge (noreturn, takes_ownership,
 * returns_arg, deallocators) only changes the fate of a handle a function
 * already holds (prefilter.h). */
/* A pack's name may be a member (`p->close(p)`, a field release). */
static void want_pack_name(Prefilter *pf, const char *name)
{
    if (!name) return;
    want_mention(pf, name);
    int n = 0;
    const int *files = textindex_files_naming_member(pf->text, name, &n);
    reach(pf, files, n);
}

static void want_pack_names(Prefilter *pf, const PackSet *packs)
{
    for (int p = 0; p < packs->n_packs; p++) {
        for (int r = 0; r < packs->packs[p].n_resources; r++) {
            const Resource *res = &packs->packs[p].resources[r];
            for (int i = 0; i < res->n_acquire; i++) want_pack_name(pf, res->acquire[i].name);
            for (int i = 0; i < res->n_release; i++) {
                want_pack_name(pf, res->release[i].name);
                want_pack_name(pf, res->release[i].field);
            }
            for (int i = 0; i < res->n_transfer; i++) want_pack_name(pf, res->transfer[i].name);
        }
    }
}

Prefilter *prefilter_new(const TextIndex *text, int n_files, const PackSet *packs, bool globals_read_matter)
{
    Prefilter *pf = xcalloc(1, sizeof *pf);
    pf->globals_read_matter = globals_read_matter;
    pf->text = text;
    pf->packs = packs;
    pf->n_files = n_files;
    pf->reached = xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof(bool));
    for (int i = 0; i < n_files; i++) pf->reached[i] = textindex_unsure(text, i);
    want_pack_names(pf, packs);
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

static void mark_var(const IrFunction *fn, const IrRef *r, bool *marks)
{
    if (r && r->kind != REF_CONST && r->kind != REF_CALL && r->kind != REF_NONE && r->kind != REF_OTHER &&
        r->var >= 0 && r->var < fn->n_vars)
        marks[r->var] = true;
}

/* The file-scope variables of `fn` whose uses elsewhere can change what
 * the run says about `fn`: a scalar (it may be folded as a constant unless
 * written elsewhere), and a pointer or record the function writes (a
 * handle kept in a global: released or copied elsewhere), takes the
 * address of (an out-parameter acquire stores into it) or calls through
 * (its targets are assigned elsewhere). A pointer only read (`stdin`
 * passed on) is neither a constant nor a followed function pointer. */
static void globals_that_matter(const IrFunction *fn, bool *marks)
{
    for (int v = 0; v < fn->n_vars; v++)
        marks[v] = fn->vars[v].storage == VAR_GLOBAL && !fn->vars[v].is_pointer && !fn->vars[v].is_record;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            mark_var(fn, ir_event_assigned(ev), marks);
            if (ev->kind != EV_CALL) continue;
            const IrCall *call = &ev->u.call;
            if (call->callee_var >= 0 && call->callee_var < fn->n_vars) marks[call->callee_var] = true;
            if (call->callee_kind == CALLEE_MEMBER) mark_var(fn, &call->base, marks);
            for (int a = 0; a < call->nargs; a++)
                if (call->args[a].kind == REF_ADDR || call->args[a].kind == REF_ADDR_FIELD)
                    mark_var(fn, &call->args[a], marks);
        }
    }
}

/* What one parsed function needs: the definitions of what it calls, takes
 * the address of or cleans up with; every file naming a global that
 * matters to it. */
static void learn_function(Prefilter *pf, const IrUnit *u, const IrFunction *fn)
{
    bool *globals = xcalloc((size_t)fn->n_vars + 1, sizeof(bool));
    globals_that_matter(fn, globals);
    for (int v = 0; pf->globals_read_matter && v < fn->n_vars; v++) globals[v] = true; /* every use counts */
    for (int v = 0; v < fn->n_vars; v++) {
        if (globals[v] && fn->vars[v].storage == VAR_GLOBAL) want_writers(pf, fn->vars[v].name);
        want_callee(pf, u, fn->vars[v].cleanup_fn);
    }
    free(globals);
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

void prefilter_reach_all(Prefilter *pf)
{
    for (int i = 0; i < pf->n_files; i++) pf->reached[i] = true;
}

void prefilter_free(Prefilter *pf)
{
    if (!pf) return;
    for (size_t i = 0; i < pf->wanted.cap; i++) free((char *)pf->wanted.slots[i].key);
    strmap_free(&pf->wanted);
    for (size_t i = 0; i < pf->written.cap; i++) free((char *)pf->written.slots[i].key);
    strmap_free(&pf->written);
    free(pf->reached);
    free(pf);
}
