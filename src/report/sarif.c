/* sarif.c — the SARIF 2.1.0 report (SPEC §5): one run with the tool and
 * its rule descriptors, one result per finding (suppressed and baseline
 * ones included, marked), related locations, code flows, fingerprints,
 * and the invocation with the files that failed to parse.
 * Paths below --srcroot are relative URIs on %SRCROOT%; others are absolute
 * file:// URIs. There is no artifacts[] array: it would hold nothing but the
 * locations the results already give (the validator's SARIF2004 warns about
 * exactly that). Output is deterministic: no timestamps, no GUIDs, results
 * in the list's order. It never reads source files: the line hashes come
 * with the findings (fingerprint_assign). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli/glob.h"
#include "report/report_util.h"
#include "common/rules.h"
#include "common/util.h"
#include "common/version.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT_ID "%SRCROOT%"

/* {"uri": ..., "uriBaseId": "%SRCROOT%"} or {"uri": "file:///abs"}. */
static void add_uri(cJSON *obj, const char *file, const char *srcroot)
{
    char *below = path_below(file, srcroot);
    if (below) {
        char *uri = uri_encode_path(below);
        cJSON_AddStringToObject(obj, "uri", uri);
        cJSON_AddStringToObject(obj, "uriBaseId", SRCROOT_ID);
        free(uri);
        free(below);
        return;
    }
    char *enc = uri_encode_path(file);
    char *uri = xasprintf("file://%s%s", file[0] == '/' ? "" : "/", enc);
    cJSON_AddStringToObject(obj, "uri", uri);
    free(uri);
    free(enc);
}

static cJSON *region_json(int line, int col, int end_line, int end_col)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "startLine", line);
    if (end_line < line) end_line = line;
    if (col > 0) cJSON_AddNumberToObject(r, "startColumn", col);
    cJSON_AddNumberToObject(r, "endLine", end_line);
    if (col > 0 && end_col > 0 && (end_line > line || end_col >= col))
        cJSON_AddNumberToObject(r, "endColumn", end_col);
    return r;
}

/* A physicalLocation, or NULL when the location has no file. */
static cJSON *physical_location(const char *srcroot, const FindingLoc *loc)
{
    if (!loc->file) return NULL;
    cJSON *pl = cJSON_CreateObject();
    cJSON *al = cJSON_AddObjectToObject(pl, "artifactLocation");
    add_uri(al, loc->file, srcroot);
    /* SARIF columns are UTF-16 code units (columnKind below); use them where
     * the filter stage could compute them, else the byte columns. */
    int col = loc->col16 > 0 ? loc->col16 : loc->col;
    int end_col = loc->end_col16 > 0 ? loc->end_col16 : loc->end_col;
    if (loc->line > 0) cJSON_AddItemToObject(pl, "region", region_json(loc->line, col, loc->end_line, end_col));
    return pl;
}

static cJSON *message_json(const char *text)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "text", text && *text ? text : "(no message)");
    return m;
}

/* A location object; id > 0 adds an "id" (related locations). */
static cJSON *location_json(const char *srcroot, const FindingLoc *loc, int id)
{
    cJSON *l = cJSON_CreateObject();
    if (id > 0) cJSON_AddNumberToObject(l, "id", id);
    cJSON *pl = physical_location(srcroot, loc);
    if (pl) cJSON_AddItemToObject(l, "physicalLocation", pl);
    if (loc->message) cJSON_AddItemToObject(l, "message", message_json(loc->message));
    return l;
}

static cJSON *code_flows(const char *srcroot, const Finding *f)
{
    cJSON *flows = cJSON_CreateArray();
    cJSON *flow = cJSON_CreateObject();
    cJSON *threads = cJSON_AddArrayToObject(flow, "threadFlows");
    cJSON *thread = cJSON_CreateObject();
    cJSON *locs = cJSON_AddArrayToObject(thread, "locations");
    for (int i = 0; i < f->n_path; i++) {
        cJSON *tfl = cJSON_CreateObject();
        cJSON_AddItemToObject(tfl, "location", location_json(srcroot, &f->path[i], 0));
        cJSON_AddItemToArray(locs, tfl);
    }
    cJSON_AddItemToArray(threads, thread);
    cJSON_AddItemToArray(flows, flow);
    return flows;
}

