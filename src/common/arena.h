/* arena.h — bump allocator: everything one translation unit's IR needs is
 * allocated here and freed at once. Not thread-safe: one arena per worker. */
#ifndef CONNLINT_ARENA_H
#define CONNLINT_ARENA_H

#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
void *arena_alloc(Arena *a, size_t n);                    /* zeroed, 16-byte aligned */
void *arena_dup(Arena *a, const void *p, size_t n);
char *arena_strdup(Arena *a, const char *s);              /* NULL stays NULL */
char *arena_strndup(Arena *a, const char *s, size_t n);
size_t arena_bytes(const Arena *a);                       /* total bytes handed out */
void arena_free(Arena *a);

#endif
