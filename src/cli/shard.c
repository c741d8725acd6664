/* shard.c — the deterministic, size-balanced split of --shard (shard.h). */
#include "cli/shard.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"

bool shard_parse(const char *spec, int *k, int *n)
{
    if (!spec) return false;
    char *end = NULL;
    long kk = strtol(spec, &end, 10);
    if (end == spec || *end != '/') return false;
    const char *rest = end + 1;
    long nn = strtol(rest, &end, 10);
    if (end == rest || *end != '\0') return false;
    if (nn < 1 || nn > 10000 || kk < 1 || kk > nn) return false;
    *k = (int)kk;
    *n = (int)nn;
    return true;
}

long long *shard_file_sizes(char *const *files, int n_files)
{
    long long *sizes = xcalloc((size_t)n_files + 1, sizeof(long long));
    for (int i = 0; i < n_files; i++) {
        struct stat st;
        if (stat(files[i], &st) == 0) sizes[i] = (long long)st.st_size;
    }
    return sizes;
}

typedef struct {
    const char *path;
    long long size;
    int index;
} Item;

static int largest_first(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    int c = strcmp(x->path, y->path);
    if (c) return c;
    return (x->index > y->index) - (x->index < y->index);
}

void shard_select(char *const *files, const long long *sizes, int n_files, int k, int n, bool *in_shard)
{
    Item *items = xcalloc((size_t)n_files + 1, sizeof(Item));
    for (int i = 0; i < n_files; i++) items[i] = (Item){files[i], sizes[i], i};
    if (n_files > 1) qsort(items, (size_t)n_files, sizeof(Item), largest_first);
    long long *load = xcalloc((size_t)n, sizeof(long long));
    for (int i = 0; i < n_files; i++) {
        int best = 0;
        for (int s = 1; s < n; s++)
            if (load[s] < load[best]) best = s;
        /* an empty file still costs a parse: count it as one byte */
        load[best] += items[i].size > 0 ? items[i].size : 1;
        in_shard[items[i].index] = best == k - 1;
    }
    free(load);
    free(items);
}
