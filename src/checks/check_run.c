/* check_run.c — the check stage's run: every enabled entry point of the
 * registry over every function of the units that parsed (a function
 * defined in a header once: the first unit in file order wins), then over
 * each unit, on `jobs` threads (each function's findings kept apart and
 * joined in order: the result does not depend on the number of threads),
 * then the whole-program entries once, in table order. Decides no findings
 * itself. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "checks/registry.h"
#include "common/util.h"

/* The distinct enabled entries, in table order. */
static int enabled_entries(const CheckContext *ctx, const CheckEntry **out)
{
    int n = 0;
    for (int i = 0; i < rule_info_count; i++) {
        const CheckEntry *e = rule_infos[i].check;
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

/* Runs the enabled entries on the unit's functions: those of its main file
 * (own) or those of headers not seen before (!own), then, for own, on the
 * unit itself. */
static void run_unit(const CheckContext *ctx, const IrUnit *u, bool own, HeaderFunctionsSeen *seen,
                     FindingList *out)
{
    if (u->parse_failed) return;
    const CheckEntry **entries = xcalloc((size_t)rule_info_count, sizeof *entries);
    int n_entries = enabled_entries(ctx, entries);
    for (int f = 0; f < u->n_functions; f++) {
        const IrFunction *fn = &u->functions[f];
        if (fn->in_header == own) continue;
        if (fn->in_header && !ir_definition_first(&seen->seen, fn)) continue;
        for (int e = 0; e < n_entries; e++)
            if (entries[e]->function) entries[e]->function(ctx, fn, out);
    }
    for (int e = 0; own && e < n_entries; e++)
        if (entries[e]->unit) entries[e]->unit(ctx, u, out);
    free(entries);
}

void checks_run_own(const CheckContext *ctx, const IrUnit *u, FindingList *out)
{
    run_unit(ctx, u, true, NULL, out);
}

void checks_run_headers(const CheckContext *ctx, const IrUnit *u, HeaderFunctionsSeen *seen, FindingList *out)
{
    run_unit(ctx, u, false, seen, out);
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
