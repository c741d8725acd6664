/* filter_columns.c — byte columns (as clang reports them and text/json
 * print them) to UTF-16 code-unit columns (SARIF's default columnKind, which
 * GitHub reads). Reads each file once; never the IR. A line that cannot be
 * read leaves the columns unknown (the SARIF writer then uses bytes). */
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"
#include "common/util.h"

typedef struct {
    const char *file;
    char *text;      /* NULL when unreadable */
    size_t len;
    size_t *line_start;
    int n_lines;
} FileLines;

typedef VEC(FileLines) FileLinesCache;

static const FileLines *file_lines(FileLinesCache *cache, const char *file)
{
    for (int i = 0; i < cache->len; i++)
        if (strcmp(cache->items[i].file, file) == 0) return &cache->items[i];
    FileLines fl = {file, NULL, 0, NULL, 0};
    fl.text = read_file_all(file, &fl.len);
    if (fl.text) {
        VEC(size_t) starts = {0};
        VEC_PUSH(starts, 0);
        for (size_t i = 0; i < fl.len; i++)
            if (fl.text[i] == '\n') VEC_PUSH(starts, i + 1);
        fl.line_start = starts.items;
        fl.n_lines = starts.len;
    }
    VEC_PUSH(*cache, fl);
    return &cache->items[cache->len - 1];
}

/* UTF-16 column of 1-based byte column `col` on 1-based `line`; 0 if unknown. */
static int utf16_column(const FileLines *fl, int line, int col)
{
    if (!fl->text || line < 1 || line > fl->n_lines || col < 1) return 0;
    size_t start = fl->line_start[line - 1];
    size_t end = line < fl->n_lines ? fl->line_start[line] : fl->len;
    size_t stop = start + (size_t)(col - 1);
    if (stop > end) return 0;
    const unsigned char *s = (const unsigned char *)fl->text;
    int units = 0;
    size_t i = start;
    while (i < stop) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + n > stop) n = stop - i;
        units += n == 4 ? 2 : 1; /* a 4-byte sequence is a surrogate pair */
        i += n;
    }
    return units + 1;
}

static void convert(FileLinesCache *cache, FindingLoc *l)
{
    if (!l->file || l->line < 1) return;
    const FileLines *fl = file_lines(cache, l->file);
    l->col16 = utf16_column(fl, l->line, l->col);
    l->end_col16 = utf16_column(fl, l->end_line > 0 ? l->end_line : l->line, l->end_col);
}

void utf16_columns_assign(FindingList *list)
{
    FileLinesCache cache = {0};
    for (int i = 0; i < list->len; i++) {
        Finding *f = &list->items[i];
        convert(&cache, &f->loc);
        for (int k = 0; k < f->n_related; k++) convert(&cache, &f->related[k]);
        for (int k = 0; k < f->n_path; k++) convert(&cache, &f->path[k]);
    }
    for (int i = 0; i < cache.len; i++) {
        free(cache.items[i].text);
        free(cache.items[i].line_start);
    }
    VEC_FREE(cache);
}
