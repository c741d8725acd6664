/* discover.h — from PATH arguments to the list of C files to analyse:
 * files as given, directories searched recursively for *.c, excludes
 * applied, symlink loops and unreadable entries reported and skipped,
 * deterministic (sorted) order. Paths come out absolute and normalised. */
#ifndef CONNLINT_DISCOVER_H
#define CONNLINT_DISCOVER_H

#include <stdbool.h>

typedef struct {
    char **files;
    int n_files;
    int n_errors;   /* missing paths, unreadable entries (already reported) */
} FileList;

/* exclude: absolute glob patterns. Returns false only on a hard error. */
bool discover_files(char **paths, int n_paths, char **exclude, int n_exclude, FileList *out);
void filelist_free(FileList *l);

#endif
