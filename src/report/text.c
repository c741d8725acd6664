/* text.c — the default, GCC/clang-style text report (SPEC §5):
 *
 *   file:line:col: error: message [rule]
 *   file:line:col: note: 'conn' acquired here
 *
 * Notes are the related locations, then the path steps; a note that repeats
 * an earlier one (same place, same message) or that stands at the primary
 * location itself is left out. Paths are relative to the current directory.
 * Suppressed findings and findings already in the baseline are not printed.
 * When anything was printed, a last line sums it up:
 *
 *   3 findings (2 errors, 1 warning) in 12 files
 *
 * and nothing at all is printed for a clean run. Colours (bold locations,
 * red errors, magenta warnings, cyan notes, as clang) only with use_color. */
#include <stdlib.h>
#include <string.h>

#include "cli/glob.h"
#include "report/report_util.h"
#include "common/util.h"

#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[1;31m"
#define ANSI_MAGENTA "\033[1;35m"
#define ANSI_CYAN "\033[1;36m"
#define ANSI_RESET "\033[0m"

static const char *level_colour(Level l)
{
    switch (l) {
    case LEVEL_ERROR: return ANSI_RED;
    case LEVEL_WARNING: return ANSI_MAGENTA;
    default: return ANSI_CYAN;
    }
}

/* One diagnostic line; kind is "error", "warning" or "note". */
static void text_line(StrBuf *sb, const ReportContext *ctx, const FindingLoc *loc,
                      const char *kind, const char *colour, const char *message, const char *rule)
{
    char *rel = path_display(loc->file, ctx->cwd, true);
    bool c = ctx->use_color;
    if (c) sb_append(sb, ANSI_BOLD);
    sb_append(sb, rel);
    if (loc->line > 0) sb_printf(sb, ":%d", loc->line);
    if (loc->line > 0 && loc->col > 0) sb_printf(sb, ":%d", loc->col);
    sb_append(sb, ": ");
    if (c) sb_printf(sb, ANSI_RESET "%s", colour);
    sb_printf(sb, "%s:", kind);
    if (c) sb_append(sb, ANSI_RESET);
    sb_append_char(sb, ' ');
    bool bold_message = c && strcmp(kind, "note") != 0;
    if (bold_message) sb_append(sb, ANSI_BOLD);
    sb_append(sb, message ? message : "");
    if (rule) sb_printf(sb, " [%s]", rule);
    if (bold_message) sb_append(sb, ANSI_RESET);
    sb_append_char(sb, '\n');
    free(rel);
}

static bool same_place(const FindingLoc *a, const FindingLoc *b)
{
    if ((a->file == NULL) != (b->file == NULL)) return false;
    if (a->file && strcmp(a->file, b->file) != 0) return false;
    return a->line == b->line && a->col == b->col;
}

static bool same_note(const FindingLoc *a, const FindingLoc *b)
{
    if (!same_place(a, b)) return false;
    if (!a->message || !b->message) return a->message == b->message;
    return strcmp(a->message, b->message) == 0;
}

/* The notes of a finding, in order, without repeats. */
static void text_notes(StrBuf *sb, const ReportContext *ctx, const Finding *f)
{
    VEC(const FindingLoc *) seen = {0};
    int total = f->n_related + f->n_path;
    for (int i = 0; i < total; i++) {
        const FindingLoc *n = i < f->n_related ? &f->related[i] : &f->path[i - f->n_related];
        if (!n->message || same_place(n, &f->loc)) continue;
        bool repeat = false;
        for (int k = 0; k < seen.len && !repeat; k++) repeat = same_note(seen.items[k], n);
        if (repeat) continue;
        VEC_PUSH(seen, n);
        text_line(sb, ctx, n, "note", ANSI_CYAN, n->message, NULL);
    }
    VEC_FREE(seen);
}

static void plural(StrBuf *sb, int n, const char *word)
{
    sb_printf(sb, "%d %s%s", n, word, n == 1 ? "" : "s");
}

static void text_summary(StrBuf *sb, const int counts[4], int shown, int n_files)
{
    plural(sb, shown, "finding");
    sb_append(sb, " (");
    static const struct { Level level; const char *word; } parts[] = {
        {LEVEL_ERROR, "error"}, {LEVEL_WARNING, "warning"}, {LEVEL_NOTE, "note"}};
    bool first = true;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!counts[parts[i].level]) continue;
        if (!first) sb_append(sb, ", ");
        plural(sb, counts[parts[i].level], parts[i].word);
        first = false;
    }
    sb_append(sb, ") in ");
    plural(sb, n_files, "file");
    sb_append_char(sb, '\n');
}

char *text_render(const FindingList *list, const ReportContext *ctx)
{
    StrBuf sb;
    sb_init(&sb);
    int counts[4] = {0};
    int shown = 0;
    for (int i = 0; i < list->len; i++) {
        const Finding *f = &list->items[i];
        if (!report_is_shown(f)) continue;
        Level l = f->level == LEVEL_NONE ? LEVEL_NOTE : f->level;
        text_line(&sb, ctx, &f->loc, level_name(l), level_colour(l), f->message, f->rule);
        text_notes(&sb, ctx, f);
        counts[l]++;
        shown++;
    }
    if (shown) text_summary(&sb, counts, shown, ctx->n_files);
    return sb_take(&sb);
}
