/* filter_fingerprint.c — the fingerprint filter (fingerprint_assign of
 * filter.h). Gives every finding two stable ids:
 *
 *  - fingerprint ("connlint/v1" in SARIF, "fingerprint" in JSON): a 64-bit
 *    hash, as 16 hex digits, of the rule, the finding's identity (function,
 *    handle, callee: no line numbers), the file relative to the source root,
 *    and the finding's ordinal among findings with the same rule, identity
 *    and file (in line, column order). Inserting or removing unrelated lines
 *    leaves it unchanged; a second identical leak in the same function gets
 *    ordinal 1.
 *  - line_hash: GitHub's primaryLocationLineHash, computed from the file's
 *    text exactly as github/codeql-action's fingerprints.ts does, so that
 *    code scanning does not compute (or contradict) it itself.
 *
 * Reads the analysed files' text (each once); never looks at the IR. */
#include "filter/filter.h"
#include "filter/filter_fingerprint.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

/* ---- GitHub's rolling line hash ---------------------------------------- */

#define LH_BLOCK 100
#define LH_MOD 37u
#define LH_EOF 65535u

typedef struct {
    uint64_t *keys;  /* hash values seen; 0 slots are marked by used[] */
    int *counts;
    unsigned char *used;
    size_t cap, len;
} HashCounts;

static int hashcounts_bump(HashCounts *hc, uint64_t key)
{
    if ((hc->len + 1) * 2 > hc->cap) {
        HashCounts bigger = {0};
        bigger.cap = hc->cap ? hc->cap * 2 : 1024;
        bigger.keys = xcalloc(bigger.cap, sizeof(uint64_t));
        bigger.counts = xcalloc(bigger.cap, sizeof(int));
        bigger.used = xcalloc(bigger.cap, 1);
        for (size_t i = 0; i < hc->cap; i++) {
            if (!hc->used[i]) continue;
            size_t j = (size_t)(hc->keys[i] * 0x9E3779B97F4A7C15ULL) & (bigger.cap - 1);
            while (bigger.used[j]) j = (j + 1) & (bigger.cap - 1);
            bigger.used[j] = 1;
            bigger.keys[j] = hc->keys[i];
            bigger.counts[j] = hc->counts[i];
        }
        bigger.len = hc->len;
        free(hc->keys);
        free(hc->counts);
        free(hc->used);
        *hc = bigger;
    }
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15ULL) & (hc->cap - 1);
    while (hc->used[j] && hc->keys[j] != key) j = (j + 1) & (hc->cap - 1);
    if (!hc->used[j]) {
        hc->used[j] = 1;
        hc->keys[j] = key;
        hc->len++;
    }
    return ++hc->counts[j];
}

typedef struct {
    uint64_t window[LH_BLOCK];
    int line_numbers[LH_BLOCK];
    uint64_t hash, first_mod;
    int index, line_number;
    bool line_start, prev_cr;
    HashCounts counts;
    VEC(char *) lines; /* lines.items[k] = hash of line k + 1 */
} LineHasher;

static void lh_output(LineHasher *h)
{
    int line = h->line_numbers[h->index];
    int n = hashcounts_bump(&h->counts, h->hash);
    while (h->lines.len < line) VEC_PUSH(h->lines, NULL);
    free(h->lines.items[line - 1]);
    h->lines.items[line - 1] = xasprintf("%llx:%d", (unsigned long long)h->hash, n);
    h->line_numbers[h->index] = -1;
}

static void lh_update(LineHasher *h, uint64_t current)
{
    uint64_t begin = h->window[h->index];
    h->window[h->index] = current;
    h->hash = LH_MOD * h->hash + current - h->first_mod * begin; /* mod 2^64, as Long */
    h->index = (h->index + 1) % LH_BLOCK;
}

static void lh_char(LineHasher *h, unsigned current)
{
    if (current == ' ' || current == '\t' || (h->prev_cr && current == '\n')) {
        h->prev_cr = false;
        return;
    }
    h->prev_cr = current == '\r';
    if (current == '\r') current = '\n';
    if (h->line_numbers[h->index] != -1) lh_output(h);
    if (h->line_start) {
        h->line_start = false;
        h->line_numbers[h->index] = ++h->line_number;
    }
    if (current == '\n') h->line_start = true;
    lh_update(h, current);
}

/* A code point as JavaScript sees it: one or two UTF-16 code units. */
static void lh_codepoint(LineHasher *h, uint32_t cp)
{
    if (cp > 0xFFFF) {
        cp -= 0x10000;
        lh_char(h, 0xD800 + (cp >> 10));
        lh_char(h, 0xDC00 + (cp & 0x3FF));
    } else {
        lh_char(h, cp);
    }
}

/* UTF-8 to code points as the WHATWG decoder (Node's "utf8") does it:
 * each maximal invalid subsequence becomes one U+FFFD. */
static void lh_decode(LineHasher *h, const unsigned char *s, size_t len)
{
    uint32_t cp = 0;
    int needed = 0, seen = 0;
    unsigned lower = 0x80, upper = 0xBF;
    for (size_t i = 0; i < len; i++) {
        unsigned b = s[i];
        if (needed == 0) {
            if (b <= 0x7F) lh_codepoint(h, b);
            else if (b >= 0xC2 && b <= 0xDF) needed = 1, cp = b & 0x1F;
            else if (b >= 0xE0 && b <= 0xEF) {
                if (b == 0xE0) lower = 0xA0;
                if (b == 0xED) upper = 0x9F;
                needed = 2, cp = b & 0x0F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                if (b == 0xF0) lower = 0x90;
                if (b == 0xF4) upper = 0x8F;
                needed = 3, cp = b & 0x07;
            } else lh_codepoint(h, 0xFFFD);
            continue;
        }
        if (b < lower || b > upper) {
            cp = 0, needed = 0, seen = 0, lower = 0x80, upper = 0xBF;
            lh_codepoint(h, 0xFFFD);
            i--; /* the byte starts something new */
            continue;
        }
        lower = 0x80, upper = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
        if (++seen == needed) {
            lh_codepoint(h, cp);
            cp = 0, needed = 0, seen = 0;
        }
    }
    if (needed) lh_codepoint(h, 0xFFFD);
}

