/* finding.h — what checks produce and reports consume. A finding carries
 * everything an output needs (locations, message, path, related locations,
 * fingerprint, suppression and baseline state) so that reports never look
 * at code or at the IR. */
#ifndef CONNLINT_FINDING_H
#define CONNLINT_FINDING_H

#include <stdbool.h>

typedef enum { LEVEL_NONE = 0, LEVEL_NOTE, LEVEL_WARNING, LEVEL_ERROR } Level;

const char *level_name(Level l);            /* "none", "note", "warning", "error" */
bool level_parse(const char *s, Level *out); /* false for an unknown name */

typedef struct {
    char *file;     /* absolute path */
    int line, col, end_line, end_col;
    char *message;  /* "'conn' acquired here", "taking the branch where 'rc != 0'" */
    int col16, end_col16; /* the columns in UTF-16 code units (SARIF's columnKind),
                             set by utf16_columns_assign(); 0 = not known */
} FindingLoc;

typedef enum { BASELINE_NONE = 0, BASELINE_NEW, BASELINE_UNCHANGED, BASELINE_ABSENT } BaselineState;

/* SARIF's baselineState names: "new", "unchanged", "absent"; NULL for none. */
const char *baseline_state_name(BaselineState b);

typedef struct {
    const char *rule;        /* rule id (static string) */
    Level level;
    FindingLoc loc;          /* primary location */
    char *message;           /* plain text */
    char *message_markdown;  /* SARIF message with [text](N) links to related[N-1];
                                NULL = same as message */
    char *function;          /* enclosing function, or NULL */
    FindingLoc *related;     /* connection-leak: the acquire first */
    int n_related;
    FindingLoc *path;        /* steps: acquire, branch decisions, exit */
    int n_path;
    char *identity;          /* rule-specific stable key: function, handle, callee
                                (no line numbers); the fingerprint is built from it */
    char *fingerprint;       /* set by fingerprint_assign(): our own stable id */
    char *line_hash;         /* GitHub's primaryLocationLineHash ("hex:N") */
    bool suppressed;         /* suppressed in source */
    char *suppression_text;  /* the comment that suppressed it */
    BaselineState baseline;
} Finding;

typedef struct {
    Finding *items;
    int len, cap;
} FindingList;

/* Appends a copy of *f (takes ownership of its heap strings/arrays). */
void findings_add(FindingList *list, Finding *f);
/* Sorts by file, line, column, rule, message: the order every output uses. */
void findings_sort(FindingList *list);
void finding_free(Finding *f);
void findings_free(FindingList *list);

FindingLoc findingloc_make(const char *file, int line, int col, int end_line, int end_col,
                           const char *message);

#endif
