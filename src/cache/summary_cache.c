/* summary_cache.c — the summaries of a run kept in the cache
 * (summary_cache.h): component digests, the per-unit entries, and the
 * hooks the summary stage calls. */
#include "cache/summary_cache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/bytes.h"
#include "cache/cache_deps.h"
#include "cache/ir_codec.h"
#include "cache/sha256.h"
#include "common/util.h"

#define ENTRY_VERSION 3

/* Every field of FunctionSummary is written below: a new field must be
 * added to put_summary, get_summary and summary_digest_add (cache_deps.c),
 * or cached summaries would drop it. */
#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(FunctionSummary) == 120 && sizeof(MaybeRule) == 3, "FunctionSummary changed: update summary_cache.c and cache_deps.c");
#endif

typedef struct {
    char *name, *file;
    int line;
    char digest[SHA256_HEX_LEN + 1];
    FunctionSummary s; /* strings and arrays owned here */
} Record;

typedef struct {
    bool loaded;
    bool dirty;        /* a summary of the unit was computed: write it */
    VEC(Record) records;
} UnitRecords;

struct SummaryCache {
    CacheSession *cs;
    const PackSet *packs;
    int n_units;
    UnitRecords *units;
    char (*fn_digest)[SHA256_HEX_LEN + 1]; /* per table entry, "" until computed */
    char (*scc_digest)[SHA256_HEX_LEN + 1];
    int n_entries;
    int hits;
};

SummaryCache *summary_cache_new(CacheSession *cs, const PackSet *packs, int n_units)
{
    SummaryCache *sc = xcalloc(1, sizeof *sc);
    sc->cs = cs;
    sc->packs = packs;
    sc->n_units = n_units;
    sc->units = xcalloc((size_t)n_units + 1, sizeof(UnitRecords));
    return sc;
}

static void record_free(Record *r)
{
    free(r->name);
    free(r->file);
    free((char *)r->s.acquire_field);
    free(r->s.chain);
    free(r->s.params);
    free(r->s.param_res);
}

void summary_cache_free(SummaryCache *sc)
{
    if (!sc) return;
    for (int u = 0; u < sc->n_units; u++) {
        for (int i = 0; i < sc->units[u].records.len; i++) record_free(&sc->units[u].records.items[i]);
        VEC_FREE(sc->units[u].records);
    }
    free(sc->units);
    free(sc->fn_digest);
    free(sc->scc_digest);
    free(sc);
}

int summary_cache_hits(const SummaryCache *sc) { return sc ? sc->hits : 0; }

/* ---- encoding --------------------------------------------------------------- */

/* A resource by its place in the packs (which the entry's key fixes);
 * false for one that is not a pack's (the unit's entry is then not
 * written rather than written wrong). */
static bool put_resource(ByteBuf *b, const PackSet *ps, const Resource *res)
{
    for (int p = 0; res && p < ps->n_packs; p++)
        for (int r = 0; r < ps->packs[p].n_resources; r++)
            if (&ps->packs[p].resources[r] == res) {
                bytes_put_i64(b, p);
                bytes_put_i64(b, r);
                bytes_put_str(b, res->id);
                return true;
            }
    bytes_put_i64(b, -1);
    return res == NULL;
}

static const Resource *get_resource(ByteReader *rd, const PackSet *ps)
{
    int p = reader_int(rd, -1, ps->n_packs - 1);
    if (p < 0 || rd->failed) return NULL;
    int r = reader_int(rd, 0, ps->packs[p].n_resources - 1);
    char *id = reader_str(rd, NULL);
    const Resource *res = NULL;
    if (!rd->failed && id && strcmp(id, ps->packs[p].resources[r].id) == 0) res = &ps->packs[p].resources[r];
    else rd->failed = true;
    free(id);
    return res;
}

static bool put_summary(ByteBuf *b, const PackSet *ps, const FunctionSummary *s)
{
    bool ok = put_resource(b, ps, s->acquires);
    bytes_put_i64(b, s->acquire_result_arg);
    bytes_put_i64(b, s->acquire_failure);
    bytes_put_str(b, s->acquire_field);
    bytes_put_bool(b, s->acquires_per_request);
    bytes_put_i64(b, s->acquire_unless_zero);
    bytes_put_str(b, s->chain);
    bytes_put_i64(b, s->n_params);
    for (int i = 0; i < s->n_params; i++) {
        bytes_put_i64(b, s->params[i]);
        ok = put_resource(b, ps, s->param_res[i]) && ok;
    }
    bytes_put_i64(b, s->returns_param);
    bytes_put_i64(b, s->takes_contents);
    for (int i = 0; i < SUMMARY_MAYBE_PARAMS; i++) {
        bytes_put_i64(b, s->maybe[i].by);
        bytes_put_i64(b, s->maybe[i].param);
        bytes_put_i64(b, s->maybe[i].ret);
    }
    return ok;
}

