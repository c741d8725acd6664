/* rulepack.c — rule packs (SPEC §4): JSON text to RulePack, validated
 * strictly (unknown keys, types, enum values, argument ranges, duplicate
 * ids) with FILE:LINE:COL messages, resources and library knowledge
 * ("noreturn", "takes_ownership", "returns_arg", "deallocators"); pack sets
 * that reject an id or a pack name defined twice; loading by built-in name
 * or by path (the same pack named twice is loaded once). Does not decide
 * what a call means (match.c does) and does not index names (pack_index.c). */
#include "cli/rulepack.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/builtin_packs.h"
#include "cli/glob.h"
#include "cli/json_pos.h"
#include "common/util.h"

#define MAX_ARG 31

static const char *const pack_keys[] = {"version",  "name",   "description",     "default",     "headers",
                                        "resources", "noreturn", "takes_ownership", "returns_arg", "deallocators",
                                        NULL};
static const char *const resource_keys[] = {
    "id", "description", "acquire", "release", "transfer", "failure", "per_request",
    "shared_alternative", NULL,
};
static const char *const acquire_keys[] = {"function", "member", "result", "arg", "in_place_arg", "error_field", "null_arg", NULL};
static const char *const error_field_keys[] = {"arg", "field", NULL};
static const char *const release_keys[] = {"function", "member", "arg", "field", NULL};
static const char *const transfer_keys[] = {"function", "member", "arg", NULL};
static const char *const noreturn_keys[] = {"function", "system_header_only", NULL};
static const char *const call_arg_keys[] = {"function", "arg", NULL};
static const char *const returns_arg_keys[] = {"function", "arg", "never_null", NULL};
static const char *const dealloc_keys[] = {"function", "suffix", NULL};

/* "function" or "member" — exactly one of them. */
static bool parse_callee(JsonCheck *jc, const cJSON *e, const char *what, CalleeMatchKind *kind,
                         char **name)
{
    const char *fn = NULL, *mem = NULL;
    if (!jsoncheck_string(jc, e, "function", false, &fn)) return false;
    if (!jsoncheck_string(jc, e, "member", false, &mem)) return false;
    if (fn && mem) {
        jsoncheck_error(jc, e, "member",
                        "%s entry has both 'function' and 'member' (write two entries to match both)", what);
        return false;
    }
    if (!fn && !mem) {
        jsoncheck_error(jc, e, NULL, "%s entry needs 'function' or 'member'", what);
        return false;
    }
    const char *n = fn ? fn : mem;
    if (!*n) {
        jsoncheck_error(jc, e, fn ? "function" : "member", "%s entry names an empty callee", what);
        return false;
    }
    *kind = fn ? CALLEE_BY_FUNCTION : CALLEE_BY_MEMBER;
    *name = xstrdup(n);
    return true;
}

static bool parse_arg_index(JsonCheck *jc, const cJSON *e, bool required, int *out)
{
    if (!jsoncheck_int(jc, e, "arg", required, out)) return false;
    if (*out < 0 || *out > MAX_ARG) {
        jsoncheck_error(jc, cJSON_GetObjectItemCaseSensitive(e, "arg"), NULL,
                        "'arg' must be an argument index from 0 to %d", MAX_ARG);
        return false;
    }
    return true;
}

/* "in_place_arg": N (with "result": "return"): given a non-NULL argument N,
 * the call initialises the object it points to and returns that pointer, so
 * the handle is argument N (mysql_init(&m)); given NULL it allocates. */
static bool parse_in_place(JsonCheck *jc, const cJSON *e, const char *result, AcquireSpec *a)
{
    const cJSON *ip = cJSON_GetObjectItemCaseSensitive(e, "in_place_arg");
    if (!ip) return true;
    if (strcmp(result, "return") != 0) {
        jsoncheck_error(jc, e, "in_place_arg",
                        "'in_place_arg' is only meaningful with \"result\": \"return\" (an out-parameter acquire "
                        "names its handle with \"arg\" already: drop 'in_place_arg')");
        return false;
    }
    int n = 0;
    if (!jsoncheck_int(jc, e, "in_place_arg", true, &n)) return false;
    if (n < 0 || n > MAX_ARG) {
        jsoncheck_error(jc, ip, NULL, "'in_place_arg' must be an argument index from 0 to %d", MAX_ARG);
        return false;
    }
    a->in_place = true;
    a->in_place_arg = n;
    return true;
}

