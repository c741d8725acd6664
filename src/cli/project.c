/* project.c — which files make up the project (see project.h). Reads the
 * file system and the compilation database; parses nothing. */
#include "cli/project.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/glob.h"
#include "common/util.h"

static bool excluded(const char *file, char **exclude, int n_exclude)
{
    for (int i = 0; i < n_exclude; i++)
        if (glob_match(exclude[i], file)) return true;
    return false;
}

static bool is_c_file(const char *file)
{
    size_t n = strlen(file);
    return n > 2 && strcmp(file + n - 2, ".c") == 0;
}

bool project_files(const Config *cfg, const CompileDb *db, char **exclude, int n_exclude, FileList *out)
{
    memset(out, 0, sizeof *out);
    if (db) {
        int n = 0;
        char *const *files = compile_db_files(db, &n);
        VEC(char *) v = {0};
        for (int i = 0; i < n; i++)
            if (is_c_file(files[i]) && !excluded(files[i], exclude, n_exclude) && access(files[i], R_OK) == 0)
                VEC_PUSH(v, xstrdup(files[i]));
        out->files = v.items;
        out->n_files = v.len;
        return true;
    }
    if (!cfg->path) return false;
    char *root[] = {cfg->dir};
    discover_files(root, 1, exclude, n_exclude, out);
    out->n_errors = 0; /* reported; they do not fail a run that does not check them */
    return true;
}

void filelist_union(const FileList *given, const FileList *more, FileList *out, bool **in_given)
{
    VEC(char *) v = {0};
    VEC(bool) g = {0};
    int i = 0, j = 0;
    while (i < given->n_files || j < more->n_files) {
        int c = i >= given->n_files ? 1 : j >= more->n_files ? -1 : strcmp(given->files[i], more->files[j]);
        if (c <= 0) {
            VEC_PUSH(v, xstrdup(given->files[i]));
            VEC_PUSH(g, true);
            i++;
            if (c == 0) j++;
        } else {
            VEC_PUSH(v, xstrdup(more->files[j]));
            VEC_PUSH(g, false);
            j++;
        }
    }
    memset(out, 0, sizeof *out);
    out->files = v.items;
    out->n_files = v.len;
    out->n_errors = given->n_errors;
    *in_given = g.items ? g.items : xcalloc(1, sizeof(bool));
}
