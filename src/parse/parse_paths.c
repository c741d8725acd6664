/* parse_paths.c — realpath() of the file names libclang reports, memoised:
 * a parse worker parses many files that read the same headers, and each
 * realpath() costs a readlink() per path component. Does not use
 * libclang. */
#include <stdlib.h>

#include "parse/parse_internal.h"

/* the value stored for a name whose realpath() failed */
static char failed[] = "";

const char *real_paths_get(RealPaths *rp, const char *name)
{
    void *known = strmap_get(&rp->map, name);
    if (known) return known == failed ? NULL : known;
    char *real = realpath(name, NULL);
    *strmap_slot(&rp->map, xstrdup(name)) = real ? real : failed;
    return real;
}

void real_paths_free(RealPaths *rp)
{
    for (size_t i = 0; i < rp->map.cap; i++) {
        if (!rp->map.slots[i].key) continue;
        free((char *)rp->map.slots[i].key);
        if (rp->map.slots[i].value != failed) free(rp->map.slots[i].value);
    }
    strmap_free(&rp->map);
}
