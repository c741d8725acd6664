/* check_run.c — the check stage's run: every enabled entry point of the
 * registry over every function of the units that parsed (a function
 * defined in a header once: the first unit in file order wins), then over
 * each unit. Decides no findings itself. */
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

void checks_run(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out)
{
    const CheckEntry **entries = xcalloc((size_t)rule_info_count, sizeof *entries);
    int n_entries = enabled_entries(ctx, entries);
    IrDefinitionSet seen = {0}; /* a header's functions are checked once */
    for (int i = 0; i < n_units; i++) {
        const IrUnit *u = units[i];
        if (u->parse_failed) continue;
        for (int f = 0; f < u->n_functions; f++) {
            const IrFunction *fn = &u->functions[f];
            if (!ir_definition_first(&seen, fn)) continue;
            for (int e = 0; e < n_entries; e++)
                if (entries[e]->function) entries[e]->function(ctx, fn, out);
        }
        for (int e = 0; e < n_entries; e++)
            if (entries[e]->unit) entries[e]->unit(ctx, u, out);
    }
    ir_definition_set_free(&seen);
    free(entries);
}
