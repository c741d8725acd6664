/* constants.h — whole-program constants that decide which branches can run
 * (README "What counts as a path"):
 *
 * - a file-scope integer variable that no function of the analysed sources
 *   assigns, increments or takes the address of, that no file-scope
 *   initialiser names, and that is defined with one value, keeps that value
 *   (`static int staticFalse = 0;`, a global initialised once);
 * - a function whose every return gives the same integer constant (or such
 *   a variable, or a call to such a function) returns it at every call
 *   (`static int returnsTrue(void) { return 1; }`, also in another file;
 *   static functions only in their own unit);
 * - a static local of integer type that its function never assigns,
 *   increments or takes the address of keeps its initial value
 *   (`static int flag = 10;` read in `if (flag == 10)`).
 *
 * Branch conditions, switch values, flag conditions and values assigned
 * from such variables are rewritten in the IR to the constant, after
 * parsing and before noreturn inference, summaries and checks, so every
 * later stage sees `if (staticFalse)` as `if (0)`. A call folded in a
 * condition still runs (its event stays); only its value is known.
 * Not followed: writes from code outside the analysed sources, writes
 * through pointers whose target is not named (`*p = 1` after `p = &g`
 * counts, as the `&g` is seen), and non-integer variables. */
#ifndef CONNLINT_VALUES_CONSTANTS_H
#define CONNLINT_VALUES_CONSTANTS_H

#include "ir/ir.h"

/* Rewrites the IR of every unit; returns the number of places folded. */
int values_fold_constants(IrUnit **units, int n_units);

#endif