/* "error_field": {"arg": N, "field": "err"} */
static bool parse_error_field(JsonCheck *jc, const cJSON *e, AcquireSpec *a)
{
    const cJSON *ef = cJSON_GetObjectItemCaseSensitive(e, "error_field");
    if (!ef) return true;
    if (!jsoncheck_is_object(jc, ef, "'error_field'") || !jsoncheck_keys(jc, ef, error_field_keys)) return false;
    int arg = 0;
    const char *field = NULL;
    if (!parse_arg_index(jc, ef, true, &arg) || !jsoncheck_string(jc, ef, "field", true, &field)) return false;
    if (!*field) {
        jsoncheck_error(jc, ef, "field", "'field' must name a field");
        return false;
    }
    a->error_arg = arg;
    a->error_field = xstrdup(field);
    return true;
}

/* "null_arg": N — the call acquires only when argument N is NULL. */
static bool parse_null_arg(JsonCheck *jc, const cJSON *e, AcquireSpec *a)
{
    const cJSON *na = cJSON_GetObjectItemCaseSensitive(e, "null_arg");
    if (!na) return true;
    int n = 0;
    if (!jsoncheck_int(jc, e, "null_arg", true, &n)) return false;
    if (n < 0 || n > MAX_ARG) {
        jsoncheck_error(jc, na, NULL, "'null_arg' must be an argument index from 0 to %d", MAX_ARG);
        return false;
    }
    a->when_null = true;
    a->null_arg = n;
    return true;
}

static bool parse_acquire(JsonCheck *jc, const cJSON *e, AcquireSpec *a)
{
    a->result_arg = -1;
    a->error_arg = -1;
    if (!jsoncheck_is_object(jc, e, "an acquire entry") || !jsoncheck_keys(jc, e, acquire_keys)) return false;
    if (!parse_callee(jc, e, "acquire", &a->kind, &a->name)) return false;
    const char *result = "return";
    if (!jsoncheck_string(jc, e, "result", false, &result)) return false;
    if (!parse_in_place(jc, e, result, a) || !parse_error_field(jc, e, a) || !parse_null_arg(jc, e, a)) return false;
    bool has_arg = cJSON_GetObjectItemCaseSensitive(e, "arg") != NULL;
    if (strcmp(result, "return") == 0) {
        if (!has_arg) return true;
        jsoncheck_error(jc, e, "arg",
                        "'arg' is only meaningful with \"result\": \"arg\" (add \"result\": \"arg\" if the "
                        "handle is written through that argument, or drop 'arg')");
        return false;
    }
    if (strcmp(result, "arg") != 0) {
        jsoncheck_error(jc, cJSON_GetObjectItemCaseSensitive(e, "result"), NULL,
                        "'result' must be \"return\" or \"arg\", not \"%s\"", result);
        return false;
    }
    if (!has_arg) {
        jsoncheck_error(jc, e, "result", "\"result\": \"arg\" needs \"arg\": N (the out-parameter index)");
        return false;
    }
    int arg = 0;
    if (!parse_arg_index(jc, e, true, &arg)) return false;
    a->result_arg = arg;
    return true;
}

static bool parse_release(JsonCheck *jc, const cJSON *e, ReleaseSpec *r)
{
    r->arg = -1;
    if (!jsoncheck_is_object(jc, e, "a release entry") || !jsoncheck_keys(jc, e, release_keys)) return false;
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
    if (field) {
        const char *f = NULL;
        if (!jsoncheck_string(jc, e, "field", true, &f)) return false;
        const char *other = cJSON_GetObjectItemCaseSensitive(e, "function") ? "function"
                            : cJSON_GetObjectItemCaseSensitive(e, "member") ? "member"
                            : cJSON_GetObjectItemCaseSensitive(e, "arg")    ? "arg" : NULL;
        if (other) {
            jsoncheck_error(jc, e, other,
                            "a {\"field\": ...} release takes no '%s' (write the %s release as an entry of "
                            "its own)", other, strcmp(other, "arg") == 0 ? "function" : other);
            return false;
        }
        if (!*f) {
            jsoncheck_error(jc, field, NULL, "'field' must not be empty");
            return false;
        }
        r->field = xstrdup(f);
        return true;
    }
    if (!parse_callee(jc, e, "release", &r->kind, &r->name)) return false;
    return parse_arg_index(jc, e, true, &r->arg);
}

