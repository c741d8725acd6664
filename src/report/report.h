/* report.h — the report stage: findings to text, SARIF 2.1.0, GitHub
 * workflow commands, JSON, GitLab Code Quality (codeclimate) or Checkstyle
 * XML. Reports see only findings and run metadata. */
#ifndef CONNLINT_REPORT_H
#define CONNLINT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/finding.h"

typedef struct {
    const char *file;   /* absolute */
    int line, col;
    const char *message;
    bool is_error;
} ToolNotification;

typedef struct {
    const char *srcroot;        /* absolute: SARIF %SRCROOT% and reported paths */
    const char *cwd;            /* absolute: text/github/json paths are relative to it */
    const char *category;       /* SARIF runAutomationDetails id, or NULL */
    const char *output_path;    /* -o, for the github summary line ("full report in ...") */
    bool use_color;             /* text: ANSI colour */
    bool execution_successful;
    ToolNotification *notifications;
    int n_notifications;
    int n_files;                /* files analysed */
} ReportContext;

/* Renders the findings; returns a malloc'ed string. */
char *report_render(OutputFormat fmt, const FindingList *list, const ReportContext *ctx);

/* Writes data to `path` through a temporary file in the same folder and a
 * rename, so that a report is written whole or not at all. Returns false
 * with a message printed on failure. */
bool output_write_atomic(const char *path, const char *data, size_t len);

/* False (with "refusing to write over the input FILE") when output `path`
 * exists and is one of `inputs` (the same file, however named) or a C
 * source or header (*.c, *.h): a report never replaces what it reads. */
bool output_target_allowed(const char *path, const char *const *inputs, int n_inputs);

#endif
