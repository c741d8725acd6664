/* sinks.h — form 8's sinks (f08_sinks_other.c) and the records they take. */
#ifndef SINKS_H
#define SINKS_H
typedef struct { char *p; int n; } holder;
typedef struct { int fd; } fd_holder;
void sink_by_address(char **pdata);
void sink_void(void *p);
void sink_struct(holder h);
void sink_fd_struct(fd_holder h);
void sink_struct_reads_only(holder h);
#endif