static bool parse_transfer(JsonCheck *jc, const cJSON *e, TransferSpec *t)
{
    if (!jsoncheck_is_object(jc, e, "a transfer entry") || !jsoncheck_keys(jc, e, transfer_keys)) return false;
    if (!parse_callee(jc, e, "transfer", &t->kind, &t->name)) return false;
    return parse_arg_index(jc, e, true, &t->arg);
}

static bool parse_failure(JsonCheck *jc, const cJSON *obj, Resource *r)
{
    const char *f = "null";
    if (!jsoncheck_string(jc, obj, "failure", false, &f)) return false;
    static const struct { const char *name; FailureKind kind; } kinds[] = {
        {"null", FAILURE_NULL}, {"negative", FAILURE_NEGATIVE},
        {"status-nonzero", FAILURE_STATUS_NONZERO}, {"status-negative", FAILURE_STATUS_NEGATIVE},
        {"never", FAILURE_NEVER},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(f, kinds[i].name) == 0) {
            r->failure = kinds[i].kind;
            return true;
        }
    }
    if (strncmp(f, "null-field:", 11) == 0 && f[11]) {
        r->failure = FAILURE_NULL_FIELD;
        r->failure_field = xstrdup(f + 11);
        return true;
    }
    jsoncheck_error(jc, cJSON_GetObjectItemCaseSensitive(obj, "failure"), NULL,
                    "'failure' must be one of \"null\", \"null-field:NAME\", \"negative\", "
                    "\"status-nonzero\", \"status-negative\", \"never\"; not \"%s\"", f);
    return false;
}

/* Parses array `key` of `obj` into *items (element size `size`) with `one`. */
typedef bool (*EntryParser)(JsonCheck *, const cJSON *, void *);

static bool parse_entries(JsonCheck *jc, const cJSON *obj, const char *key, bool required,
                          size_t size, EntryParser one, void **items, int *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!arr) {
        if (required) jsoncheck_error(jc, obj, NULL, "resource needs a '%s' array", key);
        return !required;
    }
    if (!cJSON_IsArray(arr) || (required && cJSON_GetArraySize(arr) == 0)) {
        jsoncheck_error(jc, arr, NULL, "'%s' must be a%s array of objects", key, required ? " non-empty" : "n");
        return false;
    }
    *items = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, size);
    bool ok = true;
    for (const cJSON *e = arr->child; e; e = e->next) {
        ok = one(jc, e, (char *)*items + (size_t)*n * size) && ok;
        (*n)++;
    }
    return ok;
}

static bool acquire_one(JsonCheck *jc, const cJSON *e, void *p) { return parse_acquire(jc, e, p); }
static bool release_one(JsonCheck *jc, const cJSON *e, void *p) { return parse_release(jc, e, p); }
static bool transfer_one(JsonCheck *jc, const cJSON *e, void *p) { return parse_transfer(jc, e, p); }

static bool status_needs_out_params(JsonCheck *jc, const cJSON *obj, const Resource *r)
{
    if (r->failure != FAILURE_STATUS_NONZERO && r->failure != FAILURE_STATUS_NEGATIVE) return true;
    for (int i = 0; i < r->n_acquire; i++) {
        if (r->acquire[i].result_arg < 0) {
            jsoncheck_error(jc, obj, "failure",
                            "a status failure needs acquires with \"result\": \"arg\" ('%s' returns the handle): "
                            "use \"null\" here if it returns NULL on failure (\"negative\" for a descriptor), or "
                            "split the resource: the returning acquires with \"null\", the out-parameter ones "
                            "with the status",
                            r->acquire[i].name);
            return false;
        }
    }
    return true;
}

