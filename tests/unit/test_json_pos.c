/* test_json_pos.c — byte offset to line/column, json_key_offset (members of
 * the object only, not of nested ones), and the item -> offset map on a
 * document with nesting, escapes and every value type. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "cli/json_pos.h"
#include "unit.h"

static void where(const char *text, size_t off, int *line, int *col)
{
    json_offset_to_linecol(text, off, line, col);
}

static void test_linecol(void)
{
    int l, c;
    where("ab\ncd\n\nx", 0, &l, &c);
    CHECK(l == 1 && c == 1);
    where("ab\ncd\n\nx", 4, &l, &c);
    CHECK(l == 2 && c == 2);
    where("ab\ncd\n\nx", 7, &l, &c);
    CHECK(l == 4 && c == 1);
}

static const char doc[] =
    "{\n"
    "  \"a\": {\"k\": 1, \"b\": [true, null, -2.5e3]},\n"
    "  \"s\\\"q\": \"x\\\"}{\",\n"
    "  \"k\": [\"k\", {\"k\": \"deep\"}]\n"
    "}\n";

static void test_key_offset(void)
{
    /* "k" of the root, not the one nested in "a" nor the string "k" */
    size_t off = json_key_offset(doc, 0, "k");
    int l, c;
    json_offset_to_linecol(doc, off, &l, &c);
    CHECK(l == 4 && c == 3);
    size_t a = (size_t)(strchr(doc, '{') - doc);
    CHECK(json_key_offset(doc, a, "missing") == a);
    size_t inner = (size_t)(strstr(doc, "{\"k\": 1") - doc);
    CHECK(json_key_offset(doc, inner, "b") == (size_t)(strstr(doc, "\"b\"") - doc));
}

static void test_map(void)
{
    cJSON *root = cJSON_Parse(doc);
    CHECK(root != NULL);
    if (!root) return;
    JsonPosMap m;
    jsonpos_map_build(&m, doc, root);
    const cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "a"), "b");
    CHECK(jsonpos_value_offset(&m, cJSON_GetArrayItem(b, 2)) == (size_t)(strstr(doc, "-2.5e3") - doc));
    CHECK(jsonpos_value_offset(&m, cJSON_GetArrayItem(b, 1)) == (size_t)(strstr(doc, "null") - doc));
    const cJSON *q = cJSON_GetObjectItem(root, "s\"q");
    CHECK(q && jsonpos_value_offset(&m, q) == (size_t)(strstr(doc, "\"x\\\"") - doc));
    const cJSON *k = cJSON_GetObjectItem(root, "k");
    const cJSON *deep = cJSON_GetObjectItem(cJSON_GetArrayItem(k, 1), "k");
    CHECK(jsonpos_value_offset(&m, deep) == (size_t)(strstr(doc, "\"deep\"") - doc));
    CHECK(jsonpos_value_offset(&m, root) == 0);
    jsonpos_map_free(&m);
    cJSON_Delete(root);
}

int main(void)
{
    test_linecol();
    test_key_offset();
    test_map();
    UNIT_MAIN_END();
}
