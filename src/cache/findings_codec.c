/* findings_codec.c — findings to bytes and back (see findings_codec.h).
 * Follows the fields of Finding in declaration order; a change to
 * finding.h must bump CACHE_FORMAT_VERSION (cache_store.h). */
#include "cache/findings_codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/rules.h"
#include "common/util.h"

static void put_loc(ByteBuf *b, const FindingLoc *l)
{
    bytes_put_str(b, l->file);
    bytes_put_i64(b, l->line);
    bytes_put_i64(b, l->col);
    bytes_put_i64(b, l->end_line);
    bytes_put_i64(b, l->end_col);
    bytes_put_str(b, l->message);
    bytes_put_i64(b, l->col16);
    bytes_put_i64(b, l->end_col16);
}

static void put_locs(ByteBuf *b, const FindingLoc *locs, int n)
{
    bytes_put_u64(b, (uint64_t)n);
    for (int i = 0; i < n; i++) put_loc(b, &locs[i]);
}

void findings_encode(ByteBuf *b, const Finding *items, int n)
{
    bytes_put_u64(b, (uint64_t)n);
    for (int i = 0; i < n; i++) {
        const Finding *f = &items[i];
        bytes_put_str(b, f->rule);
        bytes_put_i64(b, (int64_t)f->level);
        put_loc(b, &f->loc);
        bytes_put_str(b, f->message);
        bytes_put_str(b, f->message_markdown);
        bytes_put_str(b, f->function);
        put_locs(b, f->related, f->n_related);
        put_locs(b, f->path, f->n_path);
        bytes_put_str(b, f->identity);
        bytes_put_str(b, f->fingerprint);
        bytes_put_str(b, f->line_hash);
        bytes_put_bool(b, f->suppressed);
        bytes_put_str(b, f->suppression_text);
        bytes_put_i64(b, (int64_t)f->baseline);
    }
}

static int get_int(ByteReader *r) { return reader_int(r, INT_MIN, INT_MAX); }

static void get_loc(ByteReader *r, FindingLoc *l)
{
    l->file = reader_str(r, NULL);
    l->line = get_int(r);
    l->col = get_int(r);
    l->end_line = get_int(r);
    l->end_col = get_int(r);
    l->message = reader_str(r, NULL);
    l->col16 = get_int(r);
    l->end_col16 = get_int(r);
}

static FindingLoc *get_locs(ByteReader *r, int *n)
{
    *n = reader_count(r);
    FindingLoc *locs = xcalloc((size_t)*n + 1, sizeof(FindingLoc));
    for (int i = 0; i < *n && !r->failed; i++) get_loc(r, &locs[i]);
    return locs;
}

/* The static rule id of rule_info for a decoded name, NULL if unknown. */
static const char *static_rule_id(const char *name)
{
    const RuleInfo *info = name ? rule_info_find(name) : NULL;
    return info ? info->id : NULL;
}

bool findings_decode(ByteReader *r, FindingList *out)
{
    FindingList got = {0};
    int n = reader_count(r);
    for (int i = 0; i < n && !r->failed; i++) {
        Finding f;
        memset(&f, 0, sizeof f);
        char *rule = reader_str(r, NULL);
        f.rule = static_rule_id(rule);
        if (!f.rule) r->failed = true;
        free(rule);
        f.level = (Level)reader_int(r, LEVEL_NONE, LEVEL_ERROR);
        get_loc(r, &f.loc);
        f.message = reader_str(r, NULL);
        f.message_markdown = reader_str(r, NULL);
        f.function = reader_str(r, NULL);
        f.related = get_locs(r, &f.n_related);
        f.path = get_locs(r, &f.n_path);
        f.identity = reader_str(r, NULL);
        f.fingerprint = reader_str(r, NULL);
        f.line_hash = reader_str(r, NULL);
        f.suppressed = reader_bool(r);
        f.suppression_text = reader_str(r, NULL);
        f.baseline = (BaselineState)reader_int(r, BASELINE_NONE, BASELINE_ABSENT);
        findings_add(&got, &f);
    }
    if (r->failed) {
        findings_free(&got);
        return false;
    }
    for (int i = 0; i < got.len; i++) findings_add(out, &got.items[i]);
    free(got.items);
    return true;
}