/* "negative" is a test of the handle's own value (a descriptor below 0);
 * an out-parameter acquire returns a status instead, and its failure is
 * "status-negative" (or "status-nonzero"). Written the other way, every
 * failure branch would be read as holding a handle. */
static bool negative_needs_returned_handles(JsonCheck *jc, const cJSON *obj, const Resource *r)
{
    if (r->failure != FAILURE_NEGATIVE) return true;
    for (int i = 0; i < r->n_acquire; i++) {
        if (r->acquire[i].result_arg >= 0) {
            jsoncheck_error(jc, obj, "failure",
                            "failure \"negative\" tests a returned handle, but '%s' writes the handle through "
                            "argument %d; for a call that returns a status below 0 on failure use "
                            "\"status-negative\"",
                            r->acquire[i].name, r->acquire[i].result_arg);
            return false;
        }
    }
    return true;
}

static bool parse_resource(JsonCheck *jc, const cJSON *obj, const char *pack, Resource *r)
{
    if (!jsoncheck_is_object(jc, obj, "a resource")) return false;
    bool ok = jsoncheck_keys(jc, obj, resource_keys);
    const char *id = NULL, *desc = NULL, *alt = NULL;
    ok = jsoncheck_string(jc, obj, "id", true, &id) && ok;
    ok = jsoncheck_string(jc, obj, "description", false, &desc) && ok;
    ok = jsoncheck_string(jc, obj, "shared_alternative", false, &alt) && ok;
    ok = jsoncheck_bool(jc, obj, "per_request", &r->per_request) && ok;
    if (id && !*id) {
        jsoncheck_error(jc, obj, "id", "'id' must not be empty");
        ok = false;
    }
    r->id = xstrdup(id ? id : "");
    r->description = xstrdup(desc ? desc : r->id);
    r->shared_alternative = alt ? xstrdup(alt) : NULL;
    r->pack = xstrdup(pack);
    size_t off = jsonpos_key_offset(&jc->map, obj, "id");
    json_offset_to_linecol(jc->map.text, off, &r->src_line, &r->src_col);
    ok = parse_entries(jc, obj, "acquire", true, sizeof(AcquireSpec), acquire_one,
                       (void **)&r->acquire, &r->n_acquire) && ok;
    ok = parse_entries(jc, obj, "release", true, sizeof(ReleaseSpec), release_one,
                       (void **)&r->release, &r->n_release) && ok;
    ok = parse_entries(jc, obj, "transfer", false, sizeof(TransferSpec), transfer_one,
                       (void **)&r->transfer, &r->n_transfer) && ok;
    ok = parse_failure(jc, obj, r) && ok;
    return ok && status_needs_out_params(jc, obj, r) && negative_needs_returned_handles(jc, obj, r);
}

static bool check_pack_header(JsonCheck *jc, const cJSON *root, RulePack *out)
{
    if (!jsoncheck_is_object(jc, root, "a rule pack")) return false;
    bool ok = jsoncheck_keys(jc, root, pack_keys);
    int version = 0;
    if (jsoncheck_int(jc, root, "version", true, &version) && version != 1) {
        jsoncheck_error(jc, cJSON_GetObjectItemCaseSensitive(root, "version"), NULL,
                        "unsupported version %d (this connlint reads version 1)", version);
        ok = false;
    } else if (version != 1) {
        ok = false;
    }
    const char *name = NULL, *desc = NULL;
    ok = jsoncheck_string(jc, root, "name", true, &name) && ok;
    ok = jsoncheck_string(jc, root, "description", false, &desc) && ok;
    out->name = xstrdup(name ? name : "");
    out->description = xstrdup(desc ? desc : "");
    out->used_by_default = true;
    if (cJSON_GetObjectItemCaseSensitive(root, "default"))
        ok = jsoncheck_bool(jc, root, "default", &out->used_by_default) && ok;
    ok = jsoncheck_string_array(jc, root, "headers", &out->headers, &out->n_headers) && ok;
    return ok;
}

/* ---- library knowledge: entries that name a function, no resource ---- */

