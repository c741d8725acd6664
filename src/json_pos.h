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
 * nested ones). Returns object_offset when the key is not found. */
size_t json_key_offset(const char *text, size_t object_offset, const char *key);

#endif
