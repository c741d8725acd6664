/* summary.h — what a function of the analysed sources does to resources,
 * as its callers see it (DESIGN "summarise"): it returns a freshly acquired
 * handle (directly or through an out-parameter), releases parameter N on all
 * paths or only on some, stores parameter N away (a transfer), or acquires
 * per request on its caller's behalf. Computed for every function of every
 * analysed file before any check runs, iterated to a fixpoint over the call
 * graph; independent of file order and of -j. */
#ifndef CONNLINT_SUMMARY_H
#define CONNLINT_SUMMARY_H

#include "ir/ir.h"
#include "cli/rulepack.h"

#include "flow/summary_table.h"

/* Builds the summaries of all functions of all units (deduplicated: a
 * function defined in a header seen by several units is summarised once). */
SummaryTable *summaries_build(IrUnit **units, int n_units, const PackSet *packs);

#endif
