/* local_pointers.h — `*pp` of a local pointer that only ever holds the
 * address of one local `x` is `x` (issue 12, form 7; local_pointers.c
 * says what is and is not followed). Rewrites the IR of every unit after
 * parsing, before summaries and checks. */
#ifndef CONNLINT_VALUES_LOCAL_POINTERS_H
#define CONNLINT_VALUES_LOCAL_POINTERS_H

#include "ir/ir.h"

/* Returns the number of references rewritten. */
int values_follow_local_pointers(IrUnit **units, int n_units);

#endif
