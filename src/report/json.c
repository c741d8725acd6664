/* json.c — the JSON report (SPEC §5), for scripts. Every finding is
 * included, suppressed and baseline ones too, flagged. The schema:
 *
 *   [                                  one object per finding, sorted by
 *     {                                file, line, column, rule
 *       "rule": "connection-leak",
 *       "level": "error",              "error" | "warning" | "note" | "none"
 *       "file": "src/a.c",             relative to the current directory
 *       "line": 57, "column": 9,       1-based; column counts bytes
 *       "end_line": 57, "end_column": 15,
 *       "function": "load" | null,     the enclosing function
 *       "message": "...",              plain text
 *       "fingerprint": "9f2c..." | null,   stable id (SARIF "connlint/v1")
 *       "suppressed": false,           suppressed by a comment in the source
 *       "suppression": "..." | null,   that comment
 *       "baseline_state": null | "new" | "unchanged" | "absent",
 *       "related": [ {"file", "line", "column", "message"} ],  the acquire first
 *       "path": [ {"file", "line", "column", "message"} ]      the steps
 *     }
 *   ]
 *
 * A clean run prints "[]". It does not print source code or the IR. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli/glob.h"
#include "report/report_util.h"
#include "common/util.h"

static void add_string_or_null(cJSON *obj, const char *key, const char *value)
{
    if (value) cJSON_AddStringToObject(obj, key, value);
    else cJSON_AddNullToObject(obj, key);
}

static void add_file(cJSON *obj, const FindingLoc *loc, const ReportContext *ctx)
{
    char *rel = loc->file ? path_display(loc->file, ctx->cwd, true) : NULL;
    add_string_or_null(obj, "file", rel);
    free(rel);
}

static cJSON *loc_array(const FindingLoc *locs, int n, const ReportContext *ctx)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        add_file(o, &locs[i], ctx);
        cJSON_AddNumberToObject(o, "line", locs[i].line);
        cJSON_AddNumberToObject(o, "column", locs[i].col);
        add_string_or_null(o, "message", locs[i].message);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *finding_json(const Finding *f, const ReportContext *ctx)
{
    cJSON *o = cJSON_CreateObject();
    add_string_or_null(o, "rule", f->rule);
    cJSON_AddStringToObject(o, "level", level_name(f->level));
    add_file(o, &f->loc, ctx);
    cJSON_AddNumberToObject(o, "line", f->loc.line);
    cJSON_AddNumberToObject(o, "column", f->loc.col);
    cJSON_AddNumberToObject(o, "end_line", f->loc.end_line);
    cJSON_AddNumberToObject(o, "end_column", f->loc.end_col);
    add_string_or_null(o, "function", f->function);
    add_string_or_null(o, "message", f->message);
    add_string_or_null(o, "fingerprint", f->fingerprint);
    cJSON_AddBoolToObject(o, "suppressed", f->suppressed);
    add_string_or_null(o, "suppression", f->suppressed ? f->suppression_text : NULL);
    add_string_or_null(o, "baseline_state", baseline_state_name(f->baseline));
    cJSON_AddItemToObject(o, "related", loc_array(f->related, f->n_related, ctx));
    cJSON_AddItemToObject(o, "path", loc_array(f->path, f->n_path, ctx));
    return o;
}

char *json_render(const FindingList *list, const ReportContext *ctx)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < list->len; i++) cJSON_AddItemToArray(arr, finding_json(&list->items[i], ctx));
    char *printed = cJSON_Print(arr);
    cJSON_Delete(arr);
    char *out = xasprintf("%s\n", printed ? printed : "[]");
    cJSON_free(printed);
    return out;
}
