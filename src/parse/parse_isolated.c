/* parse_isolated.c — files parsed in worker processes (parse_isolated.h).
 *
 * A ParseWorker forks its process when it first gets a file. The child
 * closes every descriptor but its end of a socket pair, silences its
 * stdout and stderr, caps its address space (RLIMIT_AS: the limit on top
 * of what it inherited), creates its own CXIndex (libclang is never used
 * across the fork), then answers requests — a path and its compiler
 * arguments — with parse_unit's unit (on its 1 GiB-stack thread) in
 * ir_codec's encoding plus the files the unit read, each message after an
 * 8-byte length. The parent reads an answer against the time limit and
 * kills the child (SIGKILL) at the deadline. A child that dies, exits or
 * answers with a malformed message gives a failed unit naming what
 * happened, and the next file gets a new process. That replacement is
 * started from a parse thread while other threads run, so it is not a
 * fork: a forked child inherits every lock another thread held at that
 * moment, and a sanitizer runtime's allocator lock held then hangs the
 * child at its first malloc (seen under ASan: one run in thirty hung). It
 * is connlint itself executed afresh (posix_spawn of /proc/self/exe with
 * PARSE_WORKER_ARG), which reads its limits from the channel first.
 * Nothing here knows about libclang: parse.c does. */
#define _GNU_SOURCE
#include "parse/parse_isolated.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cache/bytes.h"
#include "cache/ir_codec.h"
#include "common/strmap.h"
#include "common/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* A test hook (README "Hostile input"): the child parsing a file of this
 * base name dies of SIGSEGV, as a crash inside libclang would. */
#define CRASH_HOOK_ENV "CONNLINT_TEST_PARSE_CRASH"

#define HEADER_BYTES 8

bool parse_memory_limit_supported(void)
{
#ifdef UNDER_ASAN
    return false;
#else
    return true;
#endif
}

/* ---- the child ------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Another thread's channel, inherited by this child, would keep that
 * thread's worker from seeing its channel close when connlint ends it. */
static void close_other_fds(int keep)
{
#ifdef SYS_close_range
    bool done = (keep <= 3 || syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0) &&
                syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0;
    if (done) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep) close(fd);
}

/* The address space the child holds now (inherited from the parent), in
 * bytes; 0 when unknown. */
static unsigned long long address_space_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long pages = 0;
    if (fscanf(f, "%llu", &pages) != 1) pages = 0;
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return pages * (unsigned long long)(page > 0 ? page : 4096);
}

/* libclang and LLVM print to stderr when they fail ("LLVM ERROR: out of
 * memory", a crash's stack dump quoting the command line): unescaped text
 * that may name files of the tree. The parent reports what happened. A
 * sanitizer build keeps stderr for the sanitizer's reports. stdout goes
 * too: exit() on an allocation failure would flush a copy of whatever the
 * parent had buffered. */
static void quiet_std_streams(void)
{
    int null = open("/dev/null", O_RDWR);
    if (null < 0) return;
    dup2(null, STDOUT_FILENO);
#ifndef UNDER_ASAN
    dup2(null, STDERR_FILENO);
#endif
    if (null > STDERR_FILENO) close(null);
}

static void cap_memory(int mib, unsigned long long base)
{
    if (mib <= 0 || !parse_memory_limit_supported()) return;
    unsigned long long cap = base + (unsigned long long)mib * 1024 * 1024;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0) return;
    if (rl.rlim_max != RLIM_INFINITY && (unsigned long long)rl.rlim_max < cap) cap = rl.rlim_max;
    rl.rlim_cur = (rlim_t)cap;
    setrlimit(RLIMIT_AS, &rl);
}

static void crash_hook(const char *path)
{
    const char *name = getenv(CRASH_HOOK_ENV);
    if (!name || !*name) return;
    const char *slash = strrchr(path, '/');
    if (strcmp(slash ? slash + 1 : path, name) != 0) return;
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
}

/* A message on the channel: an 8-byte little-endian length, then that
 * many bytes. */
static void message_begin(ByteBuf *b)
{
    unsigned char header[HEADER_BYTES] = {0};
    b->len = 0;
    bytes_put_raw(b, header, sizeof header);
}

static void message_end(ByteBuf *b)
{
    uint64_t len = b->len - HEADER_BYTES;
    for (int i = 0; i < HEADER_BYTES; i++) b->data[i] = (unsigned char)(len >> (8 * i));
}