static bool parse_function_name(JsonCheck *jc, const cJSON *e, const char *key, bool required, char **out)
{
    const char *f = NULL;
    if (!jsoncheck_string(jc, e, key, required, &f)) return false;
    if (f && !*f) {
        jsoncheck_error(jc, e, key, "'%s' must not be empty", key);
        return false;
    }
    *out = f ? xstrdup(f) : NULL;
    return true;
}

static bool noreturn_one(JsonCheck *jc, const cJSON *e, void *p)
{
    NoreturnSpec *n = p;
    if (!jsoncheck_is_object(jc, e, "a noreturn entry") || !jsoncheck_keys(jc, e, noreturn_keys)) return false;
    return parse_function_name(jc, e, "function", true, &n->name) &&
           jsoncheck_bool(jc, e, "system_header_only", &n->system_header_only);
}

static bool call_arg_one(JsonCheck *jc, const cJSON *e, void *p)
{
    CallArgSpec *c = p;
    if (!jsoncheck_is_object(jc, e, "an entry") || !jsoncheck_keys(jc, e, call_arg_keys)) return false;
    return parse_function_name(jc, e, "function", true, &c->name) && parse_arg_index(jc, e, true, &c->arg);
}

static bool returns_arg_one(JsonCheck *jc, const cJSON *e, void *p)
{
    CallArgSpec *c = p;
    if (!jsoncheck_is_object(jc, e, "an entry") || !jsoncheck_keys(jc, e, returns_arg_keys)) return false;
    return parse_function_name(jc, e, "function", true, &c->name) && parse_arg_index(jc, e, true, &c->arg) &&
           jsoncheck_bool(jc, e, "never_null", &c->never_null);
}

static bool dealloc_one(JsonCheck *jc, const cJSON *e, void *p)
{
    DeallocSpec *d = p;
    if (!jsoncheck_is_object(jc, e, "a deallocator entry") || !jsoncheck_keys(jc, e, dealloc_keys)) return false;
    if (!parse_function_name(jc, e, "function", false, &d->name) ||
        !parse_function_name(jc, e, "suffix", false, &d->suffix))
        return false;
    if (d->name && d->suffix) {
        jsoncheck_error(jc, e, "suffix", "a deallocator entry has both 'function' and 'suffix'");
        return false;
    }
    if (!d->name && !d->suffix) {
        jsoncheck_error(jc, e, NULL, "a deallocator entry needs 'function' or 'suffix'");
        return false;
    }
    return true;
}

static bool parse_library(JsonCheck *jc, const cJSON *root, LibraryKnowledge *lib)
{
    bool ok = parse_entries(jc, root, "noreturn", false, sizeof(NoreturnSpec), noreturn_one,
                            (void **)&lib->noreturn, &lib->n_noreturn);
    ok = parse_entries(jc, root, "takes_ownership", false, sizeof(CallArgSpec), call_arg_one,
                       (void **)&lib->takes_ownership, &lib->n_takes_ownership) && ok;
    ok = parse_entries(jc, root, "returns_arg", false, sizeof(CallArgSpec), returns_arg_one,
                       (void **)&lib->returns_arg, &lib->n_returns_arg) && ok;
    ok = parse_entries(jc, root, "deallocators", false, sizeof(DeallocSpec), dealloc_one,
                       (void **)&lib->deallocators, &lib->n_deallocators) && ok;
    return ok;
}

typedef struct {
    const Resource *r;
    const cJSON *item;
    int order;
} IdRef;

