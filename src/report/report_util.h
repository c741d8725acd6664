/* report_util.h — what the output formats share: the per-format renderers
 * that report_render() dispatches to, path and URI spelling, GitHub
 * workflow-command escaping, and which findings a human-facing format shows.
 * Nothing here reads source files or the IR: only findings and the
 * ReportContext. */
#ifndef CONNLINT_REPORT_UTIL_H
#define CONNLINT_REPORT_UTIL_H

#include <stdbool.h>

#include "common/finding.h"
#include "report/report.h"

char *text_render(const FindingList *list, const ReportContext *ctx);
char *sarif_render(const FindingList *list, const ReportContext *ctx);
char *github_render(const FindingList *list, const ReportContext *ctx);
char *json_render(const FindingList *list, const ReportContext *ctx);

/* Text and github show only findings that need attention: not suppressed in
 * source and not already in the baseline (unchanged or absent). */
bool report_is_shown(const Finding *f);

/* Paths are spelt by path_display and path_below (cli/glob.h). */

/* RFC 3986 percent-encoding of a path: unreserved characters and '/' stay,
 * every other byte becomes %XX. Malloc'ed. */
char *uri_encode_path(const char *path);

/* GitHub Actions workflow-command escaping, as actions/toolkit does it:
 * data: '%' '\r' '\n'; property values: those and ':' ','. Malloc'ed. */
char *github_escape_data(const char *s);
char *github_escape_property(const char *s);

#endif
