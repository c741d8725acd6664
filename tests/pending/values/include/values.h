/* values.h — what every fixture of this folder includes: the C library
 * and POSIX declarations the posix-fixture pack names, and a sink that
 * only reads (borrows) what it is given. */
#ifndef VALUES_H
#define VALUES_H
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void print_line(const char *s);
void print_int(int v);
int rand_flag(void);
#endif