static int by_id_then_order(const void *a, const void *b)
{
    const IdRef *x = a, *y = b;
    int c = strcmp(x->r->id, y->r->id);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Sorted, so that a pack of many resources is checked in O(n log n). */
static bool check_duplicate_ids(JsonCheck *jc, const cJSON *arr, const RulePack *p)
{
    IdRef *refs = xcalloc((size_t)p->n_resources + 1, sizeof *refs);
    const cJSON *e = arr->child;
    for (int i = 0; i < p->n_resources; i++, e = e->next) refs[i] = (IdRef){&p->resources[i], e, i};
    qsort(refs, (size_t)p->n_resources, sizeof *refs, by_id_then_order);
    bool ok = true;
    int first = 0;
    for (int i = 1; i < p->n_resources; i++) {
        if (strcmp(refs[i].r->id, refs[first].r->id) != 0) {
            first = i;
            continue;
        }
        jsoncheck_error(jc, refs[i].item, "id", "duplicate resource id '%s' (first defined at line %d)",
                        refs[i].r->id, refs[first].r->src_line);
        ok = false;
    }
    free(refs);
    return ok;
}

static bool parse_pack_body(JsonCheck *jc, const cJSON *root, RulePack *out)
{
    bool ok = check_pack_header(jc, root, out);
    if (!cJSON_IsObject(root)) return false;
    ok = parse_library(jc, root, &out->lib) && ok;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "resources");
    if (!arr) {
        jsoncheck_error(jc, root, NULL, "missing required key 'resources'");
        return false;
    }
    if (!cJSON_IsArray(arr)) {
        jsoncheck_error(jc, arr, NULL, "'resources' must be an array of objects");
        return false;
    }
    out->resources = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(Resource));
    for (const cJSON *e = arr->child; e; e = e->next)
        ok = parse_resource(jc, e, out->name, &out->resources[out->n_resources++]) && ok;
    return ok && check_duplicate_ids(jc, arr, out);
}

bool rulepack_parse(const char *text, const char *source, RulePack *out)
{
    memset(out, 0, sizeof *out);
    out->source = xstrdup(source);
    cJSON *root = json_parse_reporting(text, source);
    if (!root) return false;
    JsonCheck jc;
    jsoncheck_init(&jc, text, source, root);
    bool ok = parse_pack_body(&jc, root, out);
    jsoncheck_free(&jc);
    cJSON_Delete(root);
    return ok;
}

static const Resource *find_resource(const PackSet *set, const char *id, const RulePack **owner)
{
    for (int i = 0; i < set->n_packs; i++)
        for (int r = 0; r < set->packs[i].n_resources; r++)
            if (strcmp(set->packs[i].resources[r].id, id) == 0) {
                *owner = &set->packs[i];
                return &set->packs[i].resources[r];
            }
    return NULL;
}

bool packset_add(PackSet *set, RulePack *pack)
{
    for (int i = 0; i < set->n_packs; i++) {
        if (strcmp(set->packs[i].name, pack->name) == 0) {
            tool_error(pack->source, 0, 0, "a rule pack named '%s' is already loaded (from %s)", pack->name,
                       set->packs[i].source);
            return false;
        }
    }
    for (int r = 0; r < pack->n_resources; r++) {
        const RulePack *owner = NULL;
        const Resource *dup = find_resource(set, pack->resources[r].id, &owner);
        if (dup) {
            tool_error(pack->source, pack->resources[r].src_line, pack->resources[r].src_col,
                       "resource id '%s' is already defined by pack '%s' (%s:%d:%d); ids are shared by all "
                       "loaded packs: rename this one (a prefix such as '%s-')",
                       dup->id, owner->name, owner->source, dup->src_line, dup->src_col, pack->name);
            return false;
        }
    }
    set->packs = xrealloc(set->packs, (size_t)(set->n_packs + 1) * sizeof(RulePack));
    set->packs[set->n_packs++] = *pack;
    memset(pack, 0, sizeof *pack);
    packset_build_index(set);
    return true;
}

static bool names_a_file(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n >= 5 && strcmp(s + n - 5, ".json") == 0);
}

static void report_unknown_pack(const char *name)
{
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < builtin_pack_count; i++) sb_printf(&sb, "%s%s", i ? ", " : "", builtin_packs[i].name);
    tool_error(NULL, 0, 0, "unknown rule pack '%s' (built-in packs: %s; a pack file needs a '/' or a .json name)",
               name, sb.data);
    sb_free(&sb);
}

static bool add_parsed(PackSet *set, const char *text, const char *source)
{
    RulePack p;
    bool ok = rulepack_parse(text, source, &p) && packset_add(set, &p);
    rulepack_free(&p);
    return ok;
}

/* The same built-in or the same file named twice (in the config and with
 * --rules) is loaded once. */
