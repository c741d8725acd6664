/* prefilter.h — which files can change a result, decided before parsing
 * them (README "Parse only what can matter"). A file is parsed when its text
 * (textscan.h: its own and its project headers') mentions a wanted name, or
 * cannot be read that way. Wanted names start as every name a loaded pack
 * mentions (acquire, release, transfer, field, library knowledge) and grow
 * from what the parsed files show, until no new file is reached:
 *   - a parsed function that calls, references or cleans up with a wanted
 *     name, or that contains a call that never returns, may acquire,
 *     release, transfer or never return for its callers: its name is wanted
 *     (its callers must be parsed);
 *     and the file-scope variables it names are wanted too (a handle stored
 *     there is released, copied or passed on wherever it is named:
 *     global-handle-unreleased reads the whole program);
 *   - such a function, and every function whose name is wanted, may pass a
 *     handle to a callee that stores it away or returns it (a summary that
 *     needs no pack name): the names it calls with a non-constant argument,
 *     and its cleanup functions, are wanted (their definitions must be
 *     parsed).
 * Files whose text names connlint (a suppression comment: it is scanned,
 * warned about, reported when unused) are parsed too. Files never reached
 * cannot change any finding.
 * Does not parse by itself: the caller's callback does. */
#ifndef CONNLINT_PREFILTER_H
#define CONNLINT_PREFILTER_H

#include <stdbool.h>

#include "cli/rulepack.h"
#include "cli/textscan.h"
#include "ir/ir.h"

/* Parses files[i] for every i with want[i] && units[i] == NULL, storing the
 * unit in units[i]. */
typedef void (*PrefilterParse)(void *data, const bool *want, IrUnit **units);

/* Fills units[] (n_files entries, NULL for every file left unparsed) and
 * returns how many files were parsed. */
int prefilter_parse_closure(const TextIndex *text, int n_files, const PackSet *packs, PrefilterParse parse,
                            void *data, IrUnit **units);

#endif
