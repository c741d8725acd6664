/* cache_session.h — the persistent cache as one run uses it (README
 * "Cache"). Three kinds of entry per file, one of each per file and
 * configuration (an edit overwrites the entry instead of adding one):
 *
 *  - "unit": the file's IR as the parse stage produced it. Its key is the
 *    file's path, its compiler arguments, the current directory, the
 *    connlint and libclang versions; inside, the SHA-256 of the file and of
 *    every header the translation unit read (libclang's inclusion list) —
 *    the entry is used only when all of them still hash the same. Files
 *    that had parse errors are never stored (a header that was missing may
 *    appear).
 *  - "result": the findings of the checks on that unit. Its key adds what
 *    configures the checks (packs, handlers); inside, the unit's source
 *    digest and the digest of everything the checks read besides the
 *    file's own IR — the summaries of every function the file calls or
 *    names and the never-returns refinement of its calls (cache_deps.h) —
 *    so a file is checked again when a helper in another file changes what
 *    it does.
 *  - "summary": the summaries of the unit's functions with the digest of
 *    what each was computed from (summary_cache.h), so that a run
 *    recomputes only the summaries whose inputs changed.
 *
 * Thread-safe: the parse workers look units up and store them in parallel.
 * Nothing here decides what to analyse; main.c does. */
#ifndef CONNLINT_CACHE_SESSION_H
#define CONNLINT_CACHE_SESSION_H

#include <stdbool.h>

#include "cache/sha256.h"
#include "common/finding.h"
#include "ir/ir.h"

typedef struct CacheSession CacheSession;

typedef struct {
    int unit_hits, unit_misses, unit_invalid; /* invalid: ignored and rebuilt */
    int result_hits, result_misses, result_invalid;
    int summary_invalid; /* summary entries that could not be trusted */
} CacheStats;

/* NULL when the folder cannot be created (a warning is printed).
 * parse_salt: what besides the file and its arguments determines the IR
 * (libclang version); check_salt: what configures the checks. */
CacheSession *cache_session_new(const char *dir, const char *parse_salt, const char *check_salt);
void cache_session_free(CacheSession *s);

/* Adds to what configures the checks something known only after the parse
 * (the pack derived from the sources' attributes): before any result entry
 * is looked up. */
void cache_session_add_check_salt(CacheSession *s, const char *more);

/* Per file: compute the keys and try the unit entry. Returns the cached
 * unit or NULL (then parse, and store with cache_session_store_unit).
 * `slot` identifies the file in this session (0 .. n_files-1). */
void cache_session_reserve(CacheSession *s, int n_files);
IrUnit *cache_session_load_unit(CacheSession *s, int slot, const char *file, char *const *args, int n_args);
void cache_session_store_unit(CacheSession *s, int slot, const IrUnit *u);

/* The findings of the checks on the unit of `slot`, appended to `out`, if
 * an entry has them for this deps digest. */
bool cache_session_load_results(CacheSession *s, int slot, const char *deps_digest, FindingList *out);
void cache_session_store_results(CacheSession *s, int slot, const char *deps_digest, const Finding *items, int n);

/* The summary entry of the unit of `slot` (summary_cache.h encodes it):
 * its key is the unit's key and what configures the checks (the packs);
 * what it holds is checked by its reader. False when there is none or it
 * is damaged (counted as invalid). Single-threaded. */
bool cache_session_load_summaries(CacheSession *s, int slot, unsigned char **payload, size_t *len);
void cache_session_store_summaries(CacheSession *s, int slot, const void *payload, size_t len);
/* An entry the reader found malformed: counted as invalid (rebuilt). */
void cache_session_summaries_invalid(CacheSession *s);

CacheStats cache_session_stats(const CacheSession *s);
const char *cache_session_dir(const CacheSession *s);

#endif
