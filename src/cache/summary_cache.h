/* summary_cache.h — the function summaries of a run kept in the cache
 * (README "The cache"), so that a run recomputes only the summaries whose
 * inputs changed.
 *
 * The summary stage solves the call graph one strongly connected
 * component at a time, callees first (summary.h). A component's summaries
 * are a function of its members' IR (after the values passes and the
 * never-returns refinement, which read other files) and of the final
 * summaries every name its members call resolves to outside it — nothing
 * else besides the packs, which are in the entry's key. The component's
 * digest is the SHA-256 of exactly these. Each unit's entry holds, for
 * each of its functions, the digest of the component it was solved in and
 * its summary; a component whose members all hold a record of its current
 * digest takes those summaries instead of computing them. So an edited
 * file's functions are computed again, then their callers only where a
 * callee's summary actually changed (its digest then changes too), and a
 * recursive component is always recomputed whole from empty summaries,
 * as a run from scratch does: the result cannot differ from one.
 *
 * A damaged, truncated or unreadable entry is counted as invalid, ignored
 * and written again. Single-threaded (the summary stage is). */
#ifndef CONNLINT_SUMMARY_CACHE_H
#define CONNLINT_SUMMARY_CACHE_H

#include "cache/cache_session.h"
#include "cli/rulepack.h"
#include "flow/summary.h"

typedef struct SummaryCache SummaryCache;

/* For a run whose units are those of the cache session's slots 0..n-1. */
SummaryCache *summary_cache_new(CacheSession *cs, const PackSet *packs, int n_units);
/* The hooks to give summaries_build_with. */
SummaryHooks summary_cache_hooks(SummaryCache *sc);
/* Writes the entries of the units with a summary that was computed. */
void summary_cache_store(SummaryCache *sc, SummaryTable *t);
/* Functions whose summary came from the cache. */
int summary_cache_hits(const SummaryCache *sc);
void summary_cache_free(SummaryCache *sc);

#endif
