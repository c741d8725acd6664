/* glob.h — path globs as SPEC §3 defines them: `*` matches within one path
 * segment, `**` across segments (including none), `?` one character other
 * than '/'. Patterns and paths are compared as given (make both absolute
 * and normalised first). */
#ifndef CONNLINT_GLOB_H
#define CONNLINT_GLOB_H

#include <stdbool.h>

bool glob_match(const char *pattern, const char *path);

/* Normalises an absolute or relative path lexically: makes it absolute
 * against `base` (or the cwd when base is NULL), folds "//", "/./" and
 * "x/../". Returns a malloc'ed string. Does not touch the file system. */
char *path_normalize(const char *path, const char *base);

/* `path` relative to folder `dir` when it lies inside it (no "../"
 * climbing more than needed: "../x" is allowed), as a malloc'ed string. */
char *path_relative(const char *path, const char *dir);

/* The part of `file` below folder `root` ("src/a.c"), or NULL when the file
 * is not inside root. Malloc'ed. */
char *path_below(const char *file, const char *root);

/* A path as the user reads it, the one spelling every message and report
 * uses: the part below folder `dir` when `file` lies inside it; outside it,
 * `file` climbed to with "../" when `climb` (the reports), else `file`
 * itself (messages on stderr). A copy of `file` when it is relative or dir
 * is NULL; "<unknown>" when file is NULL. Malloc'ed. */
char *path_display(const char *file, const char *dir, bool climb);

#endif