static void get_summary(ByteReader *rd, const PackSet *ps, FunctionSummary *s)
{
    memset(s, 0, sizeof *s);
    s->acquires = get_resource(rd, ps);
    s->acquire_result_arg = reader_int(rd, -1, 1 << 20);
    s->acquire_failure = (FailureKind)reader_int(rd, 0, FAILURE_STATUS_UNKNOWN);
    s->acquire_field = reader_str(rd, NULL);
    s->acquires_per_request = reader_bool(rd);
    s->acquire_unless_zero = reader_int(rd, -1, 1 << 16);
    s->chain = reader_str(rd, NULL);
    s->n_params = reader_int(rd, 0, 1 << 16);
    if (rd->failed) return;
    s->params = xcalloc((size_t)s->n_params + 1, sizeof(ParamEffect));
    s->param_res = xcalloc((size_t)s->n_params + 1, sizeof(Resource *));
    for (int i = 0; i < s->n_params && !rd->failed; i++) {
        s->params[i] = (ParamEffect)reader_int(rd, PARAM_BORROWS, PARAM_TRANSFERS_ON_ZERO);
        s->param_res[i] = get_resource(rd, ps);
    }
    s->returns_param = reader_int(rd, -1, 1 << 16);
    int64_t contents = reader_i64(rd);
    if (contents < 0 || contents > 0xffffffffLL) rd->failed = true;
    s->takes_contents = (unsigned)contents;
    for (int i = 0; i < SUMMARY_MAYBE_PARAMS; i++) {
        s->maybe[i].by = (signed char)reader_int(rd, MAYBE_BY_NOTHING, MAYBE_WHEN_PARAM_NONZERO);
        s->maybe[i].param = (signed char)reader_int(rd, -1, SUMMARY_MAYBE_PARAMS - 1);
        s->maybe[i].ret = (signed char)reader_int(rd, MAYBE_BY_NOTHING, MAYBE_WHEN_PARAM_NONZERO);
    }
}

/* The unit's entry, read once: its records, or none when it is missing
 * or malformed (then rebuilt). */
static UnitRecords *unit_records(SummaryCache *sc, int u)
{
    UnitRecords *ur = &sc->units[u];
    if (ur->loaded) return ur;
    ur->loaded = true;
    unsigned char *payload = NULL;
    size_t len = 0;
    if (!cache_session_load_summaries(sc->cs, u, &payload, &len)) return ur;
    ByteReader rd;
    reader_init(&rd, payload, len);
    bool ok = reader_int(&rd, ENTRY_VERSION, ENTRY_VERSION) == ENTRY_VERSION;
    int n = ok ? reader_count(&rd) : 0;
    for (int i = 0; i < n && !rd.failed; i++) {
        Record r;
        memset(&r, 0, sizeof r);
        r.name = reader_str(&rd, NULL);
        r.file = reader_str(&rd, NULL);
        r.line = reader_int(&rd, 0, 1 << 30);
        char *digest = reader_str(&rd, NULL);
        if (digest && strlen(digest) == SHA256_HEX_LEN) strcpy(r.digest, digest);
        else rd.failed = true;
        free(digest);
        if (!rd.failed) get_summary(&rd, sc->packs, &r.s);
        VEC_PUSH(ur->records, r);
    }
    if (!ok || rd.failed || !reader_at_end(&rd)) {
        for (int i = 0; i < ur->records.len; i++) record_free(&ur->records.items[i]);
        ur->records.len = 0;
        cache_session_summaries_invalid(sc->cs);
        ur->dirty = true; /* written again */
    }
    free(payload);
    return ur;
}

/* ---- digests ------------------------------------------------------------------ */

static const char *fn_digest(SummaryCache *sc, const SummaryTable *t, int i)
{
    if (!sc->fn_digest[i][0]) {
        ByteBuf b = {0};
        ir_function_encode(&b, summary_table_function(t, i));
        sha256_hex_of(b.data, b.len, sc->fn_digest[i]);
        bytes_free(&b);
    }
    return sc->fn_digest[i];
}

static int member_of(SummaryTable *t, const int *members, int n, const FunctionSummary *s)
{
    for (int k = 0; s && k < n; k++)
        if (summary_table_at(t, members[k]) == s) return k;
    return -1;
}

/* The members' IR and, for every name they call, the summary it resolves
 * to outside the component (final by now) or which member it is. */
static void component_digest(SummaryCache *sc, SummaryTable *t, const int *members, int n,
                             char out[SHA256_HEX_LEN + 1])
{
    Sha256 h;
    sha256_init(&h);
    sha256_update_str(&h, "component 1");
    for (int k = 0; k < n; k++) sha256_update_str(&h, fn_digest(sc, t, members[k]));
    char pos[32];
    for (int k = 0; k < n; k++) {
        const IrFunction *fn = summary_table_function(t, members[k]);
        for (int b = 0; b < fn->n_blocks; b++)
            for (int e = 0; e < fn->blocks[b].n_events; e++) {
                const IrEvent *ev = &fn->blocks[b].events[e];
                if (ev->kind != EV_CALL || !ev->u.call.callee) continue;
                const FunctionSummary *s = summary_lookup(t, ev->u.call.callee, fn->file);
                int m = member_of(t, members, n, s);
                sha256_update_str(&h, ev->u.call.callee);
                if (m >= 0) {
                    snprintf(pos, sizeof pos, "member %d", m);
                    sha256_update_str(&h, pos);
                } else {
                    summary_digest_add(&h, s);
                }
            }
    }
    sha256_final_hex(&h, out);
}

