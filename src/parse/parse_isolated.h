/* parse_isolated.h — files parsed (parse.h) in a worker process, so that a
 * file cannot end the run: a crash inside libclang, a stack overflow,
 * running out of memory or a parse that never ends (a FIFO or device
 * reached through an #include computed by a macro) costs that file only,
 * and is reported as its parse failure. The worker builds the IR and sends
 * it back encoded as the cache encodes it (cache/ir_codec.h). A worker
 * parses file after file (one CXIndex, no fork per file); one that dies or
 * is killed at the time limit is replaced for the next file. One
 * ParseWorker per thread: each parse thread has its own process. */
#ifndef CONNLINT_PARSE_ISOLATED_H
#define CONNLINT_PARSE_ISOLATED_H

#include "ir/ir.h"
#include "parse/parse.h"

#define PARSE_DEFAULT_TIMEOUT_SECONDS 300
#define PARSE_DEFAULT_MEMORY_MIB 4096

typedef struct {
    NoreturnNames noreturn;  /* as parse_session_new takes them */
    int timeout_seconds;     /* wall-clock limit per file; 0: none */
    int memory_mib;          /* address-space limit of the child (RLIMIT_AS); 0: none */
    bool attributes;         /* record allocator attributes (parse_session_read_attributes) */
} ParseLimits;

typedef struct ParseWorker ParseWorker;

/* `limits` is copied (the noreturn maps stay borrowed). The process starts
 * with the first file. */
ParseWorker *parse_worker_new(const ParseLimits *limits);
/* Starts the process now, by fork: call it before the parse threads
 * exist (a fork while other threads run inherits their locks; a sanitizer
 * runtime's allocator lock then hangs the child). A replacement, started
 * later from a parse thread after a failure, is executed afresh instead. */
void parse_worker_start(ParseWorker *w);

/* The hidden command line of an executed worker: connlint PARSE_WORKER_ARG
 * <parent pid>, its channel on PARSE_WORKER_FD. */
#define PARSE_WORKER_ARG "--internal-parse-worker"
#define PARSE_WORKER_FD 3
/* main() calls it first: -1 when argv is not a worker's; a worker's
 * process ends inside. */
int parse_worker_main_if_asked(int argc, char **argv);
/* Ends the process (it exits when its channel closes) and waits for it. */
void parse_worker_free(ParseWorker *w);

/* Never returns NULL: a worker that dies, exceeds the time limit or sends
 * no valid IR gives a unit with parse_failed and an error diagnostic
 * saying what happened. When no process can be started (fork fails), the
 * file is parsed in this process. */
IrUnit *parse_worker_parse(ParseWorker *w, const char *path, const char *const *args, int nargs);

/* One file in a worker of its own (--dump-cfg). */
IrUnit *parse_unit_isolated(const ParseLimits *limits, const char *path, const char *const *args, int nargs);

/* Whether the memory limit can be applied in this build: not under
 * AddressSanitizer, whose shadow memory takes terabytes of address space. */
bool parse_memory_limit_supported(void);

#endif
