#include "values.h"
void countdown_then_release(void)
{
    int n = 3;
    FILE *f = NULL;
    for (int i = 0; i != 1; i += 1) {
        f = fopen("/tmp/x", "r");
        if (f == NULL) return;
    }
    while (n > 0) {
        n--;
    }
    if (n == 0) {
        fclose(f);
    }
}
