/* derived_packs.c — the "attributes" rule pack, derived from the allocator
 * attributes of the project's declarations (derived_packs.h). One
 * resource per clang ownership kind K ("ownership:K": ownership_returns
 * acquires, ownership_takes releases argument N, ownership_holds transfers
 * argument N — the callee keeps the pointer, so the caller no longer
 * leaks it, as clang's analyzer reads it) and one per GCC deallocator D
 * ("dealloc:D": malloc(D[, N]) acquires, D releases argument N, 1 when
 * not written). An allocator with a parameter of the very type it returns
 * is no acquire: realloc's shape (xrealloc(p, n) consumes p and returns
 * the moved block) and dup's shape (conn_dup(c) leaves c alone) look the
 * same in a declaration, and either reading raises false alarms on the
 * other (every `p = xrealloc(p, n)` overwriting a held p, or `c` closed
 * after its copy as a double release). Precision first: such a function
 * takes ownership of that argument ("takes_ownership", as the libc pack
 * says of pthread_create) and acquires nothing, so neither shape is
 * reported, at the cost of the leaks that follow it. Resources that share an allocator become one (GCC allows
 * several deallocators for one allocator). A resource with no acquire or
 * no release is not derived (nothing could be checked without a false
 * alarm on every use); a function a loaded pack already acquires is left
 * to that pack. The pack is written as JSON and read like any pack. Only
 * what the parse stage recorded is used: this file reads no source. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/derived_packs.h"
#include "cli/glob.h"
#include "common/strmap.h"
#include "common/util.h"

#define MAX_PACK_ARG 31 /* the largest argument index a pack takes (0-based) */

typedef enum { ROLE_ACQUIRE, ROLE_RELEASE, ROLE_TRANSFER } Role;

typedef struct {
    Role role;
    const char *function;
    int arg;                 /* 0-based; -1 for acquires */
    const IrAllocAttr *from; /* the declaration that says so */
} Entry;

typedef struct {
    char *id;     /* "ownership:K" or "dealloc:D" */
    int parent;   /* union-find */
    VEC(Entry) entries;
} Node;

typedef struct {
    VEC(Node) nodes;
    StrMap by_id;         /* id -> index + 1 */
    StrMap acquirer;      /* allocator name -> node index + 1 */
    StrBuf skipped;       /* listing lines of what was left out */
    VEC(Entry) moves;     /* realloc/dup-shaped allocators: "takes_ownership" */
    const PackSet *loaded;
    const char *cwd;
} Derivation;

static int find(Derivation *d, int i)
{
    while (d->nodes.items[i].parent != i) i = d->nodes.items[i].parent = d->nodes.items[d->nodes.items[i].parent].parent;
    return i;
}

static void unite(Derivation *d, int a, int b)
{
    a = find(d, a);
    b = find(d, b);
    if (a == b) return;
    if (b < a) { int t = a; a = b; b = t; }
    d->nodes.items[b].parent = a; /* the first node seen names the resource */
}

static int node_of(Derivation *d, const char *prefix, const char *key)
{
    char *id = xasprintf("%s:%s", prefix, key);
    void **slot = strmap_slot(&d->by_id, id);
    if (*slot) {
        free(id);
        return (int)(intptr_t)*slot - 1;
    }
    Node n = {id, d->nodes.len, {0}};
    VEC_PUSH(d->nodes, n);
    *slot = (void *)(intptr_t)d->nodes.len;
    return d->nodes.len - 1;
}

static char *form_text(const IrAllocAttr *a)
{
    switch (a->form) {
    case IR_ATTR_OWNERSHIP_RETURNS: return xasprintf("ownership_returns(%s)", a->key);
    case IR_ATTR_OWNERSHIP_TAKES: return xasprintf("ownership_takes(%s, %d)", a->key, a->arg);
    case IR_ATTR_OWNERSHIP_HOLDS: return xasprintf("ownership_holds(%s, %d)", a->key, a->arg);
    case IR_ATTR_MALLOC_DEALLOC:
        return a->arg ? xasprintf("malloc(%s, %d)", a->key, a->arg) : xasprintf("malloc(%s)", a->key);
    }
    return xstrdup("");
}

static void note_skipped(Derivation *d, const IrAllocAttr *a, const char *why)
{
    char *form = form_text(a);
    char *where = path_display(a->file, d->cwd, false);
    sb_printf(&d->skipped, "    %-30s %s:%d  %s: %s\n", a->function, where, a->line, form, why);
    free(where);
    free(form);
}

static bool acquired_by_loaded_pack(const PackSet *set, const char *name, const char **pack)
{
    int n = 0;
    const CalleeSpec *specs = set ? packset_specs(set, name, &n) : NULL;
    for (int i = 0; i < n; i++)
        if (specs[i].role == SPEC_ACQUIRE && specs[i].kind == CALLEE_BY_FUNCTION) {
            *pack = specs[i].res->pack;
            return true;
        }
    return false;
}

