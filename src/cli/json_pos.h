/* json_pos.h — source positions for JSON validation messages. cJSON does
 * not report positions, so line and column are computed from byte offsets:
 * where parsing stopped (cJSON_GetErrorPtr) or where a key stands. */
#ifndef CONNLINT_JSON_POS_H
#define CONNLINT_JSON_POS_H

#include <stddef.h>

/* 1-based line and column of byte `offset` in `text`. */
void json_offset_to_linecol(const char *text, size_t offset, int *line, int *col);

/* Offset of the opening quote of member name "key" inside the JSON object
 * whose '{' is at byte object_offset (members of that object only, not of
 * nested ones; names compared decoded, "\u0069d" is "id"). Returns
 * object_offset when the key is not found. */
size_t json_key_offset(const char *text, size_t object_offset, const char *key);

/* ---- Added by the Foundation module: positions of cJSON items and the
 * strict-validation helpers config, rule packs and compile_db share. ---- */
#include <stdbool.h>

struct cJSON;

/* Maps every item of a parsed document to the byte offset where its value
 * starts, by scanning the text once in document order (the order a
 * pre-order walk of the cJSON tree visits items). */
typedef struct {
    const char *text;
    const struct cJSON **items;
    size_t *offsets;
    size_t *key_offsets;  /* where a member's name stands ((size_t)-1: not a member) */
    int *by_address;      /* indexes of items sorted by address (lookups in O(log n)) */
    int n;
} JsonPosMap;

void jsonpos_map_build(JsonPosMap *m, const char *text, const struct cJSON *root);
void jsonpos_map_free(JsonPosMap *m);
/* Offset where `item`'s value starts (0 when unknown). */
size_t jsonpos_value_offset(const JsonPosMap *m, const struct cJSON *item);
/* Offset of the opening quote of the name of `obj`'s first member called
 * `key` (as decoded: escapes count as what they stand for); obj's own
 * offset when there is none. */
size_t jsonpos_key_offset(const JsonPosMap *m, const struct cJSON *obj, const char *key);

/* Whether `len` bytes read from `source` can be JSON text: UTF-16 (a
 * byte-order mark, or NUL bytes between ASCII characters) and NUL bytes
 * are errors printed with their position ("what" names the document:
 * "configuration", "rule pack"). */
bool json_text_check(const char *text, size_t len, const char *source, const char *what);

/* Parses `text` with cJSON; on a syntax error prints
 * "SOURCE:LINE:COL: invalid JSON ..." via tool_error and returns NULL. */
struct cJSON *json_parse_reporting(const char *text, const char *source);

/* A validation pass over one document: errors are printed with the
 * position of the offending item (or of `key` inside object `item`). */
typedef struct {
    const char *source;
    JsonPosMap map;
    int n_errors;  /* all of them; only the first JSONCHECK_MAX_ERRORS are printed */
} JsonCheck;

#define JSONCHECK_MAX_ERRORS 20

void jsoncheck_init(JsonCheck *c, const char *text, const char *source, const struct cJSON *root);
void jsoncheck_free(JsonCheck *c);
/* Reports at `item` (key == NULL) or at member name `key` of object `item`. */
void jsoncheck_error(JsonCheck *c, const struct cJSON *item, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reports at the name of member `member` (an item with a ->string). */
void jsoncheck_error_at_name(JsonCheck *c, const struct cJSON *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Unknown and duplicate member names of `obj`: allowed is NULL-terminated. */
bool jsoncheck_keys(JsonCheck *c, const struct cJSON *obj, const char *const *allowed);
/* Duplicate member names of `obj` (every one after the first), found in
 * O(n log n); `what` names the object in messages ("in 'levels'"). */
bool jsoncheck_duplicates(JsonCheck *c, const struct cJSON *obj, const char *what);
/* Type checks naming the member: "'key' must be a string" and so on. */
bool jsoncheck_is_object(JsonCheck *c, const struct cJSON *item, const char *what);
bool jsoncheck_string(JsonCheck *c, const struct cJSON *obj, const char *key, bool required,
                      const char **out);
bool jsoncheck_bool(JsonCheck *c, const struct cJSON *obj, const char *key, bool *out);
bool jsoncheck_int(JsonCheck *c, const struct cJSON *obj, const char *key, bool required,
                   int *out);
/* An array of strings; *out is a malloc'ed array of malloc'ed copies. */
bool jsoncheck_string_array(JsonCheck *c, const struct cJSON *obj, const char *key, char ***out,
                            int *n);

#endif
