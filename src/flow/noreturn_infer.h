/* noreturn_infer.h — functions of the analysed sources that never return,
 * although nothing declares them so: a project's die()/fatal() that ends in
 * exit(), and a logging function that exits at an error level when it is
 * called with that level as a constant (say(LVL_ERROR, ...)). Such calls are
 * marked noreturn in the callers' IR, which then ends the path there (the
 * block ends in TERM_NORETURN), before summaries and checks run. */
#ifndef CONNLINT_NORETURN_INFER_H
#define CONNLINT_NORETURN_INFER_H

#include "ir/ir.h"

/* Refines the IR of every unit; returns the number of calls marked. */
int noreturn_refine(IrUnit **units, int n_units);

#endif
