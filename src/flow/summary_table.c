/* summary_table.c — the table of function summaries (summary_table.h):
 * one entry per function definition in (file, name, line) order, an index
 * by name, and the lookup of a callee that respects static linkage. It
 * computes no summary (summary.c does, with the flow engine). */
#include "flow/summary_table.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

typedef struct {
    FunctionSummary s;
    const IrFunction *fn;
    int unit;           /* index of the unit whose IR holds fn */
} Entry;

struct SummaryTable {
    Entry *entries;     /* sorted by (file, name, line): processing order */
    int n;
    int *by_name;       /* entry indexes sorted by (name, file) */
    VEC(char *) kept;   /* strings summaries point to that the table owns */
};

static int entry_cmp(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    int c = strcmp(x->fn->file, y->fn->file);
    if (c) return c;
    if ((c = strcmp(x->fn->name, y->fn->name))) return c;
    return (x->fn->loc.line > y->fn->loc.line) - (x->fn->loc.line < y->fn->loc.line);
}

/* An entry's name and index: by_name is sorted through these, so the
 * comparator needs no context beyond its two arguments. */
typedef struct {
    const char *name;
    int index;
} NameKey;

static int name_key_cmp(const void *a, const void *b)
{
    const NameKey *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return (x->index > y->index) - (x->index < y->index);
}

static void sort_by_name(SummaryTable *t)
{
    NameKey *keys = xmalloc((size_t)(t->n + 1) * sizeof(NameKey));
    for (int i = 0; i < t->n; i++) {
        keys[i].name = t->entries[i].s.name;
        keys[i].index = i;
    }
    if (t->n > 1) qsort(keys, (size_t)t->n, sizeof(NameKey), name_key_cmp);
    t->by_name = xmalloc((size_t)(t->n + 1) * sizeof(int));
    for (int i = 0; i < t->n; i++) t->by_name[i] = keys[i].index;
    free(keys);
}

SummaryTable *summary_table_new(IrUnit **units, int n_units)
{
    SummaryTable *t = xcalloc(1, sizeof *t);
    VEC(Entry) v = {0};
    IrDefinitionSet seen = {0}; /* a function defined in a header is seen once per including unit */
    for (int u = 0; u < n_units; u++) {
        if (!units[u] || units[u]->parse_failed) continue;
        for (int f = 0; f < units[u]->n_functions; f++) {
            const IrFunction *fn = &units[u]->functions[f];
            if (!fn->name || !fn->file || fn->truncated || fn->has_errors) continue; /* recovered IR: no summary */
            if (!ir_definition_first(&seen, fn)) continue;
            Entry e;
            memset(&e, 0, sizeof e);
            e.fn = fn;
            e.unit = u;
            VEC_PUSH(v, e);
        }
    }
    ir_definition_set_free(&seen);
    if (v.len > 1) qsort(v.items, (size_t)v.len, sizeof(Entry), entry_cmp);
    t->entries = v.items;
    t->n = v.len;
    for (int i = 0; i < t->n; i++) {
        Entry *e = &t->entries[i];
        e->s.name = xstrdup(e->fn->name);
        e->s.file = xstrdup(e->fn->file);
        e->s.is_static = e->fn->is_static;
        e->s.acquire_result_arg = -1;
        e->s.acquire_unless_zero = -1;
        e->s.returns_param = -1;
        e->s.n_params = e->fn->n_params;
        e->s.params = xcalloc((size_t)(e->fn->n_params + 1), sizeof(ParamEffect));
        e->s.param_res = xcalloc((size_t)(e->fn->n_params + 1), sizeof(Resource *));
    }
    sort_by_name(t);
    return t;
}

const FunctionSummary *summary_lookup(const SummaryTable *t, const char *name, const char *caller_file)
{
    if (!t || !name) return NULL;
    int lo = 0, hi = t->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (strcmp(t->entries[t->by_name[mid]].s.name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    const FunctionSummary *global = NULL, *from_header = NULL;
    for (int i = lo; i < t->n; i++) {
        const Entry *e = &t->entries[t->by_name[i]];
        const FunctionSummary *s = &e->s;
        if (strcmp(s->name, name) != 0) break;
        if (s->is_static) {
            /* a static function is seen from its own file, and a static
             * (inline) one of a header from the files that include it */
            if (caller_file && strcmp(s->file, caller_file) == 0) return s;
            if (e->fn->in_header && !from_header) from_header = s;
        } else if (!global) {
            global = s;
        }
    }
    return global ? global : from_header;
}

int summary_table_count(const SummaryTable *t) { return t ? t->n : 0; }

FunctionSummary *summary_table_at(SummaryTable *t, int i) { return &t->entries[i].s; }

const IrFunction *summary_table_function(const SummaryTable *t, int i) { return t->entries[i].fn; }

int summary_table_unit(const SummaryTable *t, int i) { return t->entries[i].unit; }

const char *summary_table_keep(SummaryTable *t, char *s)
{
    if (s) VEC_PUSH(t->kept, s);
    return s;
}

void summaries_free(SummaryTable *t)
{
    if (!t) return;
    for (int i = 0; i < t->n; i++) {
        FunctionSummary *s = &t->entries[i].s;
        free((char *)s->name);
        free((char *)s->file);
        free(s->chain);
        free(s->params);
        free(s->param_res);
    }
    for (int i = 0; i < t->kept.len; i++) free(t->kept.items[i]);
    VEC_FREE(t->kept);
    free(t->entries);
    free(t->by_name);
    free(t);
}

const char *summary_param_name(const FunctionSummary *s, int i)
{
    const Entry *e = (const Entry *)s; /* s is the first member of its entry */
    if (!e->fn || i < 0 || i >= e->fn->n_params || i >= e->fn->n_vars) return NULL;
    return e->fn->vars[i].name;
}
