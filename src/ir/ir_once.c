/* ir_once.c — one sighting per function definition: a function defined in
 * a header is seen by every unit that includes it, and both the checks and
 * the summaries must take it once (the first unit, in the order the caller
 * walks them, wins). Functions of a unit's own main file are always first
 * sightings. Knows nothing of what the callers do with them. */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static bool same_definition(const IrFunction *a, const IrFunction *b)
{
    return a->loc.line == b->loc.line && strcmp(a->file, b->file) == 0 && strcmp(a->name, b->name) == 0;
}

bool ir_definition_first(IrDefinitionSet *s, const IrFunction *fn)
{
    if (!fn->in_header) return true;
    for (int i = 0; i < s->len; i++)
        if (same_definition(s->items[i], fn)) return false;
    VEC_PUSH(*s, fn);
    return true;
}

void ir_definition_set_free(IrDefinitionSet *s)
{
    free(s->items);
    s->items = NULL;
    s->len = s->cap = 0;
}
