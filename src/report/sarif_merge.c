/* sarif_merge.c — merging the SARIF logs of the shards of one run (see
 * sarif_merge.h). A shard checks whole files, and each shard's results are
 * already in the order of findings_sort (file first), so the merged list
 * is a stable merge of the shards' lists by file: the order within a file
 * is the one its shard wrote. Results of a file that appear in two shards
 * (a function defined in a header is checked by every shard that includes
 * it) are taken from the first shard that has them, as the unsharded run
 * checks such a function once. Tool execution notifications are merged the
 * same way; executionSuccessful is true only if it is in every shard. */
#include "report/sarif_merge.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "report/report.h"

typedef struct {
    const char *path;
    cJSON *log;
    cJSON *run;
} Input;

static cJSON *load_log(const char *path, cJSON **run)
{
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text) {
        tool_error(path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    cJSON *log = cJSON_ParseWithLength(text, len);
    free(text);
    cJSON *runs = log ? cJSON_GetObjectItemCaseSensitive(log, "runs") : NULL;
    *run = cJSON_IsArray(runs) && cJSON_GetArraySize(runs) == 1 ? cJSON_GetArrayItem(runs, 0) : NULL;
    if (!*run || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(*run, "results"))) {
        tool_error(path, 0, 0, "not a SARIF log of one connlint run");
        cJSON_Delete(log);
        return NULL;
    }
    return log;
}

/* The same tool version, %SRCROOT% and category in every input. */
static bool same_origin(const Input *a, const Input *b)
{
    static const char *const keys[] = {"tool", "originalUriBaseIds", "automationDetails", "columnKind"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        cJSON *x = cJSON_GetObjectItemCaseSensitive(a->run, keys[i]);
        cJSON *y = cJSON_GetObjectItemCaseSensitive(b->run, keys[i]);
        if (!cJSON_Compare(x, y, true) && (x || y)) {
            tool_error(b->path, 0, 0, "its \"%s\" differs from %s's: not shards of one run", keys[i], a->path);
            return false;
        }
    }
    return true;
}

/* The file an item (a result or a notification) is about: its first
 * location's artifact URI, made absolute with %SRCROOT%'s URI so that
 * files below and outside it sort as their absolute paths do; "" when it
 * has none. */
static char *item_file(const cJSON *item, const char *srcroot_uri)
{
    const cJSON *locs = cJSON_GetObjectItemCaseSensitive(item, "locations");
    const cJSON *loc = cJSON_IsArray(locs) ? cJSON_GetArrayItem(locs, 0) : NULL;
    const cJSON *pl = loc ? cJSON_GetObjectItemCaseSensitive(loc, "physicalLocation") : NULL;
    const cJSON *al = pl ? cJSON_GetObjectItemCaseSensitive(pl, "artifactLocation") : NULL;
    const char *uri = al ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(al, "uri")) : NULL;
    const char *base = al ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(al, "uriBaseId")) : NULL;
    return xasprintf("%s%s", base && srcroot_uri ? srcroot_uri : "", uri ? uri : "");
}

typedef struct {
    cJSON *items;  /* the shard's array */
    cJSON *next;   /* next item to take */
} Cursor;

/* Merges the shards' arrays into one, stable by file. With `dedup`, the
 * items of a file already taken from an earlier shard are skipped in later
 * ones. */
static cJSON *merge_arrays(Cursor *cur, int n, const char *srcroot_uri, bool dedup)
{
    cJSON *out = cJSON_CreateArray();
    VEC(char *) taken = {0}; /* files whose items came from a shard, with its index */
    VEC(int) taken_from = {0};
    for (;;) {
        int best = -1;
        char *best_file = NULL;
        for (int s = 0; s < n; s++) {
            if (!cur[s].next) continue;
            char *f = item_file(cur[s].next, srcroot_uri);
            if (best < 0 || strcmp(f, best_file) < 0) {
                free(best_file);
                best_file = f;
                best = s;
            } else {
                free(f);
            }
        }
        if (best < 0) break;
        /* take every item of best_file from that shard */
        int owner = -1;
        for (int t = 0; t < taken.len; t++)
            if (strcmp(taken.items[t], best_file) == 0) owner = taken_from.items[t];
        if (owner < 0 || !dedup) {
            VEC_PUSH(taken, xstrdup(best_file));
            VEC_PUSH(taken_from, best);
            owner = best;
        }
        while (cur[best].next) {
            char *f = item_file(cur[best].next, srcroot_uri);
            bool same = strcmp(f, best_file) == 0;
            free(f);
            if (!same) break;
            cJSON *item = cur[best].next;
            cur[best].next = item->next;
            if (owner == best) cJSON_AddItemToArray(out, cJSON_Duplicate(item, true));
        }
        free(best_file);
    }
    for (int t = 0; t < taken.len; t++) free(taken.items[t]);
    VEC_FREE(taken);
    VEC_FREE(taken_from);
    return out;
}

