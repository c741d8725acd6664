/* cache_session.c — unit and result entries of one run (see
 * cache_session.h); the files themselves are cache_store's. */
#include "cache/cache_session.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/bytes.h"
#include "cache/cache_store.h"
#include "cache/findings_codec.h"
#include "cache/ir_codec.h"
#include "common/strmap.h"
#include "common/util.h"
#include "common/version.h"

#define KIND_UNIT "unit"
#define KIND_RESULT "result"
#define KIND_SUMMARY "summary"
#define NO_FILE "-" /* the hash of a file that cannot be read */

/* The content hash of each file read this run, memoised: headers are
 * shared by many units. */
typedef struct {
    char *path;
    char hex[SHA256_HEX_LEN + 1];
} FileHash;

typedef struct {
    char unit_key[SHA256_HEX_LEN + 1];   /* "" until computed */
    char source[SHA256_HEX_LEN + 1];     /* digest of the file and its headers */
    bool source_known;                   /* source (or sources) is set */
    unsigned char *sources;              /* else the entry's (path, hash) list,
                                            hashed into `source` only when a
                                            result entry needs it: most units
                                            of a subset run are not checked */
    size_t sources_len;
} Slot;

struct CacheSession {
    CacheStore store;
    char *parse_salt, *check_salt;
    pthread_mutex_t lock;     /* guards hashes */
    StrMap hashes;            /* path -> FileHash *: a header is hashed once */
    Slot *slots;
    int n_slots;
    atomic_int unit_hits, unit_misses, unit_invalid;
    atomic_int result_hits, result_misses, result_invalid;
    int summary_invalid;
};

