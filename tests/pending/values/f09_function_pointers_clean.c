/* f09_function_pointers_clean.c — form 9, clean: every possible target
 * of the pointer releases. */
#include "values.h"
// expect-none

static void close_quiet(int fd) { close(fd); }
static void close_verbose(int fd) { print_line("closing"); close(fd); }
static void free_it(char *p) { free(p); }

static void (*file_free)(char *) = free_it;

void local_pointer_two_targets(int verbose)
{
    void (*fp)(int) = verbose ? close_verbose : close_quiet;
    int fd = open("/tmp/x", O_RDONLY);
    if (fd < 0) return;
    fp(fd);
}

void local_pointer_assigned(void)
{
    void (*fp)(char *);
    fp = free_it;
    char *data = malloc(100);
    if (data == NULL) exit(1);
    fp(data);
}

void file_scope_pointer(void)
{
    char *data = malloc(100);
    if (data == NULL) exit(1);
    file_free(data);
}