static const char *sarif_level(Level l)
{
    return l == LEVEL_NONE ? "none" : level_name(l);
}

static void add_fingerprints(cJSON *r, const Finding *f)
{
    if (!f->line_hash && !f->fingerprint) return;
    cJSON *fp = cJSON_AddObjectToObject(r, "partialFingerprints");
    if (f->line_hash) cJSON_AddStringToObject(fp, "primaryLocationLineHash", f->line_hash);
    if (f->fingerprint) cJSON_AddStringToObject(fp, "connlint/v1", f->fingerprint);
}

static void add_suppression(cJSON *r, const Finding *f)
{
    if (!f->suppressed) return;
    cJSON *arr = cJSON_AddArrayToObject(r, "suppressions");
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "inSource");
    if (f->suppression_text) cJSON_AddStringToObject(s, "justification", f->suppression_text);
    cJSON_AddItemToArray(arr, s);
}

static cJSON *result_json(const char *srcroot, const Finding *f)
{
    cJSON *r = cJSON_CreateObject();
    const char *rule = f->rule ? f->rule : "connlint";
    cJSON_AddStringToObject(r, "ruleId", rule);
    int index = rule_info_index(rule);
    if (index >= 0) cJSON_AddNumberToObject(r, "ruleIndex", index);
    cJSON_AddStringToObject(r, "level", sarif_level(f->level));
    cJSON_AddItemToObject(r, "message", message_json(f->message_markdown ? f->message_markdown : f->message));
    cJSON *locs = cJSON_AddArrayToObject(r, "locations");
    cJSON_AddItemToArray(locs, location_json(srcroot, &(FindingLoc){f->loc.file, f->loc.line, f->loc.col,
                                                               f->loc.end_line, f->loc.end_col, NULL,
                                                               f->loc.col16, f->loc.end_col16}, 0));
    if (f->n_related) {
        cJSON *rel = cJSON_AddArrayToObject(r, "relatedLocations");
        for (int i = 0; i < f->n_related; i++) cJSON_AddItemToArray(rel, location_json(srcroot, &f->related[i], i + 1));
    }
    if (f->n_path) cJSON_AddItemToObject(r, "codeFlows", code_flows(srcroot, f));
    add_fingerprints(r, f);
    add_suppression(r, f);
    const char *bs = baseline_state_name(f->baseline);
    if (bs) cJSON_AddStringToObject(r, "baselineState", bs);
    return r;
}

static cJSON *text_object(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", text ? text : "");
    return o;
}

static cJSON *rule_json(const RuleInfo *ri)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", ri->id);
    if (ri->name) cJSON_AddStringToObject(r, "name", ri->name);
    cJSON_AddItemToObject(r, "shortDescription", text_object(ri->short_description));
    cJSON_AddItemToObject(r, "fullDescription", text_object(ri->full_description));
    cJSON *help = text_object(ri->help_text);
    cJSON_AddStringToObject(help, "markdown", ri->help_markdown ? ri->help_markdown : "");
    cJSON_AddItemToObject(r, "help", help);
    cJSON *dc = cJSON_AddObjectToObject(r, "defaultConfiguration");
    cJSON_AddStringToObject(dc, "level", sarif_level(ri->default_level));
    cJSON *props = cJSON_AddObjectToObject(r, "properties");
    cJSON *tags = cJSON_AddArrayToObject(props, "tags");
    for (int i = 0; i < 4 && ri->tags[i]; i++) cJSON_AddItemToArray(tags, cJSON_CreateString(ri->tags[i]));
    if (ri->precision) cJSON_AddStringToObject(props, "precision", ri->precision);
    if (ri->severity) cJSON_AddStringToObject(props, "problem.severity", ri->severity);
    return r;
}

