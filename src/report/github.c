/* github.c — GitHub Actions workflow commands (SPEC §5), one per finding:
 *
 *   ::error file=src/a.c,line=57,col=9,endLine=57,endColumn=20,title=connection-leak::MESSAGE
 *
 * error → error, warning → warning, note → notice. The message carries the
 * related locations and path steps as extra lines ("file:line:col: note:
 * ..."). Data and property values are escaped as actions/toolkit does.
 * GitHub shows only 10 annotations of each kind per step: the first 10 of a
 * kind become annotations, the rest are printed as plain log lines, and one
 * last annotation (of a kind that still has room) says how many were not
 * annotated and where the full report is. Suppressed and baseline findings
 * are left out, as in text output. */
#include <stdlib.h>
#include <string.h>

#include "cli/glob.h"
#include "report/report_util.h"
#include "common/util.h"

#define GITHUB_ANNOTATIONS_PER_KIND 10

static const char *github_command(Level l)
{
    switch (l) {
    case LEVEL_ERROR: return "error";
    case LEVEL_WARNING: return "warning";
    default: return "notice";
    }
}

static int kind_slot(Level l)
{
    return l == LEVEL_ERROR ? 0 : l == LEVEL_WARNING ? 1 : 2;
}

static void append_loc_text(StrBuf *sb, const ReportContext *ctx, const FindingLoc *loc)
{
    char *rel = path_display(loc->file, ctx->cwd, true);
    sb_append(sb, rel);
    if (loc->line > 0) sb_printf(sb, ":%d", loc->line);
    if (loc->line > 0 && loc->col > 0) sb_printf(sb, ":%d", loc->col);
    free(rel);
}

/* A step at the primary location ("returning here") adds nothing. */
static bool at_primary(const FindingLoc *n, const Finding *f)
{
    if (!n->file || !f->loc.file || strcmp(n->file, f->loc.file) != 0) return false;
    return n->line == f->loc.line && n->col == f->loc.col;
}

/* The message with one "file:line:col: note: ..." line per related
 * location and path step (repeats and the primary location left out),
 * unescaped. */
static char *full_message(const Finding *f, const ReportContext *ctx)
{
    StrBuf sb;
    sb_init(&sb);
    sb_append(&sb, f->message ? f->message : "");
    StrBuf seen;
    sb_init(&seen);
    for (int i = 0; i < f->n_related + f->n_path; i++) {
        const FindingLoc *n = i < f->n_related ? &f->related[i] : &f->path[i - f->n_related];
        if (!n->message || at_primary(n, f)) continue;
        StrBuf line;
        sb_init(&line);
        append_loc_text(&line, ctx, n);
        sb_printf(&line, ": note: %s\n", n->message);
        if (!strstr(seen.data, line.data)) {
            sb_append_char(&sb, '\n');
            sb_append_n(&sb, line.data, line.len - 1);
            sb_append(&seen, line.data);
        }
        sb_free(&line);
    }
    sb_free(&seen);
    return sb_take(&sb);
}

static void annotation(StrBuf *sb, const Finding *f, const ReportContext *ctx)
{
    char *rel = path_display(f->loc.file, ctx->cwd, true);
    char *file = github_escape_property(rel);
    char *title = github_escape_property(f->rule ? f->rule : "connlint");
    char *msg = full_message(f, ctx);
    char *data = github_escape_data(msg);
    sb_printf(sb, "::%s file=%s", github_command(f->level), file);
    if (f->loc.line > 0) {
        sb_printf(sb, ",line=%d", f->loc.line);
        if (f->loc.col > 0) sb_printf(sb, ",col=%d", f->loc.col);
        if (f->loc.end_line >= f->loc.line) sb_printf(sb, ",endLine=%d", f->loc.end_line);
        if (f->loc.end_line == f->loc.line && f->loc.end_col >= f->loc.col && f->loc.col > 0)
            sb_printf(sb, ",endColumn=%d", f->loc.end_col);
    }
    sb_printf(sb, ",title=%s::%s\n", title, data);
    free(rel);
    free(file);
    free(title);
    free(msg);
    free(data);
}

/* A finding beyond the annotation limit: a plain log line, which GitHub
 * shows in the step's log but does not turn into an annotation. Text that
 * looks like a workflow command is defused by the leading location. */
static void log_line(StrBuf *sb, const Finding *f, const ReportContext *ctx)
{
    append_loc_text(sb, ctx, &f->loc);
    char *msg = full_message(f, ctx);
    char *data = github_escape_data(msg);
    sb_printf(sb, ": %s: %s [%s]\n", level_name(f->level), data, f->rule ? f->rule : "connlint");
    free(msg);
    free(data);
}

static void summary(StrBuf *sb, int hidden, const int used[3], const ReportContext *ctx)
{
    static const char *kinds[3] = {"error", "warning", "notice"};
    int slot = 2;
    while (slot > 0 && used[slot] >= GITHUB_ANNOTATIONS_PER_KIND) slot--;
    char *where = ctx->output_path
                      ? xasprintf("see the full report in %s", ctx->output_path)
                      : xstrdup("they are listed in this step's log; run connlint --format sarif -o connlint.sarif for the full report");
    char *text = xasprintf("%d more connlint finding%s not shown as annotations (GitHub shows %d of each kind per step); %s",
                           hidden, hidden == 1 ? " is" : "s are", GITHUB_ANNOTATIONS_PER_KIND, where);
    char *data = github_escape_data(text);
    if (used[slot] < GITHUB_ANNOTATIONS_PER_KIND)
        sb_printf(sb, "::%s title=connlint::%s\n", kinds[slot], data);
    else
        sb_printf(sb, "connlint: %s\n", data);
    free(where);
    free(text);
    free(data);
}

char *github_render(const FindingList *list, const ReportContext *ctx)
{
    StrBuf sb;
    sb_init(&sb);
    int used[3] = {0};
    int hidden = 0;
    for (int i = 0; i < list->len; i++) {
        const Finding *f = &list->items[i];
        if (!report_is_shown(f)) continue;
        int slot = kind_slot(f->level);
        if (used[slot] < GITHUB_ANNOTATIONS_PER_KIND) {
            annotation(&sb, f, ctx);
            used[slot]++;
        } else {
            log_line(&sb, f, ctx);
            hidden++;
        }
    }
    if (hidden) summary(&sb, hidden, used, ctx);
    return sb_take(&sb);
}
