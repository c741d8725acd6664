/* fn_pointers.h — calls through a function pointer whose every possible
 * target is known (issue 12, form 9; fn_pointers.c says what is and is not
 * followed). Rewrites the IR of every unit after parsing, before noreturn
 * inference, summaries and checks. */
#ifndef CONNLINT_VALUES_FN_POINTERS_H
#define CONNLINT_VALUES_FN_POINTERS_H

#include "ir/ir.h"

/* Returns the number of indirect calls rewritten. */
int values_resolve_fn_pointers(IrUnit **units, int n_units);

#endif
