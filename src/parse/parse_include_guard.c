/* parse_include_guard.c — before libclang sees a file: does it (or a header it
 * includes, followed textually) #include a device, FIFO or socket? libclang
 * reads `#include "/dev/zero"` without end and blocks on a FIFO, so such a
 * file is not parsed at all (a parse failure naming the include). The scan
 * is textual: `#include "x"` / `<x>` written literally, resolved against
 * the including file's folder and the -I / -isystem / -iquote folders of
 * the arguments; an include computed by a macro is not seen. At most
 * MAX_SCANNED files are read per translation unit. Does not use libclang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strmap.h"
#include "parse/parse_internal.h"

#define MAX_SCANNED 2000

typedef VEC(char *) Paths;

/* What a candidate path is, stat()ed once per translation unit (every
 * header of a tree includes the same ones, each looked for in every
 * include folder), and whether it was queued already. */
enum { K_ABSENT = 1, K_REGULAR, K_SPECIAL, K_QUEUED };

static int probe(StrMap *kinds, const char *path)
{
    void *known = strmap_get(kinds, path);
    if (known) return (int)(intptr_t)known;
    struct stat st;
    int k = stat(path, &st) != 0 || S_ISDIR(st.st_mode) ? K_ABSENT : S_ISREG(st.st_mode) ? K_REGULAR : K_SPECIAL;
    *strmap_slot(kinds, xstrdup(path)) = (void *)(intptr_t)k;
    return k;
}

static void mark_queued(StrMap *kinds, const char *path)
{
    void **slot = strmap_slot(kinds, path); /* present: probe() inserted it */
    *slot = (void *)(intptr_t)K_QUEUED;
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
                             StrMap *kinds, int *n_visited, char **special)
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
            int k = probe(kinds, cand);
            if (k == K_SPECIAL) {
                *special = xstrdup(name);
            } else if (k == K_QUEUED) {
                d = dirs->len; /* found here before: followed already */
            } else if (k == K_REGULAR && *n_visited < MAX_SCANNED) {
                mark_queued(kinds, cand);
                (*n_visited)++;
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
    Paths dirs = {0}, queue = {0};
    StrMap kinds = {0};
    int n_visited = 1;
    include_dirs(args, nargs, &dirs);
    VEC_PUSH(queue, xstrdup(path));
    probe(&kinds, path);
    mark_queued(&kinds, path);
    char *special = NULL;
    while (queue.len && !special) {
        char *file = queue.items[--queue.len];
        size_t len = 0;
        char *text = read_file_all(file, &len);
        char *slash = strrchr(file, '/');
        char *dir = slash ? xstrndup(file, slash == file ? 1 : (size_t)(slash - file)) : xstrdup(".");
        if (text) for_each_include(text, dir, &dirs, &queue, &kinds, &n_visited, &special);
        free(text);
        free(dir);
        free(file);
    }
    for (int i = 0; i < queue.len; i++) free(queue.items[i]);
    for (size_t i = 0; i < kinds.cap; i++) free((char *)kinds.slots[i].key);
    for (int i = 0; i < dirs.len; i++) free(dirs.items[i]);
    VEC_FREE(queue);
    strmap_free(&kinds);
    VEC_FREE(dirs);
    return special;
}