static void add_entry(Derivation *d, int node, Role role, const char *function, int arg, const IrAllocAttr *from)
{
    Node *n = &d->nodes.items[node];
    for (int i = 0; i < n->entries.len; i++)
        if (n->entries.items[i].role == role && strcmp(n->entries.items[i].function, function) == 0 &&
            n->entries.items[i].arg == arg)
            return;
    Entry e = {role, function, arg, from};
    VEC_PUSH(n->entries, e);
}

static void add_acquire(Derivation *d, int node, const IrAllocAttr *a)
{
    if (a->same_type_arg >= 0) { /* realloc's or dup's shape: see the top of the file */
        if (a->same_type_arg <= MAX_PACK_ARG) {
            Entry e = {ROLE_ACQUIRE, a->function, a->same_type_arg, a};
            bool seen = false;
            for (int i = 0; i < d->moves.len && !seen; i++) seen = strcmp(d->moves.items[i].function, a->function) == 0;
            if (!seen) VEC_PUSH(d->moves, e);
        }
        return;
    }
    const char *pack = NULL;
    if (acquired_by_loaded_pack(d->loaded, a->function, &pack)) {
        char *why = xasprintf("left to pack '%s', which acquires it", pack);
        note_skipped(d, a, why);
        free(why);
        return;
    }
    void **slot = strmap_slot(&d->acquirer, a->function);
    if (*slot) unite(d, (int)(intptr_t)*slot - 1, node);
    else *slot = (void *)(intptr_t)(node + 1);
    add_entry(d, node, ROLE_ACQUIRE, a->function, -1, a);
}

static void add_fact(Derivation *d, const IrAllocAttr *a)
{
    int arg = (a->arg ? a->arg : 1) - 1;
    if (arg > MAX_PACK_ARG) {
        note_skipped(d, a, "argument beyond what a pack describes");
        return;
    }
    switch (a->form) {
    case IR_ATTR_OWNERSHIP_RETURNS: add_acquire(d, node_of(d, "ownership", a->key), a); break;
    case IR_ATTR_OWNERSHIP_TAKES: add_entry(d, node_of(d, "ownership", a->key), ROLE_RELEASE, a->function, arg, a); break;
    case IR_ATTR_OWNERSHIP_HOLDS: add_entry(d, node_of(d, "ownership", a->key), ROLE_TRANSFER, a->function, arg, a); break;
    case IR_ATTR_MALLOC_DEALLOC: {
        int n = node_of(d, "dealloc", a->key);
        add_acquire(d, n, a);
        add_entry(d, n, ROLE_RELEASE, a->key, arg, a);
        break;
    }
    }
}

static int by_place(const void *x, const void *y)
{
    const IrAllocAttr *a = *(const IrAllocAttr *const *)x, *b = *(const IrAllocAttr *const *)y;
    int c = strcmp(a->file, b->file);
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if ((c = strcmp(a->function, b->function))) return c;
    if (a->form != b->form) return a->form < b->form ? -1 : 1;
    if ((c = strcmp(a->key, b->key))) return c;
    return (a->arg > b->arg) - (a->arg < b->arg);
}

static bool same_fact(const IrAllocAttr *a, const IrAllocAttr *b)
{
    return a->form == b->form && a->arg == b->arg && strcmp(a->function, b->function) == 0 &&
           strcmp(a->key, b->key) == 0;
}

/* Every unit's attributes, in (file, line) order, each fact once (its
 * first declaration). */
static const IrAllocAttr **collect(IrUnit *const *units, int n_units, int *n)
{
    VEC(const IrAllocAttr *) all = {0};
    for (int u = 0; u < n_units; u++)
        for (int i = 0; units[u] && i < units[u]->n_alloc_attrs; i++) VEC_PUSH(all, &units[u]->alloc_attrs[i]);
    if (all.len) qsort(all.items, (size_t)all.len, sizeof *all.items, by_place);
    int kept = 0;
    for (int i = 0; i < all.len; i++) {
        bool seen = false;
        for (int k = 0; k < kept && !seen; k++) seen = same_fact(all.items[k], all.items[i]);
        if (!seen) all.items[kept++] = all.items[i];
    }
    *n = kept;
    return all.items;
}

static const char *const role_names[] = {"acquire", "release", "transfer"};
static const char *const role_keys[] = {"acquire", "release", "transfer"};