static uint64_t header_length(const unsigned char *h)
{
    uint64_t len = 0;
    for (int i = 0; i < HEADER_BYTES; i++) len |= (uint64_t)h[i] << (8 * i);
    return len;
}

typedef enum { READ_OK, READ_EOF, READ_TIMEOUT } ReadStatus;

/* Reads exactly n bytes; deadline: seconds of the monotonic clock, 0 for
 * none. A read error counts as the end of the channel. */
static ReadStatus read_exact(int fd, void *buf, size_t n, double deadline)
{
    unsigned char *p = buf;
    while (n > 0) {
        if (deadline > 0) {
            double left = deadline - now_seconds();
            if (left <= 0) return READ_TIMEOUT;
            struct pollfd pf = {fd, POLLIN, 0};
            int r = poll(&pf, 1, left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1);
            if (r < 0 && errno != EINTR) return READ_EOF;
            if (r <= 0) continue;
        }
        ssize_t got = read(fd, p, n);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) return READ_EOF;
        p += got;
        n -= (size_t)got;
    }
    return READ_OK;
}

/* A whole message into `out` (its payload only). */
static ReadStatus read_message(int fd, ByteBuf *out, double deadline)
{
    unsigned char header[HEADER_BYTES];
    ReadStatus st = read_exact(fd, header, sizeof header, deadline);
    if (st != READ_OK) return st;
    uint64_t len = header_length(header);
    if (len > ((uint64_t)1 << 40)) return READ_EOF;
    out->len = 0;
    if (len == 0) return READ_OK;
    unsigned char *chunk = xmalloc(65536);
    while (len > 0 && st == READ_OK) {
        size_t n = len > 65536 ? 65536 : (size_t)len;
        st = read_exact(fd, chunk, n, deadline);
        if (st == READ_OK) bytes_put_raw(out, chunk, n);
        len -= n;
    }
    free(chunk);
    return st;
}

/* The child: requests (a path and its arguments) in, units out, until the
 * parent closes the channel. A worker whose address space grew by more
 * than half its limit (libclang's caches, fragmentation) says it retires
 * and leaves after its answer, so that a later file gets the whole limit. */
static void child_main(const ParseLimits *lim, pid_t parent, int fd)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed parent takes its workers along */
#endif
    if (getppid() != parent) _exit(3);
    close_other_fds(fd);
    quiet_std_streams();
    signal(SIGPIPE, SIG_DFL);
    unsigned long long base = address_space_now();
    cap_memory(lim->memory_mib, base);
    ParseSession *s = parse_session_new(&lim->noreturn);
    parse_session_read_attributes(s, lim->attributes);
    ByteBuf in = {0}, out = {0};
    for (;;) {
        if (read_message(fd, &in, 0) != READ_OK) _exit(0);
        ByteReader r;
        reader_init(&r, in.data, in.len);
        char *path = reader_str(&r, NULL);
        int nargs = reader_count(&r);
        char **args = xcalloc((size_t)nargs + 1, sizeof(char *));
        for (int i = 0; i < nargs; i++) args[i] = reader_str(&r, NULL);
        if (r.failed || !path) _exit(5);
        crash_hook(path);
        IrUnit *u = parse_unit(s, path, (const char *const *)args, nargs);
        /* after a failure (libclang's crash recovery may have caught a
         * crash or an exhausted memory limit), a fresh process */
        bool retiring = u->parse_failed ||
                        (parse_memory_limit_supported() && lim->memory_mib > 0 && base > 0 &&
                         address_space_now() > base + (unsigned long long)lim->memory_mib * 1024 * 1024 / 2);
        message_begin(&out);
        bytes_put_bool(&out, retiring);
        ir_unit_encode(&out, u);
        bytes_put_u64(&out, (uint64_t)u->n_includes);
        for (int i = 0; i < u->n_includes; i++) bytes_put_str(&out, u->includes[i]);
        message_end(&out);
        if (!fd_write_all(fd, out.data, out.len)) _exit(4);
        ir_unit_free(u);
        for (int i = 0; i < nargs; i++) free(args[i]);
        free(args);
        free(path);
        /* no atexit handlers, no flush of the parent's stdio buffers */
        if (retiring) _exit(0);
    }
}

/* ---- the parent ----------------------------------------------------------- */

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGTRAP: return "SIGTRAP";
    case SIGXCPU: return "SIGXCPU";
    case SIGPIPE: return "SIGPIPE";
    default: return NULL;
    }
}

