/* unions.h — one place for all members of a union variable (issue 12,
 * form 6; unions.c says what is and is not followed). Rewrites the IR of
 * every unit after parsing, before summaries and checks. */
#ifndef CONNLINT_VALUES_UNIONS_H
#define CONNLINT_VALUES_UNIONS_H

#include "ir/ir.h"

/* Returns the number of member accesses renamed. */
int values_merge_union_members(IrUnit **units, int n_units);

#endif
