/* json_pos.c — positions for JSON diagnostics, and the strict-validation
 * helpers (unknown keys, types) that the configuration, the rule packs and
 * compile_commands.json share. cJSON gives no positions: a one-pass scanner
 * records where every value starts, in document order, and a pre-order walk
 * of the cJSON tree (same order) pairs each item with its offset. Neither
 * walk recurses. Does not decide what a document means. */
#include "cli/json_pos.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>
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

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static void append_utf8(StrBuf *sb, unsigned cp)
{
    char b[4];
    int n = 0;
    if (cp < 0x80) b[n++] = (char)cp;
    else if (cp < 0x800) { b[n++] = (char)(0xC0 | cp >> 6); b[n++] = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        b[n++] = (char)(0xE0 | cp >> 12); b[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
        b[n++] = (char)(0xF0 | cp >> 18); b[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[n++] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[n++] = (char)(0x80 | (cp & 0x3F));
    }
    sb_append_n(sb, b, (size_t)n);
}

/* The decoded value of the JSON string between quote and end (exclusive of
 * the quotes), as cJSON decodes it: escapes and \uXXXX (with surrogate
 * pairs) become UTF-8, so a key written "ver\u0073ion" is "version". */
static void decode_string(const char *text, size_t quote, size_t end, StrBuf *out)
{
    for (size_t i = quote + 1; i + 1 < end; i++) {
        char c = text[i];
        if (c != '\\') {
            sb_append_char(out, c);
            continue;
        }
        char e = text[++i];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            sb_append_char(out, decoded[simple - "\"\\/bfnrt"]);
        } else if (e == 'u' && i + 4 < end && hex4(text + i + 1) >= 0) {
            unsigned cp = (unsigned)hex4(text + i + 1);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < end && text[i + 1] == '\\' && text[i + 2] == 'u') {
                int lo = hex4(text + i + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
                    i += 6;
                }
            }
            append_utf8(out, cp);
        }
    }
}

static bool key_equals(const char *text, size_t quote, size_t end, const char *key)
{
    if (end < quote + 2) return false;
    size_t len = end - quote - 2;
    if (!memchr(text + quote + 1, '\\', len)) return strlen(key) == len && memcmp(text + quote + 1, key, len) == 0;
    StrBuf sb;
    sb_init(&sb);
    decode_string(text, quote, end, &sb);
    bool eq = strcmp(sb.data, key) == 0;
    sb_free(&sb);
    return eq;
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

/* Where a value starts and, for an object member, where its name's
 * opening quote stands (NO_KEY otherwise). */
typedef struct {
    size_t value, key;
} ValuePos;
typedef VEC(ValuePos) OffsetVec;

#define NO_KEY ((size_t)-1)

/* Offsets of every value start, in document order. */
static void scan_value_offsets(const char *text, OffsetVec *out)
{
    VEC(char) stack = {0};
    bool expect_key = false;
    size_t key = NO_KEY;
    for (size_t i = 0; text[i]; i++) {
        char ch = text[i];
        if (ch == '"') {
            if (expect_key) key = i;
            else VEC_PUSH(*out, ((ValuePos){i, key}));
            if (!expect_key) key = NO_KEY;
            expect_key = false;
            i = skip_string(text, i) - 1;
        } else if (ch == '{' || ch == '[') {
            VEC_PUSH(*out, ((ValuePos){i, key}));
            key = NO_KEY;
            VEC_PUSH(stack, ch);
            expect_key = ch == '{';
        } else if (ch == '}' || ch == ']') {
            if (stack.len) stack.len--;
            expect_key = false;
        } else if (ch == ',') {
            expect_key = stack.len && stack.items[stack.len - 1] == '{';
        } else if (ch == '-' || (ch >= '0' && ch <= '9') || ch == 't' || ch == 'f' || ch == 'n') {
            VEC_PUSH(*out, ((ValuePos){i, key}));
            key = NO_KEY;
            while (text[i + 1] && !strchr(",]} \t\r\n", text[i + 1])) i++;
        }
    }
    VEC_FREE(stack);
}

/* The map's items sorted by address, for lookups in O(log n). */
static const JsonPosMap *sort_map;

static int by_item_address(const void *a, const void *b)
{
    const cJSON *x = sort_map->items[*(const int *)a], *y = sort_map->items[*(const int *)b];
    return x < y ? -1 : x > y;
}

static int map_index(const JsonPosMap *m, const cJSON *item)
{
    int lo = 0, hi = m->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const cJSON *at = m->items[m->by_address[mid]];
        if (at == item) return m->by_address[mid];
        if ((uintptr_t)at < (uintptr_t)item) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
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
    m->key_offsets = xcalloc((size_t)(items.len ? items.len : 1), sizeof(size_t));
    m->by_address = xcalloc((size_t)(items.len ? items.len : 1), sizeof(int));
    for (int i = 0; i < items.len; i++) {
        m->offsets[i] = i < offs.len ? offs.items[i].value : 0;
        m->key_offsets[i] = i < offs.len ? offs.items[i].key : NO_KEY;
        m->by_address[i] = i;
    }
    sort_map = m; /* qsort has no context argument; config loading is single-threaded */
    qsort(m->by_address, (size_t)m->n, sizeof(int), by_item_address);
    sort_map = NULL;
    VEC_FREE(offs);
    VEC_FREE(stack);
}

void jsonpos_map_free(JsonPosMap *m)
{
    free(m->items);
    free(m->offsets);
    free(m->key_offsets);
    free(m->by_address);
    memset(m, 0, sizeof *m);
}

size_t jsonpos_value_offset(const JsonPosMap *m, const cJSON *item)
{
    int i = map_index(m, item);
    return i >= 0 ? m->offsets[i] : 0;
}

size_t jsonpos_key_offset(const JsonPosMap *m, const cJSON *obj, const char *key)
{
    for (const cJSON *ch = obj ? obj->child : NULL; ch; ch = ch->next) {
        if (!ch->string || strcmp(ch->string, key) != 0) continue;
        int i = map_index(m, ch);
        if (i >= 0 && m->key_offsets[i] != NO_KEY) return m->key_offsets[i];
        break;
    }
    return jsonpos_value_offset(m, obj);
}

bool json_text_check(const char *text, size_t len, const char *source, const char *what)
{
    const unsigned char *u = (const unsigned char *)text;
    bool bom16 = len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
    bool ascii_nul_pairs = len >= 2 && ((u[0] && !u[1]) || (!u[0] && u[1]));
    if (bom16 || ascii_nul_pairs) {
        tool_error(source, 1, 1, "the %s is UTF-16 text: save it as UTF-8", what);
        return false;
    }
    size_t nul = strlen(text);
    if (nul == len) return true;
    int line, col;
    json_offset_to_linecol(text, nul, &line, &col);
    tool_error(source, line, col, "the %s is not text (it contains a NUL byte)", what);
    return false;
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

/* Prints one error at byte `off`; past JSONCHECK_MAX_ERRORS only counts
 * (a file with 100,000 bad keys gets 20 lines and a note, not 100,000). */
static void report_at(JsonCheck *c, size_t off, const char *fmt, va_list ap)
{
    if (c->n_errors++ >= JSONCHECK_MAX_ERRORS) {
        if (c->n_errors == JSONCHECK_MAX_ERRORS + 1)
            tool_error(c->source, 0, 0, "too many errors; the first %d are shown", JSONCHECK_MAX_ERRORS);
        return;
    }
    int line, col;
    json_offset_to_linecol(c->map.text, off, &line, &col);
    StrBuf sb;
    sb_init(&sb);
    sb_vprintf(&sb, fmt, ap);
    tool_error(c->source, line, col, "%s", sb.data);
    sb_free(&sb);
}

void jsoncheck_error(JsonCheck *c, const cJSON *item, const char *key, const char *fmt, ...)
{
    size_t off = 0;
    if (c->n_errors < JSONCHECK_MAX_ERRORS)
        off = key ? jsonpos_key_offset(&c->map, item, key) : jsonpos_value_offset(&c->map, item);
    va_list ap;
    va_start(ap, fmt);
    report_at(c, off, fmt, ap);
    va_end(ap);
}

void jsoncheck_error_at_name(JsonCheck *c, const cJSON *member, const char *fmt, ...)
{
    int i = c->n_errors < JSONCHECK_MAX_ERRORS ? map_index(&c->map, member) : -1;
    size_t off = i < 0 ? 0 : c->map.key_offsets[i] != NO_KEY ? c->map.key_offsets[i] : c->map.offsets[i];
    va_list ap;
    va_start(ap, fmt);
    report_at(c, off, fmt, ap);
    va_end(ap);
}

static bool name_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0) return true;
    return false;
}