static IrUnit *failed_unit(const char *path, const char *message)
{
    char *real = realpath(path, NULL);
    IrUnit *u = ir_unit_new(real ? real : path);
    free(real);
    u->parse_failed = true;
    u->has_errors = true;
    u->diags = arena_alloc(u->arena, sizeof(IrDiag));
    u->diags[0].file = u->main_file;
    u->diags[0].message = arena_strdup(u->arena, message);
    u->diags[0].is_error = true;
    u->n_diags = 1;
    return u;
}

static char *death_message(int status, const ParseLimits *lim)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *name = signal_name(sig);
        bool memory = lim->memory_mib > 0 && parse_memory_limit_supported() &&
                      (sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGKILL);
        char *hint = memory ? xasprintf(" (a crash in libclang, or more than the %d MiB of memory a parse may use)",
                                        lim->memory_mib)
                            : xstrdup(" (a crash in libclang)");
        char *m = name ? xasprintf("parsing crashed: signal %d, %s%s; not analysed", sig, name, hint)
                       : xasprintf("parsing crashed: signal %d%s; not analysed", sig, hint);
        free(hint);
        return m;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return xasprintf("parsing ended without a result (exit status %d%s); not analysed", WEXITSTATUS(status),
                         lim->memory_mib > 0 && parse_memory_limit_supported() ? ", perhaps out of memory" : "");
    return xstrdup("parsing ended with an incomplete or malformed result; not analysed");
}

/* The unit of an answer, or NULL when it is malformed. */
static IrUnit *decode_answer(const ByteBuf *m, bool *retiring)
{
    ByteReader r;
    reader_init(&r, m->data, m->len);
    *retiring = reader_bool(&r);
    IrUnit *u = ir_unit_decode(&r);
    if (!u) return NULL;
    int n = reader_count(&r);
    u->includes = arena_alloc(u->arena, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n && !r.failed; i++) u->includes[i] = reader_str(&r, u->arena);
    u->n_includes = n;
    if (r.failed || !reader_at_end(&r)) {
        ir_unit_free(u);
        return NULL;
    }
    return u;
}

struct ParseWorker {
    ParseLimits limits;
    pid_t pid;    /* 0: no process */
    int fd;       /* the parent's end of the channel */
    bool started; /* a process was started before: the next one is a replacement */
};

ParseWorker *parse_worker_new(const ParseLimits *limits)
{
    ParseWorker *w = xcalloc(1, sizeof *w);
    w->limits = *limits;
    w->fd = -1;
    return w;
}

static bool worker_start(ParseWorker *w);

void parse_worker_start(ParseWorker *w)
{
    if (!w->pid) worker_start(w);
}

static bool send_all(int fd, const unsigned char *p, size_t n);

/* The limits, as the first message to an executed worker. */
static void put_names(ByteBuf *b, const StrMap *m)
{
    size_t n = 0;
    for (size_t i = 0; m && i < m->cap; i++)
        if (m->slots[i].key) n++;
    bytes_put_u64(b, (uint64_t)n);
    for (size_t i = 0; m && i < m->cap; i++)
        if (m->slots[i].key) bytes_put_str(b, m->slots[i].key);
}

static bool send_limits(int fd, const ParseLimits *lim)
{
    ByteBuf b = {0};
    message_begin(&b);
    bytes_put_i64(&b, lim->timeout_seconds);
    bytes_put_i64(&b, lim->memory_mib);
    bytes_put_bool(&b, lim->attributes);
    put_names(&b, lim->noreturn.always);
    put_names(&b, lim->noreturn.system_only);
    message_end(&b);
    bool ok = send_all(fd, b.data, b.len);
    bytes_free(&b);
    return ok;
}

/* The first start, before the parse threads exist: a fork (the process
 * shares the loaded libclang). A replacement: posix_spawn, which runs
 * nothing of this process in the child before exec. */
static pid_t start_process(ParseWorker *w, int sv[2])
{
    pid_t parent = getpid();
    if (!w->started) {
        pid_t pid = fork();
        if (pid == 0) {
            close(sv[0]);
            child_main(&w->limits, parent, sv[1]);
        }
        return pid;
    }
    char parent_arg[32];
    snprintf(parent_arg, sizeof parent_arg, "%ld", (long)parent);
    char *argv[] = {(char *)"connlint", (char *)PARSE_WORKER_ARG, parent_arg, NULL};
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) return -1;
    pid_t pid = -1;
    extern char **environ;
    if (posix_spawn_file_actions_adddup2(&fa, sv[1], PARSE_WORKER_FD) != 0 ||
        posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    if (pid > 0 && !send_limits(sv[0], &w->limits)) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        pid = -1;
    }
    return pid;
}

