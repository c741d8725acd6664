/* pack_index.c — the pack set's index (rulepack.h): every callee name a
 * pack mentions maps to its specs in reading order (packs, resources, then
 * acquire, release, transfer entries), so what a call means is one hash
 * lookup instead of a walk over packs × resources × entries with strcmp;
 * plus the library knowledge merged over all packs (noreturn names,
 * deallocators). Does not decide what a call means (match.c does). */
#include <stdlib.h>
#include <string.h>

#include "cli/rulepack.h"
#include "common/strmap.h"
#include "common/util.h"

typedef VEC(CalleeSpec) SpecList;

struct PackIndex {
    StrMap by_name;            /* name -> SpecList * */
    StrMap noreturn;           /* name -> non-NULL: never returns */
    StrMap noreturn_system;    /* name -> non-NULL: never returns when declared in a system header */
    StrMap dealloc_names;      /* name -> non-NULL */
    VEC(const char *) dealloc_suffixes;
    const Resource *first_resource;
    int next_order;
};

static void add_spec(PackIndex *ix, const char *name, CalleeSpec spec)
{
    if (!name) return;
    void **slot = strmap_slot(&ix->by_name, name);
    if (!*slot) *slot = xcalloc(1, sizeof(SpecList));
    SpecList *l = *slot;
    spec.order = ix->next_order++;
    VEC_PUSH(*l, spec);
}

static void index_resource(PackIndex *ix, const Resource *res)
{
    if (!ix->first_resource) ix->first_resource = res;
    for (int i = 0; i < res->n_acquire; i++) {
        CalleeSpec c = {SPEC_ACQUIRE, res->acquire[i].kind, res, i, -1, 0, false};
        add_spec(ix, res->acquire[i].name, c);
    }
    for (int i = 0; i < res->n_release; i++) {
        const ReleaseSpec *rs = &res->release[i];
        CalleeSpec c = {rs->field ? SPEC_FIELD_RELEASE : SPEC_RELEASE, rs->field ? CALLEE_BY_MEMBER : rs->kind,
                        res, i, rs->field ? -1 : rs->arg, 0, false};
        add_spec(ix, rs->field ? rs->field : rs->name, c);
    }
    for (int i = 0; i < res->n_transfer; i++) {
        CalleeSpec c = {SPEC_TRANSFER, res->transfer[i].kind, res, i, res->transfer[i].arg, 0, false};
        add_spec(ix, res->transfer[i].name, c);
    }
}

static void index_library(PackIndex *ix, const LibraryKnowledge *lib)
{
    for (int i = 0; i < lib->n_takes_ownership; i++) {
        CalleeSpec c = {SPEC_TAKES_OWNERSHIP, CALLEE_BY_FUNCTION, NULL, i, lib->takes_ownership[i].arg, 0, false};
        add_spec(ix, lib->takes_ownership[i].name, c);
    }
    for (int i = 0; i < lib->n_returns_arg; i++) {
        CalleeSpec c = {SPEC_RETURNS_ARG, CALLEE_BY_FUNCTION, NULL, i, lib->returns_arg[i].arg, 0,
                        lib->returns_arg[i].never_null};
        add_spec(ix, lib->returns_arg[i].name, c);
    }
    for (int i = 0; i < lib->n_noreturn; i++) {
        StrMap *into = lib->noreturn[i].system_header_only ? &ix->noreturn_system : &ix->noreturn;
        *strmap_slot(into, lib->noreturn[i].name) = (void *)1;
    }
    for (int i = 0; i < lib->n_deallocators; i++) {
        if (lib->deallocators[i].name) *strmap_slot(&ix->dealloc_names, lib->deallocators[i].name) = (void *)1;
        else VEC_PUSH(ix->dealloc_suffixes, lib->deallocators[i].suffix);
    }
}

void pack_index_free(PackIndex *ix)
{
    if (!ix) return;
    for (size_t i = 0; i < ix->by_name.cap; i++) {
        SpecList *l = ix->by_name.slots[i].value;
        if (!ix->by_name.slots[i].key || !l) continue;
        VEC_FREE(*l);
        free(l);
    }
    strmap_free(&ix->by_name);
    strmap_free(&ix->noreturn);
    strmap_free(&ix->noreturn_system);
    strmap_free(&ix->dealloc_names);
    VEC_FREE(ix->dealloc_suffixes);
    free(ix);
}

void packset_build_index(PackSet *set)
{
    pack_index_free(set->index);
    PackIndex *ix = xcalloc(1, sizeof *ix);
    for (int p = 0; p < set->n_packs; p++) {
        for (int r = 0; r < set->packs[p].n_resources; r++) index_resource(ix, &set->packs[p].resources[r]);
        index_library(ix, &set->packs[p].lib);
    }
    set->index = ix;
}

const CalleeSpec *packset_specs(const PackSet *set, const char *name, int *n)
{
    const SpecList *l = set && set->index ? strmap_get(&set->index->by_name, name) : NULL;
    *n = l ? l->len : 0;
    return l ? l->items : NULL;
}

const Resource *packset_first_resource(const PackSet *set)
{
    return set && set->index ? set->index->first_resource : NULL;
}

bool packset_is_noreturn(const PackSet *set, const char *name, bool declared_in_system_header)
{
    if (!set || !set->index) return false;
    return strmap_has(&set->index->noreturn, name) ||
           (declared_in_system_header && strmap_has(&set->index->noreturn_system, name));
}

const StrMap *packset_noreturn_names(const PackSet *set, bool system_header_only)
{
    if (!set || !set->index) return NULL;
    return system_header_only ? &set->index->noreturn_system : &set->index->noreturn;
}

bool packset_is_deallocator(const PackSet *set, const char *name)
{
    if (!set || !set->index || !name) return false;
    if (strmap_has(&set->index->dealloc_names, name)) return true;
    size_t n = strlen(name);
    for (int i = 0; i < set->index->dealloc_suffixes.len; i++) {
        const char *suffix = set->index->dealloc_suffixes.items[i];
        size_t k = strlen(suffix);
        if (n >= k && strcmp(name + n - k, suffix) == 0) return true;
    }
    return false;
}

void packset_each_name(const PackSet *set, void (*fn)(const char *name, void *data), void *data)
{
    if (!set || !set->index) return;
    const StrMap *maps[] = {&set->index->by_name, &set->index->noreturn, &set->index->noreturn_system,
                            &set->index->dealloc_names};
    StrMap seen = {0};
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++) {
        for (size_t i = 0; i < maps[m]->cap; i++) {
            const char *key = maps[m]->slots[i].key;
            if (!key || strmap_has(&seen, key)) continue;
            *strmap_slot(&seen, key) = (void *)1;
            fn(key, data);
        }
    }
    strmap_free(&seen);
}
