/* ir_coverage.c — what the parse stage left for the analysis: how many
 * function definitions were analysed, how many were skipped because clang
 * reported errors inside their bodies or because they nest too deeply, and
 * how many files could not be parsed at all; per unit, the names of its
 * skipped functions. A function defined in a header counts once. Counts
 * only: it neither prints nor decides anything. */
#include "ir/ir_coverage.h"

#include <stdlib.h>

#include "common/util.h"

static void note_skipped(StrBuf *names, int *n, const IrFunction *fn)
{
    if (*n < IR_COVERAGE_NAMES_SHOWN) sb_printf(names, "%s%s", *n ? ", " : "", fn->name ? fn->name : "?");
    (*n)++;
}

char *ir_unit_skipped_functions(const IrUnit *u, int *n_skipped)
{
    StrBuf names;
    sb_init(&names);
    *n_skipped = 0;
    for (int f = 0; u && f < u->n_functions; f++)
        if (u->functions[f].has_errors && !u->functions[f].in_header) note_skipped(&names, n_skipped, &u->functions[f]);
    if (*n_skipped > IR_COVERAGE_NAMES_SHOWN) sb_printf(&names, ", ...");
    return sb_take(&names);
}

IrCoverage ir_coverage(IrUnit *const *units, int n_units)
{
    IrCoverage c = {0};
    IrDefinitionSet seen = {0};
    for (int i = 0; i < n_units; i++) {
        const IrUnit *u = units[i];
        if (!u || u->parse_failed) {
            c.files_not_parsed++;
            continue;
        }
        for (int f = 0; f < u->n_functions; f++) {
            const IrFunction *fn = &u->functions[f];
            if (!ir_definition_first(&seen, fn)) continue;
            if (fn->has_errors) c.skipped_errors++;
            else if (fn->truncated) c.skipped_depth++;
            else c.analysed++;
        }
    }
    ir_definition_set_free(&seen);
    return c;
}
