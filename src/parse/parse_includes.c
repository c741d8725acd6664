/* parse_includes.c — the files a translation unit read besides its main
 * file (libclang's inclusion list: project and system headers), recorded
 * in the unit as absolute paths, sorted and unique, so that the cache can
 * tell when a unit must be parsed again. It reads nothing into the IR. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"
#include "common/util.h"

typedef struct {
    VEC(char *) paths;
    RealPaths *real;
} Inclusions;

static void visit_inclusion(CXFile included, CXSourceLocation *stack, unsigned depth, CXClientData data)
{
    (void)stack;
    if (depth == 0) return; /* the main file itself */
    Inclusions *in = data;
    CXString name = clang_getFileName(included);
    const char *n = clang_getCString(name);
    if (n && *n) {
        const char *real = real_paths_get(in->real, n);
        VEC_PUSH(in->paths, xstrdup(real ? real : n));
    }
    clang_disposeString(name);
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void unit_record_includes(IrUnit *u, CXTranslationUnit tu, RealPaths *paths)
{
    Inclusions in;
    memset(&in, 0, sizeof in);
    in.real = paths;
    clang_getInclusions(tu, visit_inclusion, &in);
    if (in.paths.len > 1) qsort(in.paths.items, (size_t)in.paths.len, sizeof(char *), path_cmp);
    u->includes = arena_alloc(u->arena, sizeof(char *) * (size_t)(in.paths.len + 1));
    int n = 0;
    for (int i = 0; i < in.paths.len; i++) {
        if (n == 0 || strcmp(u->includes[n - 1], in.paths.items[i]) != 0)
            u->includes[n++] = arena_strdup(u->arena, in.paths.items[i]);
        free(in.paths.items[i]);
    }
    u->n_includes = n;
    VEC_FREE(in.paths);
}
