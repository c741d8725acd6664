/* ir_coverage.h — counts of the functions the analysis covered and skipped
 * (see ir_coverage.c). */
#ifndef CONNLINT_IR_COVERAGE_H
#define CONNLINT_IR_COVERAGE_H

#include "ir/ir.h"

#define IR_COVERAGE_NAMES_SHOWN 5

typedef struct {
    int analysed;          /* function definitions analysed */
    int skipped_errors;    /* skipped: clang reported errors inside the body */
    int skipped_depth;     /* skipped: nested too deeply (truncated) */
    int files_not_parsed;  /* files libclang could not parse at all */
} IrCoverage;

IrCoverage ir_coverage(IrUnit *const *units, int n_units);

/* The first names of the functions of the unit's own file skipped for parse
 * errors ("a, b, ..."), malloc'ed; *n_skipped: how many there are. */
char *ir_unit_skipped_functions(const IrUnit *u, int *n_skipped);

#endif
