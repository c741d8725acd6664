/* filter_baseline.c — comparing findings with a baseline SARIF file
 * (--baseline, SPEC §2). A result of the baseline is identified by its
 * partialFingerprints["connlint/v1"]; every current finding whose
 * fingerprint is in the baseline is "unchanged", every other one "new", and
 * every baseline result no current finding matches comes back as an
 * "absent" finding (rule, level, message and location as the baseline gave
 * them; its path made absolute against the run's originalUriBaseIds, or the
 * current directory). Results the baseline itself marked absent, and results
 * of other tools (no connlint fingerprint), are ignored.
 * Does not decide the exit status (main.c does) and never writes files. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"
#include "cli/glob.h"
#include "cli/json_pos.h"
#include "common/rules.h"
#include "common/util.h"

#define FINGERPRINT_KEY "connlint/v1"

typedef struct {
    const char *fingerprint; /* points into the cJSON tree */
    const cJSON *result;
    const cJSON *run;
    bool matched;
} BaselineEntry;

typedef VEC(BaselineEntry) EntryVec;

static const char *json_string(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int json_int(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

static const cJSON *json_first(const cJSON *obj, const char *key)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, 0) : NULL;
}

/* ---- reading the file -------------------------------------------------- */

/* A SARIF 2.1.0 log: an object with "version": "2.1.0" and a "runs" array. */
static bool is_sarif_2_1(const char *path, const cJSON *root)
{
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(runs)) {
        tool_error(path, 0, 0, "the baseline is not a SARIF file (no \"runs\" array)");
        return false;
    }
    const char *version = json_string(root, "version");
    if (!version || strcmp(version, "2.1.0") != 0) {
        tool_error(path, 0, 0, "the baseline is not SARIF 2.1.0 (its \"version\" is %s%s%s)",
                   version ? "\"" : "", version ? version : "missing", version ? "\"" : "");
        return false;
    }
    return true;
}

static cJSON *load_sarif(const char *path, char **text_out)
{
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text) {
        tool_error(path, 0, 0, "cannot read the baseline: %s", read_error_text(errno));
        return NULL;
    }
    if (!json_text_check(text, len, path, "baseline")) {
        free(text);
        return NULL;
    }
    /* the whole file must be one JSON value: trailing garbage is an error */
    cJSON *root = json_parse_reporting(text, path);
    if (!root) {
        free(text);
        return NULL;
    }
    if (!is_sarif_2_1(path, root)) {
        cJSON_Delete(root);
        free(text);
        return NULL;
    }
    *text_out = text;
    return root;
}

static const char *result_fingerprint(const cJSON *result)
{
    const cJSON *fps = cJSON_GetObjectItemCaseSensitive(result, "partialFingerprints");
    return cJSON_IsObject(fps) ? json_string(fps, FINGERPRINT_KEY) : NULL;
}

static void collect_entries(const cJSON *root, EntryVec *out)
{
    const cJSON *run;
    cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(root, "runs")) {
        const cJSON *result;
        cJSON_ArrayForEach(result, cJSON_GetObjectItemCaseSensitive(run, "results")) {
            const char *fp = result_fingerprint(result);
            const char *state = json_string(result, "baselineState");
            if (!fp || (state && strcmp(state, "absent") == 0)) continue;
            BaselineEntry e = {fp, result, run, false};
            VEC_PUSH(*out, e);
        }
    }
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const BaselineEntry *)a)->fingerprint, ((const BaselineEntry *)b)->fingerprint);
}

/* Marks every entry with fingerprint fp matched; false when there is none. */
static bool match_fingerprint(EntryVec *entries, const char *fp)
{
    if (entries->len == 0) return false; /* bsearch() must not see a NULL array */
    BaselineEntry key = {fp, NULL, NULL, false};
    BaselineEntry *hit = bsearch(&key, entries->items, (size_t)entries->len, sizeof key, entry_cmp);
    if (!hit) return false;
    BaselineEntry *lo = hit, *end = entries->items + entries->len;
    while (lo > entries->items && strcmp(lo[-1].fingerprint, fp) == 0) lo--;
    for (BaselineEntry *e = lo; e < end && strcmp(e->fingerprint, fp) == 0; e++) e->matched = true;
    return true;
}

/* ---- URIs to paths ----------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "file:///a%20b/c" -> "/a b/c"; a relative reference is only decoded. */
static char *uri_to_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) == 0) {
        uri += 7;
        const char *slash = strchr(uri, '/'); /* skip an authority ("localhost") */
        uri = slash ? slash : uri + strlen(uri);
    }
    StrBuf sb;
    sb_init(&sb);
    for (const char *p = uri; *p; p++) {
        int hi, lo;
        if (*p == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0) {
            sb_append_char(&sb, (char)(hi * 16 + lo));
            p += 2;
        } else {
            sb_append_char(&sb, *p);
        }
    }
    return sb_take(&sb);
}