/* ---- the hooks --------------------------------------------------------------- */

static void ensure_tables(SummaryCache *sc, const SummaryTable *t)
{
    if (sc->fn_digest) return;
    sc->n_entries = summary_table_count(t);
    sc->fn_digest = xcalloc((size_t)sc->n_entries + 1, sizeof *sc->fn_digest);
    sc->scc_digest = xcalloc((size_t)sc->n_entries + 1, sizeof *sc->scc_digest);
}

static const Record *find_record(const UnitRecords *ur, const IrFunction *fn)
{
    for (int i = 0; i < ur->records.len; i++) {
        const Record *r = &ur->records.items[i];
        if (r->line == fn->loc.line && r->name && r->file && strcmp(r->name, fn->name) == 0 &&
            strcmp(r->file, fn->file) == 0)
            return r;
    }
    return NULL;
}

static bool hook_reuse(void *ctx, SummaryTable *t, const int *members, int n)
{
    SummaryCache *sc = ctx;
    ensure_tables(sc, t);
    char digest[SHA256_HEX_LEN + 1];
    component_digest(sc, t, members, n, digest);
    const Record **found = xcalloc((size_t)n, sizeof *found);
    bool all = true;
    for (int k = 0; k < n; k++) {
        strcpy(sc->scc_digest[members[k]], digest);
        int u = summary_table_unit(t, members[k]);
        const IrFunction *fn = summary_table_function(t, members[k]);
        const Record *r = u >= 0 && u < sc->n_units ? find_record(unit_records(sc, u), fn) : NULL;
        if (!r || strcmp(r->digest, digest) != 0 || r->s.n_params != summary_table_at(t, members[k])->n_params)
            all = false;
        found[k] = r;
    }
    for (int k = 0; all && k < n; k++) {
        FunctionSummary *cur = summary_table_at(t, members[k]);
        const FunctionSummary *c = &found[k]->s;
        cur->acquires = c->acquires;
        cur->acquire_result_arg = c->acquire_result_arg;
        cur->acquire_failure = c->acquire_failure;
        cur->acquire_field = summary_table_keep(t, c->acquire_field ? xstrdup(c->acquire_field) : NULL);
        cur->acquires_per_request = c->acquires_per_request;
        cur->acquire_unless_zero = c->acquire_unless_zero;
        free(cur->chain);
        cur->chain = c->chain ? xstrdup(c->chain) : NULL;
        memcpy(cur->params, c->params, (size_t)c->n_params * sizeof(ParamEffect));
        memcpy(cur->param_res, c->param_res, (size_t)c->n_params * sizeof(Resource *));
        cur->returns_param = c->returns_param;
        cur->takes_contents = c->takes_contents;
        memcpy(cur->maybe, c->maybe, sizeof cur->maybe);
    }
    free(found);
    if (all) sc->hits += n;
    return all;
}

static void hook_computed(void *ctx, SummaryTable *t, const int *members, int n)
{
    SummaryCache *sc = ctx;
    for (int k = 0; k < n; k++) {
        int u = summary_table_unit(t, members[k]);
        if (u >= 0 && u < sc->n_units) sc->units[u].dirty = true;
    }
}

SummaryHooks summary_cache_hooks(SummaryCache *sc)
{
    SummaryHooks h = {sc, hook_reuse, hook_computed};
    return h;
}

void summary_cache_store(SummaryCache *sc, SummaryTable *t)
{
    int n = summary_table_count(t);
    if (n == 0 || !sc->scc_digest) return;
    VEC(int) *of_unit = xcalloc((size_t)sc->n_units + 1, sizeof *of_unit);
    for (int i = 0; i < n; i++) {
        int u = summary_table_unit(t, i);
        if (u >= 0 && u < sc->n_units && sc->units[u].dirty) VEC_PUSH(of_unit[u], i);
    }
    for (int u = 0; u < sc->n_units; u++) {
        if (!sc->units[u].dirty) continue;
        ByteBuf b = {0};
        bool ok = true;
        bytes_put_i64(&b, ENTRY_VERSION);
        bytes_put_u64(&b, (uint64_t)of_unit[u].len);
        for (int k = 0; k < of_unit[u].len; k++) {
            int i = of_unit[u].items[k];
            const IrFunction *fn = summary_table_function(t, i);
            bytes_put_str(&b, fn->name);
            bytes_put_str(&b, fn->file);
            bytes_put_i64(&b, fn->loc.line);
            bytes_put_str(&b, sc->scc_digest[i]);
            ok = put_summary(&b, sc->packs, summary_table_at(t, i)) && ok;
        }
        if (ok) cache_session_store_summaries(sc->cs, u, b.data, b.len);
        bytes_free(&b);
        VEC_FREE(of_unit[u]);
    }
    free(of_unit);
}
