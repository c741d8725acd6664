/* strmap.h — a string-keyed hash table (open addressing, grows at half
 * load) mapping a name to a pointer. Keys are not copied: the caller keeps
 * them alive as long as the map. Used wherever a name is looked up per call
 * (the rule packs' callee index, the noreturn names, the never-returns
 * memo) so that lookups do not scan lists. Not thread-safe for writers;
 * concurrent readers of a map nobody writes are fine. */
#ifndef CONNLINT_STRMAP_H
#define CONNLINT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *key;
    unsigned long long hash;
    void *value;
} StrMapSlot;

typedef struct {
    StrMapSlot *slots; /* NULL until the first insert */
    size_t cap;        /* a power of two */
    size_t len;
} StrMap;

/* The value stored under `key`, or NULL (also for an empty map). */
void *strmap_get(const StrMap *m, const char *key);

/* Does the map hold `key` (whatever its value)? */
bool strmap_has(const StrMap *m, const char *key);

/* The value slot of `key`, inserted with value NULL when absent. The
 * pointer stays valid until the next insert. */
void **strmap_slot(StrMap *m, const char *key);

/* Iteration: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].key) ... */

void strmap_free(StrMap *m);

#endif