typedef struct {
    const cJSON *member;
    int order;
} NamedMember;

static int by_name_then_order(const void *a, const void *b)
{
    const NamedMember *x = a, *y = b;
    int c = strcmp(x->member->string, y->member->string);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_order(const void *a, const void *b)
{
    const NamedMember *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

bool jsoncheck_duplicates(JsonCheck *c, const cJSON *obj, const char *what)
{
    VEC(NamedMember) all = {0};
    for (const cJSON *m = obj->child; m; m = m->next)
        if (m->string) VEC_PUSH(all, ((NamedMember){m, all.len}));
    if (all.len > 1) qsort(all.items, (size_t)all.len, sizeof *all.items, by_name_then_order);
    /* keep every repetition (not the first of its name), then report them
     * in document order */
    int n_dup = 0;
    for (int i = 1; i < all.len; i++)
        if (strcmp(all.items[i].member->string, all.items[i - 1].member->string) == 0) all.items[n_dup++] = all.items[i];
    if (n_dup > 1) qsort(all.items, (size_t)n_dup, sizeof *all.items, by_order);
    for (int i = 0; i < n_dup; i++)
        jsoncheck_error_at_name(c, all.items[i].member, "duplicate key '%s'%s%s", all.items[i].member->string,
                                what ? " " : "", what ? what : "");
    VEC_FREE(all);
    return n_dup == 0;
}

bool jsoncheck_keys(JsonCheck *c, const cJSON *obj, const char *const *allowed)
{
    bool ok = true;
    for (const cJSON *m = obj->child; m; m = m->next) {
        const char *name = m->string ? m->string : "";
        if (name_in(name, allowed)) continue;
        ok = false;
        if (c->n_errors >= JSONCHECK_MAX_ERRORS) {
            c->n_errors++; /* counted, not printed: see report_at */
            continue;
        }
        StrBuf list;
        sb_init(&list);
        for (int i = 0; allowed[i]; i++) sb_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
        jsoncheck_error_at_name(c, m, "unknown key '%s' (expected one of: %s)", name, list.data);
        sb_free(&list);
    }
    return jsoncheck_duplicates(c, obj, NULL) && ok;
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
    /* the range first: converting 1e999 (inf) to an integer is undefined */
    if (!cJSON_IsNumber(v) || !(d >= -1e9 && d <= 1e9) || d != (double)(long long)d) {
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