/* The JSON resource and the listing of the group rooted at `root`. */
static void emit_group(Derivation *d, int root, cJSON *resources, StrBuf *listing)
{
    int counts[3] = {0};
    for (int i = 0; i < d->nodes.len; i++)
        if (find(d, i) == root)
            for (int k = 0; k < d->nodes.items[i].entries.len; k++) counts[d->nodes.items[i].entries.items[k].role]++;
    const char *id = d->nodes.items[root].id;
    if (!counts[ROLE_ACQUIRE] || !counts[ROLE_RELEASE]) {
        sb_printf(listing, "  %-22s not derived: %s\n", id,
                  counts[ROLE_ACQUIRE] ? "no declaration releases it" : "no declaration acquires it");
        return;
    }
    StrBuf desc;
    sb_init(&desc);
    for (int i = 0; i < d->nodes.len; i++) {
        if (find(d, i) != root) continue;
        const char *nid = d->nodes.items[i].id;
        bool own = strncmp(nid, "ownership:", 10) == 0;
        if (own) sb_printf(&desc, "%s'%s' object (ownership attributes)", desc.len ? " / " : "", strchr(nid, ':') + 1);
        else sb_printf(&desc, "%shandle freed by %s (malloc attribute)", desc.len ? " / " : "", strchr(nid, ':') + 1);
    }
    char *description = sb_take(&desc);
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "id", id);
    cJSON_AddStringToObject(res, "description", description);
    sb_printf(listing, "  %-22s %s\n", id, description);
    free(description);
    for (int role = ROLE_ACQUIRE; role <= ROLE_TRANSFER; role++) {
        if (!counts[role]) continue;
        cJSON *arr = cJSON_AddArrayToObject(res, role_keys[role]);
        for (int i = 0; i < d->nodes.len; i++) {
            if (find(d, i) != root) continue;
            const Node *n = &d->nodes.items[i];
            for (int k = 0; k < n->entries.len; k++) {
                const Entry *e = &n->entries.items[k];
                if ((int)e->role != role) continue;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "function", e->function);
                if (role == ROLE_ACQUIRE) cJSON_AddStringToObject(o, "result", "return");
                else cJSON_AddNumberToObject(o, "arg", e->arg);
                cJSON_AddItemToArray(arr, o);
                char *form = form_text(e->from);
                char *where = path_display(e->from->file, d->cwd, false);
                char *what = role == ROLE_ACQUIRE ? xstrdup(e->function)
                                                  : xasprintf("%s (argument %d)", e->function, e->arg + 1);
                sb_printf(listing, "    %-8s %-30s %s:%d  %s\n", role_names[role], what, where, e->from->line, form);
                free(what);
                free(where);
                free(form);
            }
        }
    }
    cJSON_AddStringToObject(res, "failure", "null");
    cJSON_AddItemToArray(resources, res);
}

void derived_pack_build(IrUnit *const *units, int n_units, const PackSet *loaded, const char *cwd,
                        DerivedPack *out)
{
    memset(out, 0, sizeof *out);
    Derivation d;
    memset(&d, 0, sizeof d);
    d.loaded = loaded;
    d.cwd = cwd;
    sb_init(&d.skipped);
    int n = 0;
    const IrAllocAttr **facts = collect(units, n_units, &n);
    for (int i = 0; i < n; i++) add_fact(&d, facts[i]);
    free(facts);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddStringToObject(root, "name", DERIVED_PACK_NAME);
    cJSON_AddStringToObject(root, "description", "derived from the allocator attributes of the analysed declarations");
    cJSON *resources = cJSON_AddArrayToObject(root, "resources");
    StrBuf listing;
    sb_init(&listing);
    sb_printf(&listing, "%-12s derived from the allocator attributes of the analysed declarations\n",
              DERIVED_PACK_NAME);
    for (int i = 0; i < d.nodes.len; i++)
        if (find(&d, i) == i) emit_group(&d, i, resources, &listing);
    if (d.moves.len) {
        cJSON *arr = cJSON_AddArrayToObject(root, "takes_ownership");
        sb_append(&listing, "  takes_ownership (a parameter of the type it returns: realloc's or dup's shape)\n");
        for (int i = 0; i < d.moves.len; i++) {
            const Entry *e = &d.moves.items[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "function", e->function);
            cJSON_AddNumberToObject(o, "arg", e->arg);
            cJSON_AddItemToArray(arr, o);
            char *form = form_text(e->from);
            char *where = path_display(e->from->file, cwd, false);
            char *what = xasprintf("%s (argument %d)", e->function, e->arg + 1);
            sb_printf(&listing, "    %-8s %-30s %s:%d  %s\n", "owns", what, where, e->from->line, form);
            free(what);
            free(where);
            free(form);
        }
    }
    if (d.nodes.len == 0 && d.moves.len == 0) sb_append(&listing, "  (no allocator attributes found)\n");
    if (d.skipped.len) {
        sb_append(&listing, "  not used:\n");
        sb_append(&listing, d.skipped.data);
    }
    if (cJSON_GetArraySize(resources) > 0 || d.moves.len) out->json = cJSON_Print(root);
    cJSON_Delete(root);
    out->listing = sb_take(&listing);
    sb_free(&d.skipped);
    for (int i = 0; i < d.nodes.len; i++) {
        free(d.nodes.items[i].id);
        VEC_FREE(d.nodes.items[i].entries);
    }
    VEC_FREE(d.nodes);
    VEC_FREE(d.moves);
    strmap_free(&d.by_id);
    strmap_free(&d.acquirer);
}

bool derived_pack_add(const DerivedPack *d, PackSet *set)
{
    if (!d->json) return true;
    RulePack pack;
    if (!rulepack_parse(d->json, DERIVED_PACK_SOURCE, &pack)) return false;
    if (!packset_add(set, &pack)) {
        rulepack_free(&pack);
        return false;
    }
    return true;
}

void derived_pack_free(DerivedPack *d)
{
    free(d->json);
    free(d->listing);
    memset(d, 0, sizeof *d);
}