static const char *srcroot_uri_of(const cJSON *run)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(run, "originalUriBaseIds");
    const cJSON *root = ids ? cJSON_GetObjectItemCaseSensitive(ids, "%SRCROOT%") : NULL;
    return root ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "uri")) : NULL;
}

static cJSON *invocation_of(const cJSON *run)
{
    const cJSON *invs = cJSON_GetObjectItemCaseSensitive(run, "invocations");
    return cJSON_IsArray(invs) ? cJSON_GetArrayItem(invs, 0) : NULL;
}

static cJSON *merged_invocation(Input *in, int n, const char *srcroot_uri)
{
    bool success = true;
    Cursor *cur = xcalloc((size_t)n, sizeof(Cursor));
    bool any_notes = false;
    for (int s = 0; s < n; s++) {
        cJSON *inv = invocation_of(in[s].run);
        if (!inv || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inv, "executionSuccessful"))) success = false;
        cJSON *notes = inv ? cJSON_GetObjectItemCaseSensitive(inv, "toolExecutionNotifications") : NULL;
        cur[s].items = notes;
        cur[s].next = cJSON_IsArray(notes) ? notes->child : NULL;
        if (cur[s].next) any_notes = true;
    }
    cJSON *invs = cJSON_CreateArray();
    cJSON *inv = cJSON_CreateObject();
    cJSON_AddBoolToObject(inv, "executionSuccessful", success);
    if (any_notes) cJSON_AddItemToObject(inv, "toolExecutionNotifications", merge_arrays(cur, n, srcroot_uri, false));
    cJSON_AddItemToArray(invs, inv);
    free(cur);
    return invs;
}

int sarif_merge_files(char *const *inputs, int n_inputs, const char *output)
{
    if (n_inputs < 1) {
        tool_error(NULL, 0, 0, "merge: give the SARIF files of the shards");
        return 2;
    }
    Input *in = xcalloc((size_t)n_inputs, sizeof(Input));
    int status = 0;
    for (int i = 0; i < n_inputs && status == 0; i++) {
        in[i].path = inputs[i];
        in[i].log = load_log(inputs[i], &in[i].run);
        if (!in[i].log || (i > 0 && !same_origin(&in[0], &in[i]))) status = 2;
    }
    if (status == 0) {
        Cursor *cur = xcalloc((size_t)n_inputs, sizeof(Cursor));
        for (int s = 0; s < n_inputs; s++) {
            cur[s].items = cJSON_GetObjectItemCaseSensitive(in[s].run, "results");
            cur[s].next = cur[s].items->child;
        }
        const char *srcroot_uri = srcroot_uri_of(in[0].run);
        cJSON *results = merge_arrays(cur, n_inputs, srcroot_uri, true);
        free(cur);
        /* the first log, with the merged invocation and results, keeps
         * the key order of a log connlint writes */
        cJSON_ReplaceItemInObjectCaseSensitive(in[0].run, "invocations", merged_invocation(in, n_inputs, srcroot_uri));
        cJSON_ReplaceItemInObjectCaseSensitive(in[0].run, "results", results);
        char *printed = cJSON_Print(in[0].log);
        char *text = xasprintf("%s\n", printed);
        cJSON_free(printed);
        bool written;
        if (output) {
            written = output_write_atomic(output, text, strlen(text));
        } else {
            written = fputs(text, stdout) >= 0 && fflush(stdout) == 0;
            if (!written) tool_error(NULL, 0, 0, "cannot write to standard output");
        }
        if (!written) status = 2;
        free(text);
    }
    for (int i = 0; i < n_inputs; i++) cJSON_Delete(in[i].log);
    free(in);
    return status;
}
