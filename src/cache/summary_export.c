/* summary_export.c — the --emit-summary JSON (see summary_export.h). */
#include "cache/summary_export.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/version.h"

static const char *effect_name(ParamEffect e)
{
    switch (e) {
    case PARAM_BORROWS: return "borrows";
    case PARAM_RELEASES: return "releases";
    case PARAM_MAYBE_RELEASES: return "maybe-releases";
    case PARAM_TRANSFERS: return "transfers";
    case PARAM_TRANSFERS_ON_SUCCESS: return "transfers-on-success";
    case PARAM_TRANSFERS_ON_ZERO: return "transfers-on-zero";
    }
    return "borrows";
}

static const char *failure_name(FailureKind f)
{
    switch (f) {
    case FAILURE_NULL: return "null";
    case FAILURE_NULL_FIELD: return "null-field";
    case FAILURE_NEGATIVE: return "negative";
    case FAILURE_STATUS_NONZERO: return "status-nonzero";
    case FAILURE_STATUS_NEGATIVE: return "status-negative";
    case FAILURE_NEVER: return "never";
    case FAILURE_STATUS_UNKNOWN: return "status-unknown";
    }
    return "null";
}

static cJSON *resource_json(const Resource *r)
{
    if (!r) return cJSON_CreateNull();
    char *id = xasprintf("%s/%s", r->pack ? r->pack : "", r->id);
    cJSON *s = cJSON_CreateString(id);
    free(id);
    return s;
}

static cJSON *acquire_json(const FunctionSummary *s)
{
    if (!s->acquires) return cJSON_CreateNull();
    cJSON *a = cJSON_CreateObject();
    cJSON_AddItemToObject(a, "resource", resource_json(s->acquires));
    cJSON_AddStringToObject(a, "result", s->acquire_result_arg < 0 ? "return" : "arg");
    if (s->acquire_result_arg >= 0) cJSON_AddNumberToObject(a, "arg", s->acquire_result_arg);
    cJSON_AddStringToObject(a, "failure", failure_name(s->acquire_failure));
    if (s->acquire_field) cJSON_AddStringToObject(a, "field", s->acquire_field);
    cJSON_AddBoolToObject(a, "per_request", s->acquires_per_request);
    if (s->acquire_unless_zero >= 0) cJSON_AddNumberToObject(a, "none_when_null_arg", s->acquire_unless_zero);
    if (s->chain) cJSON_AddStringToObject(a, "chain", s->chain);
    return a;
}

static cJSON *function_json(const IrFunction *fn, const FunctionSummary *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", fn->name);
    cJSON_AddNumberToObject(o, "line", fn->loc.line);
    cJSON_AddBoolToObject(o, "static", fn->is_static);
    cJSON_AddBoolToObject(o, "summarised", s != NULL);
    if (s) {
        cJSON_AddItemToObject(o, "acquires", acquire_json(s));
        cJSON *params = cJSON_AddArrayToObject(o, "params");
        for (int i = 0; i < s->n_params; i++) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "effect", effect_name(s->params[i]));
            cJSON_AddItemToObject(p, "resource", resource_json(s->param_res ? s->param_res[i] : NULL));
            if (i < 32 && (s->takes_contents & (1u << i))) cJSON_AddBoolToObject(p, "takes_contents", true);
            cJSON_AddItemToArray(params, p);
        }
        cJSON_AddNumberToObject(o, "returns_param", s->returns_param);
    }
    return o;
}

static char *shown_path(const char *file, const char *srcroot)
{
    size_t n = srcroot ? strlen(srcroot) : 0;
    if (n && strncmp(file, srcroot, n) == 0 && file[n] == '/') return xstrdup(file + n + 1);
    return xstrdup(file);
}

static int unit_cmp(const void *a, const void *b)
{
    const IrUnit *x = *(IrUnit *const *)a, *y = *(IrUnit *const *)b;
    return strcmp(x->main_file, y->main_file);
}

static int fn_cmp(const void *a, const void *b)
{
    const IrFunction *x = *(const IrFunction *const *)a, *y = *(const IrFunction *const *)b;
    if (x->loc.line != y->loc.line) return x->loc.line < y->loc.line ? -1 : 1;
    return strcmp(x->name, y->name);
}

char *summary_export_json(IrUnit *const *units, int n_units, const bool *selected, const SummaryTable *t,
                          const char *srcroot)
{
    VEC(IrUnit *) chosen = {0};
    for (int i = 0; i < n_units; i++)
        if (selected[i] && units[i] && !units[i]->parse_failed) VEC_PUSH(chosen, units[i]);
    if (chosen.len > 1) qsort(chosen.items, (size_t)chosen.len, sizeof(IrUnit *), unit_cmp);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", "connlint-summaries");
    cJSON_AddNumberToObject(root, "version", SUMMARY_EXPORT_VERSION);
    cJSON_AddStringToObject(root, "connlint", CONNLINT_VERSION);
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (int u = 0; u < chosen.len; u++) {
        const IrUnit *unit = chosen.items[u];
        VEC(const IrFunction *) fns = {0};
        for (int f = 0; f < unit->n_functions; f++)
            if (!unit->functions[f].in_header && unit->functions[f].name) VEC_PUSH(fns, &unit->functions[f]);
        if (fns.len > 1) qsort(fns.items, (size_t)fns.len, sizeof(IrFunction *), fn_cmp);
        cJSON *file = cJSON_CreateObject();
        char *p = shown_path(unit->main_file, srcroot);
        cJSON_AddStringToObject(file, "file", p);
        free(p);
        cJSON *arr = cJSON_AddArrayToObject(file, "functions");
        for (int f = 0; f < fns.len; f++) {
            const IrFunction *fn = fns.items[f];
            const FunctionSummary *s = summary_lookup(t, fn->name, fn->file);
            if (s && s->file && strcmp(s->file, fn->file) != 0) s = NULL; /* another file's */
            cJSON_AddItemToArray(arr, function_json(fn, s));
        }
        VEC_FREE(fns);
        cJSON_AddItemToArray(files, file);
    }
    VEC_FREE(chosen);
    char *printed = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = xasprintf("%s\n", printed);
    cJSON_free(printed);
    return out;
}
