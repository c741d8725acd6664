/* cache_deps.h — the digest of everything the checks of one unit read
 * besides the packs and the configuration (which are in the result key):
 * the unit's IR after noreturn_refine (the refinement depends on other
 * files' functions) and the summary that every name the unit calls or uses
 * as a value resolves to, looked up exactly as the checks look it up (from
 * the file of the function that names it). Equal digests mean the checks
 * would produce the same findings, so the cached ones are used. */
#ifndef CONNLINT_CACHE_DEPS_H
#define CONNLINT_CACHE_DEPS_H

#include "cache/sha256.h"
#include "flow/summary.h"
#include "ir/ir.h"

void cache_deps_digest(const IrUnit *refined, const SummaryTable *t, char out[SHA256_HEX_LEN + 1]);

/* Adds a summary's every field to a digest (NULL: "no summary"). */
void summary_digest_add(Sha256 *h, const FunctionSummary *s);

#endif
