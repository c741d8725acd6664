/* summary_export.h — --emit-summary FILE: the summaries (summary.h) of the
 * functions defined in the checked files, as JSON, so that a build system
 * (or a person) can see what connlint believes each function does to
 * resources. The format is versioned ("version": 1) and documented in the
 * README ("Across functions and files"); a change that removes or renames
 * a field bumps the version. Output is deterministic (files and functions
 * in sorted order). */
#ifndef CONNLINT_SUMMARY_EXPORT_H
#define CONNLINT_SUMMARY_EXPORT_H

#include <stdbool.h>

#include "flow/summary.h"
#include "ir/ir.h"

#define SUMMARY_EXPORT_VERSION 1

/* units[i] is exported when selected[i]; paths relative to srcroot when
 * below it. Returns a malloc'ed JSON text ending in a newline. */
char *summary_export_json(IrUnit *const *units, int n_units, const bool *selected, const SummaryTable *t,
                          const char *srcroot);

#endif
