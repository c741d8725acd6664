/* check_run.c — the check stage's run: every enabled entry point of the
 * registry over every function of the units that parsed (a function
 * defined in a header once: the first unit in file order wins), then over
 * each unit, then the whole-program entries once, in table order. Which
 * unit checks a header's function is decided apart from the checking
 * (checks_claim_headers), so that a caller may check units on several
 * threads (main.c) and still give each function to the first unit in file
 * order. Reads its inputs only: entries may run on several threads at
 * once. Decides no findings itself. */
#include <stdlib.h>

#include "checks/registry.h"
#include "common/util.h"

/* The distinct enabled entries, in table order. */
static int enabled_entries(const CheckContext *ctx, const CheckEntry **out)
{
    int n = 0;
    for (int i = 0; i < rule_info_count; i++) {
        const CheckEntry *e = rule_check_entry(i);
        bool dup = false;
        for (int k = 0; k < n; k++) dup = dup || out[k] == e;
        if (e && !dup && (!e->enabled || e->enabled(ctx))) out[n++] = e;
    }
    return n;
}

struct HeaderFunctionsSeen {
    IrDefinitionSet seen;
};

HeaderFunctionsSeen *header_functions_seen_new(void)
{
    return xcalloc(1, sizeof(HeaderFunctionsSeen));
}

void header_functions_seen_free(HeaderFunctionsSeen *h)
{
    if (!h) return;
    ir_definition_set_free(&h->seen);
    free(h);
}

/* Runs the enabled entries on the given functions, then (unit not NULL)
 * on the unit itself. */
static void run_entries(const CheckContext *ctx, const IrFunction *const *fns, int n_fns, const IrUnit *unit,
                        FindingList *out)
{
    const CheckEntry **entries = xcalloc((size_t)rule_info_count, sizeof *entries);
    int n_entries = enabled_entries(ctx, entries);
    for (int f = 0; f < n_fns; f++)
        for (int e = 0; e < n_entries; e++)
            if (entries[e]->function) entries[e]->function(ctx, fns[f], out);
    for (int e = 0; unit && e < n_entries; e++)
        if (entries[e]->unit) entries[e]->unit(ctx, unit, out);
    free(entries);
}

void checks_run_own(const CheckContext *ctx, const IrUnit *u, FindingList *out)
{
    if (u->parse_failed) return;
    VEC(const IrFunction *) own = {0};
    for (int f = 0; f < u->n_functions; f++)
        if (!u->functions[f].in_header) VEC_PUSH(own, &u->functions[f]);
    run_entries(ctx, own.items, own.len, u, out);
    VEC_FREE(own);
}

const IrFunction **checks_claim_headers(const IrUnit *u, HeaderFunctionsSeen *seen, int *n)
{
    VEC(const IrFunction *) claimed = {0};
    for (int f = 0; !u->parse_failed && f < u->n_functions; f++) {
        const IrFunction *fn = &u->functions[f];
        if (fn->in_header && ir_definition_first(&seen->seen, fn)) VEC_PUSH(claimed, fn);
    }
    *n = claimed.len;
    return claimed.items;
}

void checks_run_functions(const CheckContext *ctx, const IrFunction *const *fns, int n, FindingList *out)
{
    run_entries(ctx, fns, n, NULL, out);
}

void checks_run_headers(const CheckContext *ctx, const IrUnit *u, HeaderFunctionsSeen *seen, FindingList *out)
{
    int n = 0;
    const IrFunction **fns = checks_claim_headers(u, seen, &n);
    checks_run_functions(ctx, fns, n, out);
    free(fns);
}

void checks_run_program(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out)
{
    const CheckEntry **entries = xcalloc((size_t)rule_info_count, sizeof *entries);
    int n_entries = enabled_entries(ctx, entries);
    for (int e = 0; e < n_entries; e++)
        if (entries[e]->program) entries[e]->program(ctx, units, n_units, out);
    free(entries);
}

void checks_run(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out)
{
    HeaderFunctionsSeen *seen = header_functions_seen_new();
    for (int i = 0; i < n_units; i++) {
        checks_run_headers(ctx, units[i], seen, out);
        checks_run_own(ctx, units[i], out);
    }
    header_functions_seen_free(seen);
    checks_run_program(ctx, units, n_units, out);
}
