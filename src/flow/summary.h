/* summary.h — what a function of the analysed sources does to resources,
 * as its callers see it (DESIGN "summarise"): it returns a freshly acquired
 * handle (directly or through an out-parameter), releases parameter N on all
 * paths or only on some, stores parameter N away (a transfer), or acquires
 * per request on its caller's behalf. Computed for every function of every
 * analysed file before any check runs, iterated to a fixpoint over each
 * strongly connected component of the call graph, callees first;
 * independent of file order and of -j. */
#ifndef CONNLINT_SUMMARY_H
#define CONNLINT_SUMMARY_H

#include "ir/ir.h"
#include "cli/rulepack.h"

#include "flow/summary_table.h"

/* Builds the summaries of all functions of all units (deduplicated: a
 * function defined in a header seen by several units is summarised once). */
SummaryTable *summaries_build(IrUnit **units, int n_units, const PackSet *packs);

/* What a persistent cache (src/cache/summary_cache.h) can do for the
 * build. The functions are solved one strongly connected component of the
 * call graph (by callee name) at a time, callees' components first; when
 * a component is reached, every summary its members read from outside it
 * is final. `reuse` may then fill in the members' summaries (table
 * indexes `members`, ascending) and return true: they are not computed.
 * Otherwise they are computed from empty summaries, and `computed` is
 * told. Either may be NULL. */
typedef struct {
    void *ctx;
    bool (*reuse)(void *ctx, SummaryTable *t, const int *members, int n);
    void (*computed)(void *ctx, SummaryTable *t, const int *members, int n);
} SummaryHooks;

typedef struct {
    int computed; /* summaries computed (one per function and sweep) */
    int reused;   /* functions whose summaries `reuse` filled in */
} SummaryBuildStats;

/* jobs >= 2: components all of whose callees' components are solved are
 * solved on up to `jobs` threads at once (the hooks are called one at a
 * time); the table and the stats are those of jobs = 1. */
SummaryTable *summaries_build_with(IrUnit **units, int n_units, const PackSet *packs, const SummaryHooks *hooks,
                                   int jobs, SummaryBuildStats *stats);

#endif
