/* prefilter.h — which files can change a result, decided from their text
 * before parsing them (README "Parse only what can matter").
 *
 * The text index (textscan.h) says which identifiers each file mentions
 * (its own text and its project headers') and which functions its own
 * text defines. Three kinds of wanted names grow from the loaded packs and
 * from what the reached files show once parsed:
 *
 *   MENTION-wanted — every file mentioning the name is reached:
 *     - every acquire, release (function, member, field) and transfer
 *       name of the loaded packs' resources (also used as a member);
 *     - every function of the reached files whose summary — computed, as
 *       the run computes it, on the reached files (values, never-returns
 *       inference, summaries) — acquires for its caller, or does anything
 *       but borrow to a parameter (releases, maybe releases, transfers).
 *   WRITE-wanted — every file that may write the variable (`v =`, `v +=`,
 *     `v++`, `&v`: textscan.h) is reached: the file-scope variables a
 *     reached function reads as scalars (written or address-taken in
 *     another file they are no constant; defined there with another value
 *     neither), writes, takes the address of or calls through (a function
 *     pointer assigned elsewhere has more targets). With
 *     global-handle-unreleased on, every file mentioning them (a copy of
 *     the global elsewhere may release it).
 *   DEFINITION-wanted — only the files DEFINING the name are reached: every
 *     function a reached function calls directly (unless its own unit
 *     defines it: a static or the unit's own definition is the one called),
 *     takes the address of, or names as a cleanup function, and every
 *     function a reached file's file-scope initialiser names. For a name
 *     defined in a project header, one file including that header is
 *     enough (every includer has the same definition).
 *
 * Files the text index is unsure of are always reached. The loop parses
 * the files newly reached, learns from them, and stops when no new file is
 * reached.
 *
 * Why an unreached file changes nothing. (1) It has no finding: every
 * finding starts at a call that acquires or releases — a pack name, or a
 * function whose summary acquires or releases — or at a pack's name used
 * as a value; the file would mention that name, and such functions are
 * mention-wanted once their file is reached, which it is, since the chain
 * of callees that gives the summary its effect ends at a pack name its
 * file mentions. (2) It lends nothing to a reached file: a reached
 * function's summary and checks read its callees' summaries and whether
 * they return (their definitions are reached, and their callees', to the
 * leaves), the functions whose address it takes (reached), and the
 * file-scope variables it names (the constants pass folds a scalar that
 * no function writes and whose definitions agree — every file writing one
 * or defining it with a value is reached; a followed function pointer's
 * targets are its initialisers and assignments — every file assigning it
 * is reached; a pointer only read is neither). The global-handle check
 * reads every use of the globals a reached function names: with it on,
 * every file mentioning them is reached. Token pasting: a file invoking a
 * pasting macro counts as mentioning and defining every name made of its
 * words (textscan.h). What a function that never returns does to
 * its callers matters only where those callers hold a handle — they are
 * reached, and so is the callee's definition — so never-returning is not
 * mention-wanted. The packs' library knowledge (noreturn, takes_ownership,
 * returns_arg, deallocators) is not mention-wanted for the same reason: it
 * changes the fate of a handle only in a function holding one, which
 * acquired it (reached) or was handed it by a caller holding it (a
 * reached caller: the function's definition is reached).
 * Parameter effects make the functions' callers reached although a caller
 * holding no handle would not need it: an over-approximation kept (a
 * release of a parameter twice in one function is the caller's finding
 * where the handle comes from).
 *
 * What the text cannot follow makes the file unsure (#include of a macro,
 * unbalanced braces: textscan.h). System headers are not read: a system
 * header's macro that expands to a pack name in a project file is not
 * seen (README). */
#ifndef CONNLINT_PREFILTER_H
#define CONNLINT_PREFILTER_H

#include <stdbool.h>

#include "cli/rulepack.h"
#include "prefilter/textscan.h"
#include "flow/summary_table.h"
#include "ir/ir.h"

typedef struct Prefilter Prefilter;

/* The closure over n_files files of `text`, starting from the pack names. */
/* globals_read_matter: a whole-program check reads every use of a global
 * (global-handle-unreleased: a copy may release), not only its writes. */
Prefilter *prefilter_new(const TextIndex *text, int n_files, const PackSet *packs, bool globals_read_matter);

/* The files reached and not yet parsed (units[i] == NULL), in ascending
 * order, into `out` (n_files entries); returns how many. */
int prefilter_pending(const Prefilter *pf, IrUnit *const *units, int *out);

/* Learns the wanted names the parsed units (units[i] != NULL, the IR as
 * parsed) show, with `summaries` computed on them as the run computes them
 * (on copies: the values stage rewrites the IR). */
void prefilter_learn(Prefilter *pf, IrUnit *const *units, const SummaryTable *summaries);

bool prefilter_reached(const Prefilter *pf, int file);

/* Every file is reached (when what the closure learns cannot be trusted). */
void prefilter_reach_all(Prefilter *pf);

void prefilter_free(Prefilter *pf);

#endif