static bool already_loaded(const PackSet *set, const char *source, bool is_file)
{
    char *want = is_file ? path_normalize(source, NULL) : xstrdup(source);
    bool found = false;
    for (int i = 0; i < set->n_packs && !found; i++) {
        const char *have = set->packs[i].source;
        bool have_file = strncmp(have, "<built-in>/", 11) != 0;
        if (have_file != is_file) continue;
        char *norm = is_file ? path_normalize(have, NULL) : xstrdup(have);
        found = strcmp(norm, want) == 0;
        free(norm);
    }
    free(want);
    return found;
}

bool packset_load(PackSet *set, const char *name_or_path)
{
    if (!names_a_file(name_or_path)) {
        const BuiltinPack *b = builtin_pack_find(name_or_path);
        if (!b) {
            report_unknown_pack(name_or_path);
            return false;
        }
        char *source = xasprintf("<built-in>/%s.json", b->name);
        bool ok = already_loaded(set, source, false) || add_parsed(set, b->json, source);
        free(source);
        return ok;
    }
    if (already_loaded(set, name_or_path, true)) return true;
    size_t len = 0;
    char *text = read_file_all(name_or_path, &len);
    if (!text) {
        tool_error(name_or_path, 0, 0, "cannot read rule pack: %s", read_error_text(errno));
        return false;
    }
    bool ok = json_text_check(text, len, name_or_path, "rule pack") && add_parsed(set, text, name_or_path);
    free(text);
    return ok;
}

bool packset_load_defaults(PackSet *set)
{
    for (int i = 0; i < builtin_pack_count; i++) {
        char *source = xasprintf("<built-in>/%s.json", builtin_packs[i].name);
        RulePack p;
        bool ok = rulepack_parse(builtin_packs[i].json, source, &p);
        ok = ok && (!p.used_by_default || already_loaded(set, source, false) || packset_add(set, &p));
        rulepack_free(&p);
        free(source);
        if (!ok) return false;
    }
    return true;
}

bool packset_load_library(PackSet *set)
{
    for (int i = 0; i < set->n_packs; i++)
        if (strcmp(set->packs[i].name, LIBRARY_PACK_NAME) == 0) return true;
    return packset_load(set, LIBRARY_PACK_NAME);
}

static void library_free(LibraryKnowledge *lib)
{
    for (int i = 0; i < lib->n_noreturn; i++) free(lib->noreturn[i].name);
    free(lib->noreturn);
    for (int i = 0; i < lib->n_takes_ownership; i++) free(lib->takes_ownership[i].name);
    free(lib->takes_ownership);
    for (int i = 0; i < lib->n_returns_arg; i++) free(lib->returns_arg[i].name);
    free(lib->returns_arg);
    for (int i = 0; i < lib->n_deallocators; i++) {
        free(lib->deallocators[i].name);
        free(lib->deallocators[i].suffix);
    }
    free(lib->deallocators);
}

static void resource_free(Resource *r)
{
    free(r->id);
    free(r->description);
    free(r->pack);
    for (int i = 0; i < r->n_acquire; i++) {
        free(r->acquire[i].name);
        free(r->acquire[i].error_field);
    }
    free(r->acquire);
    for (int i = 0; i < r->n_release; i++) {
        free(r->release[i].name);
        free(r->release[i].field);
    }
    free(r->release);
    for (int i = 0; i < r->n_transfer; i++) free(r->transfer[i].name);
    free(r->transfer);
    free(r->failure_field);
    free(r->shared_alternative);
}

void rulepack_free(RulePack *p)
{
    for (int i = 0; i < p->n_headers; i++) free(p->headers[i]);
    free(p->headers);
    free(p->name);
    free(p->description);
    free(p->source);
    for (int i = 0; i < p->n_resources; i++) resource_free(&p->resources[i]);
    free(p->resources);
    library_free(&p->lib);
    memset(p, 0, sizeof *p);
}

void packset_free(PackSet *set)
{
    for (int i = 0; i < set->n_packs; i++) rulepack_free(&set->packs[i]);
    free(set->packs);
    pack_index_free(set->index);
    memset(set, 0, sizeof *set);
}