/* The folder that uriBaseId names in the run, or NULL. */
static char *base_folder(const cJSON *run, const char *base_id)
{
    if (!base_id) return NULL;
    const cJSON *bases = cJSON_GetObjectItemCaseSensitive(run, "originalUriBaseIds");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(bases, base_id);
    if (!base) { /* "%SRCROOT%" <-> "SRCROOT" */
        size_t n = strlen(base_id);
        char *other = base_id[0] == '%' && n > 2 ? xstrndup(base_id + 1, n - 2)
                                                 : xasprintf("%%%s%%", base_id);
        base = cJSON_GetObjectItemCaseSensitive(bases, other);
        free(other);
    }
    const char *uri = json_string(base, "uri");
    if (!uri) return NULL;
    char *path = uri_to_path(uri);
    if (path[0] != '/') {
        free(path);
        return NULL;
    }
    return path;
}

static char *location_path(const cJSON *run, const cJSON *artifact)
{
    const char *uri = json_string(artifact, "uri");
    const char *base_id = json_string(artifact, "uriBaseId");
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(artifact, "index");
    if (!uri && cJSON_IsNumber(index)) { /* the uri may stand in run.artifacts */
        const cJSON *art = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(run, "artifacts"),
                                              index->valueint);
        const cJSON *loc = cJSON_GetObjectItemCaseSensitive(art, "location");
        uri = json_string(loc, "uri");
        if (!base_id) base_id = json_string(loc, "uriBaseId");
    }
    if (!uri) return NULL;
    char *rel = uri_to_path(uri);
    char *base = rel[0] == '/' ? NULL : base_folder(run, base_id);
    char *abs = path_normalize(rel, base);
    free(base);
    free(rel);
    return abs;
}

/* ---- absent findings --------------------------------------------------- */

/* False when the result has no file location (it could not be shown). */
static bool fill_location(const cJSON *run, const cJSON *result, Finding *f)
{
    const cJSON *loc = json_first(result, "locations");
    const cJSON *phys = cJSON_GetObjectItemCaseSensitive(loc, "physicalLocation");
    const cJSON *region = cJSON_GetObjectItemCaseSensitive(phys, "region");
    char *file = location_path(run, cJSON_GetObjectItemCaseSensitive(phys, "artifactLocation"));
    if (!file) return false;
    int line = json_int(region, "startLine");
    int col = json_int(region, "startColumn");
    int end_line = json_int(region, "endLine");
    int end_col = json_int(region, "endColumn");
    f->loc = findingloc_make(file, line, col > 0 ? col : 1, end_line > 0 ? end_line : line,
                             end_col > 0 ? end_col : (col > 0 ? col : 1), NULL);
    free(file);
    const cJSON *logical = json_first(loc, "logicalLocations");
    const char *fn = json_string(logical, "name");
    if (fn) f->function = xstrdup(fn);
    return true;
}

static bool absent_finding(const char *path, const BaselineEntry *e, Finding *f)
{
    const char *rule_id = json_string(e->result, "ruleId");
    const RuleInfo *ri = rule_id ? rule_info_find(rule_id) : NULL;
    if (!ri) {
        tool_warning(path, 0, 0, "baseline result with unknown rule '%s' ignored",
                     rule_id ? rule_id : "(none)");
        return false;
    }
    memset(f, 0, sizeof *f);
    if (!fill_location(e->run, e->result, f)) return false;
    f->rule = ri->id;
    const char *level = json_string(e->result, "level");
    if (!level || !level_parse(level, &f->level)) f->level = ri->default_level;
    const char *text = json_string(cJSON_GetObjectItemCaseSensitive(e->result, "message"), "text");
    f->message = xstrdup(text ? text : "");
    f->identity = xstrdup(e->fingerprint);
    f->fingerprint = xstrdup(e->fingerprint);
    const cJSON *fps = cJSON_GetObjectItemCaseSensitive(e->result, "partialFingerprints");
    const char *lh = json_string(fps, "primaryLocationLineHash");
    if (lh) f->line_hash = xstrdup(lh);
    f->baseline = BASELINE_ABSENT;
    return true;
}

bool baseline_apply(FindingList *list, const char *baseline_path)
{
    char *text = NULL;
    cJSON *root = load_sarif(baseline_path, &text);
    if (!root) return false;
    EntryVec entries = {0};
    collect_entries(root, &entries);
    if (entries.len > 1)
        qsort(entries.items, (size_t)entries.len, sizeof *entries.items, entry_cmp);

    int n_current = list->len;
    for (int i = 0; i < n_current; i++) {
        Finding *f = &list->items[i];
        bool known = f->fingerprint && match_fingerprint(&entries, f->fingerprint);
        f->baseline = known ? BASELINE_UNCHANGED : BASELINE_NEW;
    }
    for (int i = 0; i < entries.len; i++) {
        BaselineEntry *e = &entries.items[i];
        if (e->matched) continue;
        if (i > 0 && strcmp(entries.items[i - 1].fingerprint, e->fingerprint) == 0) continue;
        Finding f;
        if (absent_finding(baseline_path, e, &f)) findings_add(list, &f);
    }
    VEC_FREE(entries);
    cJSON_Delete(root);
    free(text);
    return true;
}
