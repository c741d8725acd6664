/* parse_include_guard.c — before libclang sees a file: does it (or a header it
 * includes, followed textually) #include a device, FIFO or socket? libclang
 * reads `#include "/dev/zero"` without end and blocks on a FIFO, so such a
 * file is not parsed at all (a parse failure naming the include). The scan
 * is textual: `#include "x"` / `<x>` written literally, resolved against
 * the including file's folder and the -I / -isystem / -iquote folders of
 * the arguments; an include computed by a macro is not seen. At most
 * MAX_SCANNED files are read per translation unit. Does not use libclang. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse/parse_internal.h"

#define MAX_SCANNED 2000

typedef VEC(char *) Paths;

static bool is_special(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool seen(const Paths *p, const char *path)
{
    for (int i = 0; i < p->len; i++)
        if (strcmp(p->items[i], path) == 0) return true;
    return false;
}

/* The include folders of the arguments: -Idir, -I dir, -isystem, -iquote. */
static void include_dirs(const char *const *args, int nargs, Paths *out)
{
    static const char *const flags[] = {"-I", "-isystem", "-iquote", "-idirafter", NULL};
    for (int i = 0; i < nargs; i++) {
        for (int f = 0; flags[f]; f++) {
            size_t n = strlen(flags[f]);
            if (strncmp(args[i], flags[f], n) != 0) continue;
            if (args[i][n]) VEC_PUSH(*out, xstrdup(args[i] + n));
            else if (i + 1 < nargs) VEC_PUSH(*out, xstrdup(args[++i]));
            break;
        }
    }
}

/* Follows every literal include of `text`: a special file ends the scan
 * (*special), a regular one is queued once. */
static void for_each_include(const char *text, const char *dir, const Paths *dirs, Paths *queue,
                             Paths *visited, char **special)
{
    for (const char *p = text; p && *p && !*special; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *q = p;
        while (*q == ' ' || *q == '\t') q++;
        if (*q++ != '#') continue;
        while (*q == ' ' || *q == '\t') q++;
        if (strncmp(q, "include", 7) != 0 && strncmp(q, "import", 6) != 0) continue;
        q += q[2] == 'c' ? 7 : 6;
        while (*q == ' ' || *q == '\t') q++;
        char close = *q == '"' ? '"' : *q == '<' ? '>' : 0;
        if (!close) continue;
        const char *end = strchr(q + 1, close);
        const char *nl = strchr(q + 1, '\n');
        if (!end || (nl && nl < end) || end == q + 1) continue;
        char *name = xstrndup(q + 1, (size_t)(end - q - 1));
        for (int d = -1; d < dirs->len && !*special; d++) {
            const char *base = d < 0 ? dir : dirs->items[d];
            char *cand = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", base, name);
            if (is_special(cand)) {
                *special = xstrdup(name);
            } else if (is_regular(cand) && !seen(visited, cand) && visited->len < MAX_SCANNED) {
                VEC_PUSH(*visited, xstrdup(cand));
                VEC_PUSH(*queue, cand);
                cand = NULL;
                d = dirs->len; /* the first match is the one the compiler takes */
            }
            free(cand);
            if (name[0] == '/') break;
        }
        free(name);
    }
}

char *parse_find_special_include(const char *path, const char *const *args, int nargs)
{
    Paths dirs = {0}, queue = {0}, visited = {0};
    include_dirs(args, nargs, &dirs);
    VEC_PUSH(queue, xstrdup(path));
    VEC_PUSH(visited, xstrdup(path));
    char *special = NULL;
    while (queue.len && !special) {
        char *file = queue.items[--queue.len];
        size_t len = 0;
        char *text = read_file_all(file, &len);
        char *slash = strrchr(file, '/');
        char *dir = slash ? xstrndup(file, slash == file ? 1 : (size_t)(slash - file)) : xstrdup(".");
        if (text) for_each_include(text, dir, &dirs, &queue, &visited, &special);
        free(text);
        free(dir);
        free(file);
    }
    for (int i = 0; i < queue.len; i++) free(queue.items[i]);
    for (int i = 0; i < visited.len; i++) free(visited.items[i]);
    for (int i = 0; i < dirs.len; i++) free(dirs.items[i]);
    VEC_FREE(queue);
    VEC_FREE(visited);
    VEC_FREE(dirs);
    return special;
}
