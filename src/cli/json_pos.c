/* json_pos.c — positions for JSON diagnostics, and the strict-validation
 * helpers (unknown keys, types) that the configuration, the rule packs and
 * compile_commands.json share. cJSON gives no positions: a one-pass scanner
 * records where every value starts, in document order, and a pre-order walk
 * of the cJSON tree (same order) pairs each item with its offset. Neither
 * walk recurses. Does not decide what a document means. */
#include "cli/json_pos.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void json_offset_to_linecol(const char *text, size_t offset, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Index just past the string whose opening quote is at `i`. */
static size_t skip_string(const char *text, size_t i)
{
    i++;
    while (text[i] && text[i] != '"') {
        if (text[i] == '\\' && text[i + 1]) i++;
        i++;
    }
    return text[i] ? i + 1 : i;
}

static bool key_equals(const char *text, size_t quote, size_t end, const char *key)
{
    size_t len = end - quote - 2;
    return strlen(key) == len && memcmp(text + quote + 1, key, len) == 0;
}

size_t json_key_offset(const char *text, size_t object_offset, const char *key)
{
    int depth = 0;
    bool expect_key = false;
    for (size_t i = object_offset; text[i]; i++) {
        char ch = text[i];
        if (ch == '"') {
            size_t end = skip_string(text, i);
            if (depth == 1 && expect_key && key_equals(text, i, end, key)) return i;
            expect_key = false;
            i = end - 1;
        } else if (ch == '{' || ch == '[') {
            depth++;
            expect_key = ch == '{' && depth == 1;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0) break;
        } else if (ch == ',' && depth == 1) {
            expect_key = true;
        }
    }
    return object_offset;
}

typedef VEC(size_t) OffsetVec;

/* Offsets of every value start, in document order. */
static void scan_value_offsets(const char *text, OffsetVec *out)
{
    VEC(char) stack = {0};
    bool expect_key = false;
    for (size_t i = 0; text[i]; i++) {
        char ch = text[i];
        if (ch == '"') {
            if (!expect_key) VEC_PUSH(*out, i);
            expect_key = false;
            i = skip_string(text, i) - 1;
        } else if (ch == '{' || ch == '[') {
            VEC_PUSH(*out, i);
            VEC_PUSH(stack, ch);
            expect_key = ch == '{';
        } else if (ch == '}' || ch == ']') {
            if (stack.len) stack.len--;
            expect_key = false;
        } else if (ch == ',') {
            expect_key = stack.len && stack.items[stack.len - 1] == '{';
        } else if (ch == '-' || (ch >= '0' && ch <= '9') || ch == 't' || ch == 'f' || ch == 'n') {
            VEC_PUSH(*out, i);
            while (text[i + 1] && !strchr(",]} \t\r\n", text[i + 1])) i++;
        }
    }
    VEC_FREE(stack);
}

void jsonpos_map_build(JsonPosMap *m, const char *text, const cJSON *root)
{
    memset(m, 0, sizeof *m);
    m->text = text;
    OffsetVec offs = {0};
    scan_value_offsets(text, &offs);
    VEC(const cJSON *) items = {0};
    VEC(const cJSON *) stack = {0};
    if (root) VEC_PUSH(stack, root);
    while (stack.len) {
        const cJSON *it = stack.items[--stack.len];
        VEC_PUSH(items, it);
        /* push children in reverse so the first child is visited next */
        int n = 0;
        for (const cJSON *ch = it->child; ch; ch = ch->next) n++;
        int base = stack.len;
        for (int k = 0; k < n; k++) VEC_PUSH(stack, NULL);
        int k = 0;
        for (const cJSON *ch = it->child; ch; ch = ch->next, k++) stack.items[base + n - 1 - k] = ch;
    }
    m->n = items.len;
    m->items = items.items;
    m->offsets = xcalloc((size_t)(items.len ? items.len : 1), sizeof(size_t));
    for (int i = 0; i < items.len && i < offs.len; i++) m->offsets[i] = offs.items[i];
    VEC_FREE(offs);
    VEC_FREE(stack);
}

void jsonpos_map_free(JsonPosMap *m)
{
    free(m->items);
    free(m->offsets);
    memset(m, 0, sizeof *m);
}

size_t jsonpos_value_offset(const JsonPosMap *m, const cJSON *item)
{
    for (int i = 0; i < m->n; i++)
        if (m->items[i] == item) return m->offsets[i];
    return 0;
}

