/* capture_stderr.h — for unit tests that assert on tool diagnostics:
 * capture_begin() sends stderr to a temporary file, capture_end() restores
 * it and returns what was written (malloc'ed; the caller frees). */
#ifndef CONNLINT_CAPTURE_STDERR_H
#define CONNLINT_CAPTURE_STDERR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

static int capture_saved_fd = -1;
static FILE *capture_file;

static inline void capture_begin(void)
{
    fflush(stderr);
    capture_file = tmpfile();
    capture_saved_fd = dup(STDERR_FILENO);
    dup2(fileno(capture_file), STDERR_FILENO);
}

static inline char *capture_end(void)
{
    fflush(stderr);
    dup2(capture_saved_fd, STDERR_FILENO);
    close(capture_saved_fd);
    StrBuf sb;
    sb_init(&sb);
    rewind(capture_file);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, capture_file)) > 0) sb_append_n(&sb, buf, n);
    fclose(capture_file);
    return sb_take(&sb);
}

/* true when `text` contains `needle`; prints the text otherwise. */
static inline int capture_has(const char *text, const char *needle)
{
    if (strstr(text, needle)) return 1;
    fprintf(stderr, "expected diagnostic containing \"%s\" in:\n%s\n", needle, text);
    return 0;
}

#endif
