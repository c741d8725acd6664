/* null_locals.h — a local pointer that is NULL on every path to a call is
 * passed as the constant NULL (null_locals.c says what is and is not
 * followed). Rewrites the IR of every unit after parsing, before
 * summaries and checks. */
#ifndef CONNLINT_VALUES_NULL_LOCALS_H
#define CONNLINT_VALUES_NULL_LOCALS_H

#include "ir/ir.h"

/* Returns the number of call arguments rewritten. */
int values_fold_null_locals(IrUnit **units, int n_units);

#endif
