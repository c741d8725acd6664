/* unit.h — a minimal unit-test harness: CHECK(cond) records a failure with
 * file and line and goes on; UNIT_MAIN prints "N passed, N failed" and exits
 * non-zero on any failure. */
#ifndef CONNLINT_UNIT_H
#define CONNLINT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            unit_passed++;                                                   \
        } else {                                                             \
            unit_failed++;                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                  \
        if (a_ && b_ && strcmp(a_, b_) == 0) {                                            \
            unit_passed++;                                                                \
        } else {                                                                          \
            unit_failed++;                                                                \
            fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__,  \
                    b_ ? b_ : "(null)", a_ ? a_ : "(null)");                              \
        }                                                                                 \
    } while (0)

#define UNIT_MAIN_END()                                                  \
    do {                                                                 \
        printf("%d passed, %d failed\n", unit_passed, unit_failed);      \
        return unit_failed ? 1 : 0;                                      \
    } while (0)

#endif
