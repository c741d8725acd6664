/* finding.c — the finding list: adding, sorting, freeing. See finding.h. */
#include "common/finding.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

const char *level_name(Level l)
{
    switch (l) {
    case LEVEL_ERROR: return "error";
    case LEVEL_WARNING: return "warning";
    case LEVEL_NOTE: return "note";
    case LEVEL_NONE: break;
    }
    return "none";
}

bool level_parse(const char *s, Level *out)
{
    static const struct { const char *name; Level level; } names[] = {
        {"error", LEVEL_ERROR}, {"warning", LEVEL_WARNING}, {"note", LEVEL_NOTE}, {"none", LEVEL_NONE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].level;
            return true;
        }
    }
    return false;
}

const char *baseline_state_name(BaselineState b)
{
    switch (b) {
    case BASELINE_NEW: return "new";
    case BASELINE_UNCHANGED: return "unchanged";
    case BASELINE_ABSENT: return "absent";
    case BASELINE_NONE: break;
    }
    return NULL;
}

FindingLoc findingloc_make(const char *file, int line, int col, int end_line, int end_col,
                           const char *message)
{
    FindingLoc l;
    l.file = file ? xstrdup(file) : NULL;
    l.line = line;
    l.col = col;
    l.end_line = end_line;
    l.end_col = end_col;
    l.message = message ? xstrdup(message) : NULL;
    l.col16 = l.end_col16 = 0;
    return l;
}

void findings_add(FindingList *list, Finding *f)
{
    if (list->len == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->items = xrealloc(list->items, (size_t)list->cap * sizeof(Finding));
    }
    list->items[list->len++] = *f;
    memset(f, 0, sizeof *f);
}

static int strcmp_null(const char *a, const char *b)
{
    if (!a || !b) return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int finding_cmp(const void *pa, const void *pb)
{
    const Finding *a = pa, *b = pb;
    int c = strcmp_null(a->loc.file, b->loc.file);
    if (c) return c;
    if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col) return a->loc.col < b->loc.col ? -1 : 1;
    if ((c = strcmp_null(a->rule, b->rule))) return c;
    if ((c = strcmp_null(a->message, b->message))) return c;
    if (a->n_related && b->n_related) {
        if (a->related[0].line != b->related[0].line)
            return a->related[0].line < b->related[0].line ? -1 : 1;
        if (a->related[0].col != b->related[0].col)
            return a->related[0].col < b->related[0].col ? -1 : 1;
    }
    return strcmp_null(a->identity, b->identity);
}

void findings_sort(FindingList *list)
{
    if (list->len > 1) qsort(list->items, (size_t)list->len, sizeof(Finding), finding_cmp);
}

static void loc_free(FindingLoc *l)
{
    free(l->file);
    free(l->message);
}

void finding_free(Finding *f)
{
    loc_free(&f->loc);
    free(f->message);
    free(f->message_markdown);
    free(f->function);
    for (int i = 0; i < f->n_related; i++) loc_free(&f->related[i]);
    free(f->related);
    for (int i = 0; i < f->n_path; i++) loc_free(&f->path[i]);
    free(f->path);
    free(f->identity);
    free(f->fingerprint);
    free(f->line_hash);
    free(f->suppression_text);
    memset(f, 0, sizeof *f);
}

void findings_free(FindingList *list)
{
    for (int i = 0; i < list->len; i++) finding_free(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->len = list->cap = 0;
}