char **github_line_hashes(const char *text, size_t len, int *n_lines)
{
    LineHasher *h = xcalloc(1, sizeof *h);
    h->first_mod = 1;
    for (int i = 0; i < LH_BLOCK; i++) {
        h->first_mod *= LH_MOD;
        h->line_numbers[i] = -1;
    }
    h->line_start = true;
    lh_decode(h, (const unsigned char *)text, len);
    lh_char(h, LH_EOF);
    for (int i = 0; i < LH_BLOCK; i++) {
        if (h->line_numbers[h->index] != -1) lh_output(h);
        lh_update(h, 0);
    }
    char **lines = h->lines.items;
    *n_lines = h->lines.len;
    free(h->counts.keys);
    free(h->counts.counts);
    free(h->counts.used);
    free(h);
    return lines;
}

void line_hashes_free(char **hashes, int n_lines)
{
    for (int i = 0; i < n_lines; i++) free(hashes[i]);
    free(hashes);
}

/* ---- line hashes of the findings, each file read once ------------------ */

typedef struct {
    const char *file;
    char **hashes; /* NULL when the file could not be read */
    int n;
} FileHashes;

typedef VEC(FileHashes) FileHashCache;

static const FileHashes *file_hashes(FileHashCache *cache, const char *file)
{
    for (int i = 0; i < cache->len; i++)
        if (strcmp(cache->items[i].file, file) == 0) return &cache->items[i];
    FileHashes fh = {file, NULL, 0};
    size_t len = 0;
    char *text = read_file_all(file, &len);
    if (text) fh.hashes = github_line_hashes(text, len, &fh.n);
    free(text);
    VEC_PUSH(*cache, fh);
    return &cache->items[cache->len - 1];
}

static void assign_line_hashes(FindingList *list)
{
    FileHashCache cache = {0};
    for (int i = 0; i < list->len; i++) {
        Finding *f = &list->items[i];
        if (f->line_hash || !f->loc.file || f->loc.line < 1) continue;
        const FileHashes *fh = file_hashes(&cache, f->loc.file);
        if (f->loc.line <= fh->n && fh->hashes[f->loc.line - 1])
            f->line_hash = xstrdup(fh->hashes[f->loc.line - 1]);
    }
    for (int i = 0; i < cache.len; i++) line_hashes_free(cache.items[i].hashes, cache.items[i].n);
    VEC_FREE(cache);
}

/* ---- our own fingerprint ----------------------------------------------- */

typedef struct {
    char *key;  /* rule, identity, relative file: everything but the ordinal */
    const Finding *f;
    Finding *target;
} FpEntry;

static char *relative_to_root(const char *file, const char *root)
{
    size_t n = root ? strlen(root) : 0;
    while (n > 1 && root[n - 1] == '/') n--;
    if (n > 0 && strncmp(file, root, n) == 0 && file[n] == '/') return xstrdup(file + n + 1);
    return xstrdup(file);
}

static char *fingerprint_key(const Finding *f, const char *srcroot)
{
    char *rel = f->loc.file ? relative_to_root(f->loc.file, srcroot) : xstrdup("");
    const char *rule = f->rule ? f->rule : "";
    char *key;
    if (f->identity) key = xasprintf("%s\n%s\n%s", rule, f->identity, rel);
    else key = xasprintf("%s\n%s\n%s", rule, f->function ? f->function : "", rel);
    free(rel);
    return key;
}

static int fp_cmp(const void *pa, const void *pb)
{
    const FpEntry *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c) return c;
    if (a->f->loc.line != b->f->loc.line) return a->f->loc.line < b->f->loc.line ? -1 : 1;
    if (a->f->loc.col != b->f->loc.col) return a->f->loc.col < b->f->loc.col ? -1 : 1;
    return a->f < b->f ? -1 : a->f > b->f; /* equal places: keep list order */
}

static void assign_fingerprints(FindingList *list, const char *srcroot)
{
    if (list->len == 0) return;
    FpEntry *e = xcalloc((size_t)list->len, sizeof *e);
    for (int i = 0; i < list->len; i++) {
        e[i].key = fingerprint_key(&list->items[i], srcroot);
        e[i].f = e[i].target = &list->items[i];
    }
    qsort(e, (size_t)list->len, sizeof *e, fp_cmp);
    int ordinal = 0;
    for (int i = 0; i < list->len; i++) {
        ordinal = (i > 0 && strcmp(e[i].key, e[i - 1].key) == 0) ? ordinal + 1 : 0;
        if (e[i].target->fingerprint) continue;
        char *full = xasprintf("%s#%d", e[i].key, ordinal);
        e[i].target->fingerprint = xasprintf("%016llx", hash_str64(full));
        free(full);
    }
    for (int i = 0; i < list->len; i++) free(e[i].key);
    free(e);
}

void fingerprint_assign_rooted(FindingList *list, const char *srcroot)
{
    assign_fingerprints(list, srcroot);
    assign_line_hashes(list);
}

void fingerprint_assign(FindingList *list)
{
    char cwd[PATH_MAX];
    fingerprint_assign_rooted(list, getcwd(cwd, sizeof cwd) ? cwd : NULL);
}
