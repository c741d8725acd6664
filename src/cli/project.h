/* project.h — the files of the project a run belongs to, whose functions'
 * summaries count even when only some files are checked (README "Across
 * functions and files"): the C files of the compilation database when
 * there is one, else every *.c below the configuration file's folder;
 * excludes apply to both. Without a configuration file and a database
 * there is no project (the given files are all there is). */
#ifndef CONNLINT_PROJECT_H
#define CONNLINT_PROJECT_H

#include <stdbool.h>

#include "cli/compile_db.h"
#include "cli/config.h"
#include "cli/discover.h"

/* false when there is no project; `out` is sorted, absolute, one each. */
bool project_files(const Config *cfg, const CompileDb *db, char **exclude, int n_exclude, FileList *out);

/* `given` ∪ `more`, sorted, one each, into `out` (copies); in_given[i]
 * says whether out->files[i] was in `given` (caller frees). */
void filelist_union(const FileList *given, const FileList *more, FileList *out, bool **in_given);

#endif