static cJSON *tool_json(void)
{
    cJSON *tool = cJSON_CreateObject();
    cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
    cJSON_AddStringToObject(driver, "name", "connlint");
    cJSON_AddStringToObject(driver, "version", CONNLINT_VERSION);
    cJSON_AddStringToObject(driver, "semanticVersion", CONNLINT_VERSION);
    cJSON_AddStringToObject(driver, "informationUri", CONNLINT_INFORMATION_URI);
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    for (int i = 0; i < rule_info_count; i++) cJSON_AddItemToArray(rules, rule_json(&rule_infos[i]));
    return tool;
}

static cJSON *notification_json(const char *srcroot, const ToolNotification *n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "level", n->is_error ? "error" : "warning");
    cJSON_AddItemToObject(o, "message", message_json(n->message));
    if (n->file) {
        cJSON *locs = cJSON_AddArrayToObject(o, "locations");
        FindingLoc loc = {(char *)n->file, n->line, n->col, n->line, 0, NULL, 0, 0};
        cJSON_AddItemToArray(locs, location_json(srcroot, &loc, 0));
    }
    return o;
}

static cJSON *invocation_json(const char *srcroot, const ReportContext *ctx)
{
    cJSON *invs = cJSON_CreateArray();
    cJSON *inv = cJSON_CreateObject();
    cJSON_AddBoolToObject(inv, "executionSuccessful", ctx->execution_successful);
    if (ctx->n_notifications) {
        cJSON *notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
        for (int i = 0; i < ctx->n_notifications; i++)
            cJSON_AddItemToArray(notes, notification_json(srcroot, &ctx->notifications[i]));
    }
    cJSON_AddItemToArray(invs, inv);
    return invs;
}

static cJSON *base_ids_json(const char *srcroot)
{
    cJSON *ids = cJSON_CreateObject();
    cJSON *root = cJSON_AddObjectToObject(ids, SRCROOT_ID);
    char *enc = uri_encode_path(srcroot);
    size_t n = strlen(enc);
    char *uri = xasprintf("file://%s%s%s", enc[0] == '/' ? "" : "/", enc, n && enc[n - 1] == '/' ? "" : "/");
    cJSON_AddStringToObject(root, "uri", uri);
    free(uri);
    free(enc);
    return ids;
}

char *sarif_render(const FindingList *list, const ReportContext *ctx)
{
    const char *srcroot = ctx->srcroot ? ctx->srcroot : "/";
    cJSON *results = cJSON_CreateArray();
    for (int i = 0; i < list->len; i++) cJSON_AddItemToArray(results, result_json(srcroot, &list->items[i]));
    cJSON *invocations = invocation_json(srcroot, ctx);

    cJSON *log = cJSON_CreateObject();
    cJSON_AddStringToObject(log, "$schema", SARIF_SCHEMA);
    cJSON_AddStringToObject(log, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(log, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON_AddItemToObject(run, "tool", tool_json());
    if (ctx->category && *ctx->category) {
        cJSON *ad = cJSON_AddObjectToObject(run, "automationDetails");
        size_t n = strlen(ctx->category);
        char *id = xasprintf("%s%s", ctx->category, ctx->category[n - 1] == '/' ? "" : "/");
        cJSON_AddStringToObject(ad, "id", id);
        free(id);
    }
    cJSON_AddItemToObject(run, "invocations", invocations);
    cJSON_AddItemToObject(run, "originalUriBaseIds", base_ids_json(srcroot));
    cJSON_AddItemToObject(run, "results", results);
    cJSON_AddStringToObject(run, "columnKind", "utf16CodeUnits");

    char *printed = cJSON_Print(log);
    cJSON_Delete(log);
    char *out = xasprintf("%s\n", printed);
    cJSON_free(printed);
    return out;
}
