/* filter.h — the filter stage: fingerprints, in-source suppressions, the
 * baseline and configured levels. Reads the analysed files' text (for
 * suppression comments and GitHub's line hash), never the IR. */
#ifndef CONNLINT_FILTER_H
#define CONNLINT_FILTER_H

#include <stdbool.h>

#include "cli/config.h"
#include "common/finding.h"

/* Sets fingerprint (from identity + an ordinal among equal identities) and
 * line_hash (GitHub's primaryLocationLineHash) of every finding. */
void fingerprint_assign(FindingList *list);

/* In-source suppression comments (SPEC §6): the comments of the files read
 * in one run, kept in an object the caller creates, fills with
 * suppressions_scan_files, applies, then frees. */
typedef struct Suppressions Suppressions;

Suppressions *suppressions_new(void);
void suppressions_free(Suppressions *s);

/* Reads the suppression comments of the analysed files (absolute paths;
 * copied) now: suppressions_apply then also knows comments in files
 * without findings (unknown rule names are warned about, unused
 * suppressions reported). Files with findings are read anyway. */
void suppressions_scan_files(Suppressions *s, char **files, int n);

/* Marks findings suppressed by comments in their files. Unused
 * suppressions are appended to `unused` as note-level findings of rule
 * "unused-suppression" when report_unused is set. Call once per object. */
void suppressions_apply(Suppressions *s, FindingList *list, bool report_unused, FindingList *unused);

/* Sets col16/end_col16 of every location (primary, related, path steps) by
 * reading the lines of its file: SARIF counts columns in UTF-16 code units,
 * clang (and text/json output) in bytes. */
void utf16_columns_assign(FindingList *list);

/* Applies config levels (rule -> level; "none" drops the rule). */
void levels_apply(FindingList *list, const Config *cfg);

/* Marks results new/unchanged against a SARIF baseline and appends absent
 * ones. Returns false (message printed) when the file cannot be read. */
bool baseline_apply(FindingList *list, const char *baseline_path);

#endif
