/* codeclimate.c — the GitLab Code Quality report (the subset of the Code
 * Climate issue format GitLab's merge-request widget reads): a JSON array,
 * one object per finding that needs attention (suppressed and baseline
 * findings are left out, as in text output):
 *
 *   {"type": "issue", "check_name": "connection-leak",
 *    "description": "...", "categories": ["Bug Risk"],
 *    "severity": "critical",            error → critical, warning → major,
 *                                       note → info
 *    "fingerprint": "9f2c...",          the finding's stable fingerprint
 *                                       (SARIF's "connlint/v1"): no line numbers
 *    "location": {"path": "src/a.c",    below --srcroot (the repository root)
 *                 "lines": {"begin": 57, "end": 57}}}
 *
 * A clean run prints "[]". Reads only findings. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "cli/glob.h"
#include "report/report_util.h"
#include "common/util.h"

static const char *codeclimate_severity(Level l)
{
    switch (l) {
    case LEVEL_ERROR: return "critical";
    case LEVEL_WARNING: return "major";
    default: return "info";
    }
}

static cJSON *location_json(const Finding *f, const ReportContext *ctx)
{
    cJSON *loc = cJSON_CreateObject();
    char *below = path_below(f->loc.file, ctx->srcroot);
    cJSON_AddStringToObject(loc, "path", below ? below : f->loc.file);
    free(below);
    cJSON *lines = cJSON_AddObjectToObject(loc, "lines");
    int begin = f->loc.line > 0 ? f->loc.line : 1;
    cJSON_AddNumberToObject(lines, "begin", begin);
    cJSON_AddNumberToObject(lines, "end", f->loc.end_line >= begin ? f->loc.end_line : begin);
    return loc;
}

static cJSON *issue_json(const Finding *f, const ReportContext *ctx)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "issue");
    cJSON_AddStringToObject(o, "check_name", f->rule ? f->rule : "connlint");
    cJSON_AddStringToObject(o, "description", f->message ? f->message : "");
    cJSON *cats = cJSON_AddArrayToObject(o, "categories");
    cJSON_AddItemToArray(cats, cJSON_CreateString("Bug Risk"));
    cJSON_AddStringToObject(o, "severity", codeclimate_severity(f->level));
    cJSON_AddStringToObject(o, "fingerprint", f->fingerprint ? f->fingerprint : "");
    cJSON_AddItemToObject(o, "location", location_json(f, ctx));
    return o;
}

char *codeclimate_render(const FindingList *list, const ReportContext *ctx)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < list->len; i++)
        if (report_is_shown(&list->items[i]) && list->items[i].loc.file)
            cJSON_AddItemToArray(arr, issue_json(&list->items[i], ctx));
    char *printed = cJSON_Print(arr);
    cJSON_Delete(arr);
    char *out = xasprintf("%s\n", printed ? printed : "[]");
    cJSON_free(printed);
    return out;
}
