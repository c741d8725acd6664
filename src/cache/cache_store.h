/* cache_store.h — the persistent cache's store: one file per key, under
 *   DIR/<kind>/<first two hex digits of the key>/<key>
 * Each file is a one-line header
 *   connlint-cache FORMAT VERSION KIND KEY PAYLOAD_BYTES PAYLOAD_CHECKSUM\n
 * followed by the payload. A file is written to a temporary file in the
 * same folder and renamed over the entry, so a reader sees the old entry or
 * the new one, never half of one, and a process killed while writing
 * leaves only a temporary file behind (removed by the next writer after an
 * hour). An entry whose header does not match exactly (another format or
 * connlint version, another key, a short or altered payload) is reported
 * as invalid and never returned: the caller rebuilds it and writes it over.
 * Why files rather than SQLite: see the README ("Cache"). */
#ifndef CONNLINT_CACHE_STORE_H
#define CONNLINT_CACHE_STORE_H

#include <stdbool.h>
#include <stddef.h>

/* Bumped whenever the encoding of any payload (ir_codec, findings_codec,
 * cache_entry) changes. */
#define CACHE_FORMAT_VERSION 8

typedef struct {
    char *dir; /* absolute; NULL = caching off */
} CacheStore;

typedef enum {
    CACHE_MISS = 0, /* no entry */
    CACHE_HIT,      /* payload returned */
    CACHE_INVALID,  /* an entry that cannot be trusted: ignored */
} CacheLookup;

/* ${XDG_CACHE_HOME:-$HOME/.cache}/connlint/<16 hex digits of the project
 * root's hash>; NULL when neither variable is set. */
char *cache_default_dir(const char *project_root);
/* Creates the folder (and its parents); false with a message on failure. */
bool cache_store_open(CacheStore *s, const char *dir);
void cache_store_close(CacheStore *s);

CacheLookup cache_get(const CacheStore *s, const char *kind, const char *key,
                      unsigned char **payload, size_t *len);
/* false (with a warning, once per run) when the entry cannot be written;
 * the run goes on without it. */
bool cache_put(const CacheStore *s, const char *kind, const char *key, const void *payload, size_t len);

/* The path of an entry (for tests and --verbose); caller frees. */
char *cache_entry_path(const CacheStore *s, const char *kind, const char *key);

#endif