cJSON *json_parse_reporting(const char *text, const char *source)
{
    const char *end = NULL;
    /* the length includes the NUL: cJSON 1.7's end-of-input check misfires
     * on trailing whitespace when the length stops just before it */
    cJSON *root = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
    if (root) return root;
    size_t off = end && end >= text ? (size_t)(end - text) : 0;
    /* cJSON may stop just past the offending character: point at it */
    while (off > 0 && text[off] && strchr(" \t\r\n", text[off])) off--;
    int line, col;
    json_offset_to_linecol(text, off, &line, &col);
    if (text[off] == '\0')
        tool_error(source, line, col, "invalid JSON: unexpected end of file");
    else
        tool_error(source, line, col, "invalid JSON: syntax error near '%.12s'", text + off);
    return NULL;
}

void jsoncheck_init(JsonCheck *c, const char *text, const char *source, const cJSON *root)
{
    c->source = source;
    c->n_errors = 0;
    jsonpos_map_build(&c->map, text, root);
}

void jsoncheck_free(JsonCheck *c)
{
    jsonpos_map_free(&c->map);
}

void jsoncheck_error(JsonCheck *c, const cJSON *item, const char *key, const char *fmt, ...)
{
    size_t off = jsonpos_value_offset(&c->map, item);
    if (key) off = json_key_offset(c->map.text, off, key);
    int line, col;
    json_offset_to_linecol(c->map.text, off, &line, &col);
    StrBuf sb;
    sb_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    tool_error(c->source, line, col, "%s", sb.data);
    sb_free(&sb);
    c->n_errors++;
}

static bool name_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0) return true;
    return false;
}

/* The key is found by json_key_offset, which finds the first of equal
 * names; for a duplicate the position of the member's value is used. */
bool jsoncheck_keys(JsonCheck *c, const cJSON *obj, const char *const *allowed)
{
    bool ok = true;
    for (const cJSON *m = obj->child; m; m = m->next) {
        const char *name = m->string ? m->string : "";
        if (!name_in(name, allowed)) {
            StrBuf list;
            sb_init(&list);
            for (int i = 0; allowed[i]; i++) sb_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
            jsoncheck_error(c, obj, name, "unknown key '%s' (expected one of: %s)", name, list.data);
            sb_free(&list);
            ok = false;
            continue;
        }
        for (const cJSON *p = obj->child; p != m; p = p->next) {
            if (p->string && strcmp(p->string, name) == 0) {
                jsoncheck_error(c, m, NULL, "duplicate key '%s'", name);
                ok = false;
                break;
            }
        }
    }
    return ok;
}

bool jsoncheck_is_object(JsonCheck *c, const cJSON *item, const char *what)
{
    if (cJSON_IsObject(item)) return true;
    jsoncheck_error(c, item, NULL, "%s must be an object", what);
    return false;
}

bool jsoncheck_string(JsonCheck *c, const cJSON *obj, const char *key, bool required,
                      const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) jsoncheck_error(c, obj, NULL, "missing required key '%s'", key);
        return !required;
    }
    if (!cJSON_IsString(v)) {
        jsoncheck_error(c, v, NULL, "'%s' must be a string", key);
        return false;
    }
    *out = v->valuestring;
    return true;
}

bool jsoncheck_bool(JsonCheck *c, const cJSON *obj, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return true;
    if (!cJSON_IsBool(v)) {
        jsoncheck_error(c, v, NULL, "'%s' must be true or false", key);
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

bool jsoncheck_int(JsonCheck *c, const cJSON *obj, const char *key, bool required, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) jsoncheck_error(c, obj, NULL, "missing required key '%s'", key);
        return !required;
    }
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0.5;
    if (!cJSON_IsNumber(v) || d != (double)(long long)d || d < -1e9 || d > 1e9) {
        jsoncheck_error(c, v, NULL, "'%s' must be an integer", key);
        return false;
    }
    *out = (int)d;
    return true;
}

bool jsoncheck_string_array(JsonCheck *c, const cJSON *obj, const char *key, char ***out, int *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return true;
    if (!cJSON_IsArray(v)) {
        jsoncheck_error(c, v, NULL, "'%s' must be an array of strings", key);
        return false;
    }
    bool ok = true;
    for (const cJSON *e = v->child; e; e = e->next) {
        if (!cJSON_IsString(e)) {
            jsoncheck_error(c, e, NULL, "'%s' must be an array of strings", key);
            ok = false;
        }
    }
    if (!ok) return false;
    int count = cJSON_GetArraySize(v);
    *out = xcalloc((size_t)(count ? count : 1), sizeof(char *));
    *n = 0;
    for (const cJSON *e = v->child; e; e = e->next) (*out)[(*n)++] = xstrdup(e->valuestring);
    return true;
}
