/* strmap.c — the string-keyed hash table of strmap.h: FNV-1a hashes
 * (util.h), linear probing, doubled at half load. Keys are borrowed. */
#include "common/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static size_t probe(const StrMapSlot *slots, size_t cap, const char *key, unsigned long long h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0)) i = (i + 1) & (cap - 1);
    return i;
}

static void grow(StrMap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    StrMapSlot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        slots[probe(slots, cap, m->slots[i].key, m->slots[i].hash)] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void *strmap_get(const StrMap *m, const char *key)
{
    if (!m || !m->slots || !key) return NULL;
    const StrMapSlot *s = &m->slots[probe(m->slots, m->cap, key, hash_str64(key))];
    return s->key ? s->value : NULL;
}

bool strmap_has(const StrMap *m, const char *key)
{
    if (!m || !m->slots || !key) return false;
    return m->slots[probe(m->slots, m->cap, key, hash_str64(key))].key != NULL;
}

void **strmap_slot(StrMap *m, const char *key)
{
    if (2 * (m->len + 1) > m->cap) grow(m);
    unsigned long long h = hash_str64(key);
    StrMapSlot *s = &m->slots[probe(m->slots, m->cap, key, h)];
    if (!s->key) {
        s->key = key;
        s->hash = h;
        s->value = NULL;
        m->len++;
    }
    return &s->value;
}

void strmap_free(StrMap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
