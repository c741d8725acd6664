/* check_run.c — the check stage's run: every enabled entry point of the
 * registry over every function of the units that parsed (a function
 * defined in a header once: the first unit in file order wins), then over
 * each unit. Decides no findings itself. */
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "common/util.h"

/* A function defined in a header is seen by every unit that includes it:
 * analyse it once. */
typedef struct {
    const char *file;
    const char *name;
    int line;
} FnKey;

typedef VEC(FnKey) FnKeyVec;

static int fnkey_cmp(const FnKey *x, const FnKey *y)
{
    int c = strcmp(x->file, y->file);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool fn_seen(FnKeyVec *seen, const IrFunction *fn)
{
    FnKey key = {fn->file, fn->name, fn->loc.line};
    for (int i = 0; i < seen->len; i++)
        if (fnkey_cmp(&seen->items[i], &key) == 0) return true;
    VEC_PUSH(*seen, key);
    return false;
}

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
    FnKeyVec seen = {0};
    for (int i = 0; i < n_units; i++) {
        const IrUnit *u = units[i];
        if (u->parse_failed) continue;
        for (int f = 0; f < u->n_functions; f++) {
            const IrFunction *fn = &u->functions[f];
            if (fn->in_header && fn_seen(&seen, fn)) continue;
            for (int e = 0; e < n_entries; e++)
                if (entries[e]->function) entries[e]->function(ctx, fn, out);
        }
        for (int e = 0; e < n_entries; e++)
            if (entries[e]->unit) entries[e]->unit(ctx, u, out);
    }
    VEC_FREE(seen);
    free(entries);
}