CacheSession *cache_session_new(const char *dir, const char *parse_salt, const char *check_salt)
{
    CacheSession *s = xcalloc(1, sizeof *s);
    if (!cache_store_open(&s->store, dir)) {
        free(s);
        return NULL;
    }
    s->parse_salt = xstrdup(parse_salt);
    s->check_salt = xstrdup(check_salt);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void cache_session_add_check_salt(CacheSession *s, const char *more)
{
    if (!s) return;
    Sha256 h;
    sha256_init(&h);
    sha256_update_str(&h, s->check_salt);
    sha256_update_str(&h, more);
    char hex[SHA256_HEX_LEN + 1];
    sha256_final_hex(&h, hex);
    free(s->check_salt);
    s->check_salt = xstrdup(hex);
}

void cache_session_free(CacheSession *s)
{
    if (!s) return;
    cache_store_close(&s->store);
    free(s->parse_salt);
    free(s->check_salt);
    for (size_t i = 0; i < s->hashes.cap; i++)
        if (s->hashes.slots[i].key) {
            FileHash *h = s->hashes.slots[i].value;
            free(h->path);
            free(h);
        }
    strmap_free(&s->hashes);
    for (int i = 0; i < s->n_slots; i++) free(s->slots[i].sources);
    free(s->slots);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void cache_session_reserve(CacheSession *s, int n_files)
{
    for (int i = 0; i < s->n_slots; i++) free(s->slots[i].sources);
    free(s->slots);
    s->slots = xcalloc((size_t)n_files + 1, sizeof(Slot));
    s->n_slots = n_files;
}

/* ---- file hashes ---------------------------------------------------------- */

static void hash_file(const char *path, char out[SHA256_HEX_LEN + 1])
{
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text) {
        strcpy(out, NO_FILE);
        return;
    }
    sha256_hex_of(text, len, out);
    free(text);
}

static void file_hash(CacheSession *s, const char *path, char out[SHA256_HEX_LEN + 1])
{
    pthread_mutex_lock(&s->lock);
    const FileHash *known = strmap_get(&s->hashes, path);
    if (known) strcpy(out, known->hex);
    pthread_mutex_unlock(&s->lock);
    if (known) return;
    FileHash *h = xcalloc(1, sizeof *h);
    hash_file(path, h->hex);
    h->path = xstrdup(path);
    strcpy(out, h->hex);
    pthread_mutex_lock(&s->lock);
    void **slot = strmap_slot(&s->hashes, h->path);
    if (*slot) { /* another worker hashed it meanwhile */
        free(h->path);
        free(h);
    } else {
        *slot = h;
    }
    pthread_mutex_unlock(&s->lock);
}

/* ---- unit entries --------------------------------------------------------- */

static void unit_key(const CacheSession *s, const char *file, char *const *args, int n_args,
                     char out[SHA256_HEX_LEN + 1])
{
    Sha256 h;
    sha256_init(&h);
    char fmt[16];
    snprintf(fmt, sizeof fmt, "%d", CACHE_FORMAT_VERSION);
    sha256_update_str(&h, KIND_UNIT);
    sha256_update_str(&h, fmt);
    sha256_update_str(&h, CONNLINT_VERSION);
    sha256_update_str(&h, s->parse_salt);
    char cwd[PATH_MAX];
    sha256_update_str(&h, getcwd(cwd, sizeof cwd) ? cwd : ""); /* relative -I resolve against it */
    sha256_update_str(&h, file);
    for (int i = 0; i < n_args; i++) sha256_update_str(&h, args[i]);
    sha256_final_hex(&h, out);
}

/* Do the file and its headers, as the entry lists them, still hash as
 * recorded? */
static bool check_sources(CacheSession *s, ByteReader *r)
{
    int n = reader_count(r);
    bool same = true;
    for (int i = 0; i < n && !r->failed; i++) {
        char *path = reader_str(r, NULL);
        char *recorded = reader_str(r, NULL);
        if (path && recorded && same) {
            char now[SHA256_HEX_LEN + 1];
            file_hash(s, path, now);
            same = strcmp(now, recorded) == 0;
        }
        free(path);
        free(recorded);
    }
    return same && !r->failed;
}

/* The source digest over the (path, hash) list kept from the entry. */
static void slot_source(Slot *sl)
{
    if (!sl->sources) return;
    ByteReader r;
    reader_init(&r, sl->sources, sl->sources_len);
    Sha256 h;
    sha256_init(&h);
    int n = reader_count(&r);
    for (int i = 0; i < n && !r.failed; i++) {
        char *path = reader_str(&r, NULL);
        char *recorded = reader_str(&r, NULL);
        sha256_update_str(&h, path);
        sha256_update_str(&h, recorded);
        free(path);
        free(recorded);
    }
    sha256_final_hex(&h, sl->source);
    free(sl->sources);
    sl->sources = NULL;
}

IrUnit *cache_session_load_unit(CacheSession *s, int slot, const char *file, char *const *args, int n_args)
{
    Slot *sl = &s->slots[slot];
    unit_key(s, file, args, n_args, sl->unit_key);
    /* hashed before a parse, so that an edit made while it runs is seen as
     * a change by the next run rather than stored with the old IR */
    char before[SHA256_HEX_LEN + 1];
    file_hash(s, file, before);
    unsigned char *payload = NULL;
    size_t len = 0;
    CacheLookup got = cache_get(&s->store, KIND_UNIT, sl->unit_key, &payload, &len);
    if (got != CACHE_HIT) {
        atomic_fetch_add(got == CACHE_INVALID ? &s->unit_invalid : &s->unit_misses, 1);
        return NULL;
    }
    ByteReader r;
    reader_init(&r, payload, len);
    IrUnit *u = NULL;
    const unsigned char *sources = r.p;
    if (check_sources(s, &r)) {
        sl->sources_len = (size_t)(r.p - sources);
        sl->sources = xmalloc(sl->sources_len + 1);
        memcpy(sl->sources, sources, sl->sources_len);
        u = ir_unit_decode(&r);
        if (u && !reader_at_end(&r)) {
            ir_unit_free(u);
            u = NULL;
            atomic_fetch_add(&s->unit_invalid, 1);
        } else if (!u) {
            atomic_fetch_add(&s->unit_invalid, 1);
        }
    } else {
        atomic_fetch_add(r.failed ? &s->unit_invalid : &s->unit_misses, 1); /* an edit is a miss */
    }
    free(payload);
    if (u) {
        sl->source_known = true;
        atomic_fetch_add(&s->unit_hits, 1);
    } else {
        free(sl->sources); /* the file is parsed and stored anew */
        sl->sources = NULL;
    }
    return u;
}

void cache_session_store_unit(CacheSession *s, int slot, const IrUnit *u)
{
    Slot *sl = &s->slots[slot];
    if (!sl->unit_key[0] || u->parse_failed || u->has_errors) return;
    ByteBuf b = {0};
    Sha256 h;
    sha256_init(&h);
    /* the main file, then every file the unit read */
    bytes_put_u64(&b, (uint64_t)u->n_includes + 1);
    for (int i = -1; i < u->n_includes; i++) {
        const char *path = i < 0 ? u->main_file : u->includes[i];
        char hex[SHA256_HEX_LEN + 1];
        file_hash(s, path, hex);
        bytes_put_str(&b, path);
        bytes_put_str(&b, hex);
        sha256_update_str(&h, path);
        sha256_update_str(&h, hex);
    }
    sha256_final_hex(&h, sl->source);
    free(sl->sources);
    sl->sources = NULL;
    sl->source_known = true;
    ir_unit_encode(&b, u);
    cache_put(&s->store, KIND_UNIT, sl->unit_key, b.data, b.len);
    bytes_free(&b);
}

/* ---- result entries --------------------------------------------------------- */

static void result_key(const CacheSession *s, const Slot *sl, char out[SHA256_HEX_LEN + 1])
{
    Sha256 h;
    sha256_init(&h);
    sha256_update_str(&h, KIND_RESULT);
    sha256_update_str(&h, sl->unit_key);
    sha256_update_str(&h, s->check_salt);
    sha256_final_hex(&h, out);
}

bool cache_session_load_results(CacheSession *s, int slot, const char *deps_digest, FindingList *out)
{
    Slot *sl = &s->slots[slot];
    if (!sl->source_known) return false;
    slot_source(sl);
    char key[SHA256_HEX_LEN + 1];
    result_key(s, sl, key);
    unsigned char *payload = NULL;
    size_t len = 0;
    CacheLookup got = cache_get(&s->store, KIND_RESULT, key, &payload, &len);
    if (got != CACHE_HIT) {
        atomic_fetch_add(got == CACHE_INVALID ? &s->result_invalid : &s->result_misses, 1);
        return false;
    }
    ByteReader r;
    reader_init(&r, payload, len);
    char *source = reader_str(&r, NULL);
    char *deps = reader_str(&r, NULL);
    bool current = source && deps && strcmp(source, sl->source) == 0 && strcmp(deps, deps_digest) == 0;
    bool ok = false;
    if (current) {
        FindingList got_findings = {0};
        ok = findings_decode(&r, &got_findings) && reader_at_end(&r);
        if (ok) {
            for (int i = 0; i < got_findings.len; i++) findings_add(out, &got_findings.items[i]);
            free(got_findings.items);
        } else {
            findings_free(&got_findings);
        }
        atomic_fetch_add(ok ? &s->result_hits : &s->result_invalid, 1);
    } else {
        atomic_fetch_add(r.failed ? &s->result_invalid : &s->result_misses, 1);
    }
    free(source);
    free(deps);
    free(payload);
    return ok;
}

void cache_session_store_results(CacheSession *s, int slot, const char *deps_digest, const Finding *items, int n)
{
    Slot *sl = &s->slots[slot];
    if (!sl->source_known) return;
    slot_source(sl);
    char key[SHA256_HEX_LEN + 1];
    result_key(s, sl, key);
    ByteBuf b = {0};
    bytes_put_str(&b, sl->source);
    bytes_put_str(&b, deps_digest);
    findings_encode(&b, items, n);
    cache_put(&s->store, KIND_RESULT, key, b.data, b.len);
    bytes_free(&b);
}

/* ---- summary entries -------------------------------------------------------- */

static bool summary_key(const CacheSession *s, int slot, char out[SHA256_HEX_LEN + 1])
{
    if (slot < 0 || slot >= s->n_slots || !s->slots[slot].unit_key[0]) return false;
    Sha256 h;
    sha256_init(&h);
    sha256_update_str(&h, KIND_SUMMARY);
    sha256_update_str(&h, s->slots[slot].unit_key);
    sha256_update_str(&h, s->check_salt);
    sha256_final_hex(&h, out);
    return true;
}

bool cache_session_load_summaries(CacheSession *s, int slot, unsigned char **payload, size_t *len)
{
    char key[SHA256_HEX_LEN + 1];
    *payload = NULL;
    *len = 0;
    if (!summary_key(s, slot, key)) return false;
    CacheLookup got = cache_get(&s->store, KIND_SUMMARY, key, payload, len);
    if (got == CACHE_INVALID) s->summary_invalid++;
    return got == CACHE_HIT;
}

void cache_session_summaries_invalid(CacheSession *s) { s->summary_invalid++; }

void cache_session_store_summaries(CacheSession *s, int slot, const void *payload, size_t len)
{
    char key[SHA256_HEX_LEN + 1];
    if (summary_key(s, slot, key)) cache_put(&s->store, KIND_SUMMARY, key, payload, len);
}

CacheStats cache_session_stats(const CacheSession *s)
{
    CacheStats st = {s->unit_hits, s->unit_misses, s->unit_invalid,
                     s->result_hits, s->result_misses, s->result_invalid, s->summary_invalid};
    return st;
}

const char *cache_session_dir(const CacheSession *s)
{
    return s->store.dir;
}
