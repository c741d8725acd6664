/* derived_packs.h — the rule pack derived from the allocator attributes the
 * parse stage found on the project's declarations (IrUnit.alloc_attrs;
 * README "Packs derived from attributes"), built as pack JSON and read by
 * rulepack_parse, so that it is validated and indexed like any pack. */
#ifndef CONNLINT_DERIVED_PACKS_H
#define CONNLINT_DERIVED_PACKS_H

#include <stdbool.h>

#include "cli/rulepack.h"
#include "ir/ir.h"

/* The name of the derived pack (and its source in messages). */
#define DERIVED_PACK_NAME "attributes"
#define DERIVED_PACK_SOURCE "<attributes>"

typedef struct {
    char *json;     /* the pack's JSON text; NULL when nothing was derived */
    char *listing;  /* what was derived, from which declarations (for
                       --list-packs); paths shown relative to `cwd` */
} DerivedPack;

/* Derives the pack from every unit's attributes (units may hold NULL).
 * Functions that already are acquires of a pack in `loaded` are left to
 * that pack. */
void derived_pack_build(IrUnit *const *units, int n_units, const PackSet *loaded, const char *cwd,
                        DerivedPack *out);

/* Parses out->json and adds it to `set`; true when there is nothing to add.
 * False (message printed) when the set rejects it. */
bool derived_pack_add(const DerivedPack *d, PackSet *set);

void derived_pack_free(DerivedPack *d);

#endif