static bool worker_start(ParseWorker *w)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    pid_t pid = start_process(w, sv);
    close(sv[1]);
    if (pid <= 0) {
        close(sv[0]);
        return false;
    }
    w->pid = pid;
    w->fd = sv[0];
    w->started = true;
    return true;
}

/* An executed worker: its limits from the channel, then child_main. */
static char **read_names(ByteReader *r, StrMap *m)
{
    int n = reader_count(r);
    char **keys = xcalloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n && !r->failed; i++) {
        keys[i] = reader_str(r, NULL);
        if (keys[i]) *strmap_slot(m, keys[i]) = keys[i];
    }
    return keys;
}

int parse_worker_main_if_asked(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], PARSE_WORKER_ARG) != 0) return -1;
    pid_t parent = (pid_t)strtol(argv[2], NULL, 10);
    ByteBuf in = {0};
    if (read_message(PARSE_WORKER_FD, &in, 0) != READ_OK) _exit(0);
    ByteReader r;
    reader_init(&r, in.data, in.len);
    ParseLimits lim = {0};
    lim.timeout_seconds = (int)reader_i64(&r);
    lim.memory_mib = (int)reader_i64(&r);
    lim.attributes = reader_bool(&r);
    StrMap always = {0}, system_only = {0};
    read_names(&r, &always); /* kept for the process's life */
    read_names(&r, &system_only);
    if (r.failed || !reader_at_end(&r)) _exit(5);
    lim.noreturn.always = &always;
    lim.noreturn.system_only = &system_only;
    child_main(&lim, parent, PARSE_WORKER_FD);
    return 0;
}

/* Closes the channel (a live worker then leaves by itself), kills the
 * process when asked, and returns its wait status. */
static int worker_stop(ParseWorker *w, bool kill_it)
{
    int status = 0;
    if (!w->pid) return 0;
    if (kill_it) kill(w->pid, SIGKILL);
    close(w->fd);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {
    }
    w->pid = 0;
    w->fd = -1;
    return status;
}

void parse_worker_free(ParseWorker *w)
{
    if (!w) return;
    worker_stop(w, false);
    free(w);
}

static bool send_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL); /* a dead worker is EPIPE, not SIGPIPE */
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static IrUnit *parse_here(const ParseLimits *lim, const char *path, const char *const *args, int nargs)
{
    ParseSession *s = parse_session_new(&lim->noreturn);
    parse_session_read_attributes(s, lim->attributes);
    IrUnit *u = parse_unit(s, path, args, nargs);
    parse_session_free(s);
    return u;
}

IrUnit *parse_worker_parse(ParseWorker *w, const char *path, const char *const *args, int nargs)
{
    ByteBuf req = {0};
    message_begin(&req);
    bytes_put_str(&req, path);
    bytes_put_u64(&req, (uint64_t)nargs);
    for (int i = 0; i < nargs; i++) bytes_put_str(&req, args[i]);
    message_end(&req);
    /* a worker that died between two files (killed from outside) is
     * replaced once */
    bool sent = false;
    for (int attempt = 0; attempt < 2 && !sent; attempt++) {
        if (!w->pid && !worker_start(w)) break;
        sent = send_all(w->fd, req.data, req.len);
        if (!sent) worker_stop(w, true);
    }
    bytes_free(&req);
    if (!sent) return parse_here(&w->limits, path, args, nargs);
    ByteBuf answer = {0};
    double deadline = w->limits.timeout_seconds > 0 ? now_seconds() + w->limits.timeout_seconds : 0;
    ReadStatus st = read_message(w->fd, &answer, deadline);
    IrUnit *u = NULL;
    bool retiring = false;
    if (st == READ_OK) u = decode_answer(&answer, &retiring);
    bytes_free(&answer);
    if (u) {
        if (retiring) worker_stop(w, false);
        return u;
    }
    int status = worker_stop(w, true);
    char *m = st == READ_TIMEOUT ? xasprintf("parse timed out after %d s; not analysed", w->limits.timeout_seconds)
              : st == READ_OK    ? xstrdup("parsing ended with a malformed result; not analysed")
                                 : death_message(status, &w->limits);
    u = failed_unit(path, m);
    free(m);
    return u;
}

IrUnit *parse_unit_isolated(const ParseLimits *limits, const char *path, const char *const *args, int nargs)
{
    ParseWorker *w = parse_worker_new(limits);
    IrUnit *u = parse_worker_parse(w, path, args, nargs);
    parse_worker_free(w);
    return u;
}
