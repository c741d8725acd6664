/* filter_fingerprint.h — the parts of the fingerprint filter that tests and
 * a caller with a known --srcroot need beyond filter.h's fingerprint_assign. */
#ifndef CONNLINT_FILTER_FINGERPRINT_H
#define CONNLINT_FILTER_FINGERPRINT_H

#include <stddef.h>

#include "common/finding.h"

/* GitHub's primaryLocationLineHash of every line of a file's text, computed
 * as github/codeql-action does (fingerprints.ts): a rolling hash over the
 * next 100 characters (UTF-16 code units) from the start of the line,
 * spaces and tabs skipped, line ends normalised to '\n', then ":N" for the
 * N-th line with that hash value. Returns an array of *n_lines malloc'ed
 * strings, index 0 = line 1 (free with line_hashes_free). */
char **github_line_hashes(const char *text, size_t len, int *n_lines);
void line_hashes_free(char **hashes, int n_lines);

/* fingerprint_assign() with the folder that file paths in fingerprints are
 * relative to (fingerprint_assign uses the current directory, which is
 * --srcroot's default). Findings that already have a fingerprint or line
 * hash keep them. */
void fingerprint_assign_rooted(FindingList *list, const char *srcroot);

#endif
