/* checkstyle.c — the Checkstyle XML report (read by Jenkins Warnings NG,
 * reviewdog, Bitbucket and TeamCity plugins): one <file> per file with
 * findings that need attention (suppressed and baseline findings are left
 * out, as in text output), in finding order, one <error> per finding:
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <checkstyle version="4.3">
 *     <file name="src/a.c">
 *       <error line="57" column="9" severity="error"
 *              message="..." source="connlint.connection-leak"/>
 *     </file>
 *   </checkstyle>
 *
 * Paths are below --srcroot (absolute outside it); severity is connlint's
 * level ("note" becomes "info"); attribute values are XML-escaped, and
 * control characters XML 1.0 cannot carry become spaces. Reads only
 * findings. */
#include <stdlib.h>
#include <string.h>

#include "cli/glob.h"
#include "report/report_util.h"
#include "common/util.h"

static void append_xml_attr(StrBuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': sb_append(sb, "&amp;"); break;
        case '<': sb_append(sb, "&lt;"); break;
        case '>': sb_append(sb, "&gt;"); break;
        case '"': sb_append(sb, "&quot;"); break;
        case '\'': sb_append(sb, "&apos;"); break;
        case '\n': sb_append(sb, "&#10;"); break;
        case '\t': sb_append(sb, "&#9;"); break;
        case '\r': sb_append(sb, "&#13;"); break;
        default: sb_append_char(sb, *p < 0x20 ? ' ' : (char)*p); break;
        }
    }
}

static const char *checkstyle_severity(Level l)
{
    switch (l) {
    case LEVEL_ERROR: return "error";
    case LEVEL_WARNING: return "warning";
    default: return "info";
    }
}

static void append_error(StrBuf *sb, const Finding *f)
{
    sb_printf(sb, "    <error line=\"%d\"", f->loc.line > 0 ? f->loc.line : 1);
    if (f->loc.col > 0) sb_printf(sb, " column=\"%d\"", f->loc.col);
    sb_printf(sb, " severity=\"%s\" message=\"", checkstyle_severity(f->level));
    append_xml_attr(sb, f->message);
    sb_append(sb, "\" source=\"connlint.");
    append_xml_attr(sb, f->rule);
    sb_append(sb, "\"/>\n");
}

static char *display_name(const char *file, const ReportContext *ctx)
{
    char *below = path_below(file, ctx->srcroot);
    return below ? below : xstrdup(file);
}

char *checkstyle_render(const FindingList *list, const ReportContext *ctx)
{
    StrBuf sb;
    sb_init(&sb);
    sb_append(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    bool *done = xcalloc((size_t)list->len + 1, sizeof *done);
    /* findings come sorted by file; grouping by name keeps one <file> per
     * file even if they did not */
    for (int i = 0; i < list->len; i++) {
        const Finding *f = &list->items[i];
        if (done[i] || !report_is_shown(f) || !f->loc.file) continue;
        char *name = display_name(f->loc.file, ctx);
        sb_append(&sb, "  <file name=\"");
        append_xml_attr(&sb, name);
        sb_append(&sb, "\">\n");
        for (int k = i; k < list->len; k++) {
            const Finding *g = &list->items[k];
            if (done[k] || !report_is_shown(g) || !g->loc.file || strcmp(g->loc.file, f->loc.file) != 0)
                continue;
            append_error(&sb, g);
            done[k] = true;
        }
        sb_append(&sb, "  </file>\n");
        free(name);
    }
    free(done);
    sb_append(&sb, "</checkstyle>\n");
    return sb_take(&sb);
}
