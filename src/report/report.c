/* report.c — the report stage's entry points: report_render() picks the
 * format's renderer; output_write_atomic() writes a report whole or not at
 * all (temporary file in the target's folder, fsync, rename, removed again
 * when SIGINT, SIGTERM or SIGHUP arrives meanwhile; devices and pipes such
 * as /dev/stdout are written directly); SARIF and JSON come out as valid
 * UTF-8 whatever the inputs held. The formats
 * themselves live in text.c, sarif.c, github.c, json.c, codeclimate.c and
 * checkstyle.c. */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_util.h"
#include "common/util.h"

/* File names, literals and comments may hold bytes that are not UTF-8;
 * strict SARIF and JSON readers reject the whole document for one of them.
 * The structure is ASCII, so replacing such bytes afterwards (U+FFFD) only
 * touches string contents; URIs are percent-encoded before that. */
static char *valid_utf8(char *json)
{
    char *clean = utf8_sanitize(json);
    free(json);
    return clean;
}

char *report_render(OutputFormat fmt, const FindingList *list, const ReportContext *ctx)
{
    switch (fmt) {
    case FORMAT_SARIF: return valid_utf8(sarif_render(list, ctx));
    case FORMAT_GITHUB: return github_render(list, ctx);
    case FORMAT_JSON: return valid_utf8(json_render(list, ctx));
    case FORMAT_CODECLIMATE: return valid_utf8(codeclimate_render(list, ctx));
    case FORMAT_CHECKSTYLE: return valid_utf8(checkstyle_render(list, ctx));
    case FORMAT_TEXT: break;
    }
    return text_render(list, ctx);
}

/* A symbolic link is followed, so that `-o link` replaces the file it points
 * to rather than the link itself. */
static char *resolve_target(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (real) return real;
    }
    return xstrdup(path);
}

/* The mode the report gets: an existing file keeps its own, a new one gets
 * 0666 minus the umask, as fopen() would give it. */
static mode_t target_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

static void sync_folder(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

/* A terminal, pipe or device (`-o /dev/stdout`) cannot be replaced by a
 * rename and has nothing to protect: it is written directly. */
static bool is_special_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static bool write_special(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    bool ok = fd >= 0 && fd_write_all(fd, data, len);
    int err = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) tool_error(NULL, 0, 0, "cannot write %s: %s", path, strerror(err));
    return ok;
}

static bool same_file(const struct stat *a, const char *path)
{
    struct stat b;
    return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

static bool is_c_file(const char *path)
{
    size_t n = strlen(path);
    return n > 2 && path[n - 2] == '.' && (path[n - 1] == 'c' || path[n - 1] == 'h');
}

bool output_target_allowed(const char *path, const char *const *inputs, int n_inputs)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return true; /* new, or a device */
    const char *hit = is_c_file(path) ? path : NULL;
    for (int i = 0; !hit && i < n_inputs; i++)
        if (inputs[i] && same_file(&st, inputs[i])) hit = inputs[i];
    if (hit) tool_error(path, 0, 0, "refusing to write over the input %s (a source, configuration, rule pack or compilation database)", hit);
    return hit == NULL;
}

/* ---- a temporary file is removed when SIGINT, SIGTERM or SIGHUP ends
 * the run while it exists (the old report stays, as it should) ---- */

static char pending_tmp[PATH_MAX + 64];
static volatile sig_atomic_t have_pending_tmp;
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved_actions[3];

static void remove_tmp_and_die(int sig)
{
    if (have_pending_tmp) unlink(pending_tmp); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void guard_tmp(const char *tmp)
{
    snprintf(pending_tmp, sizeof pending_tmp, "%s", tmp);
    have_pending_tmp = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = remove_tmp_and_die;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) sigaction(cleanup_signals[i], &sa, &saved_actions[i]);
}

static void unguard_tmp(void)
{
    have_pending_tmp = 0;
    for (int i = 0; i < 3; i++) sigaction(cleanup_signals[i], &saved_actions[i], NULL);
}

bool output_write_atomic(const char *path, const char *data, size_t len)
{
    if (is_special_file(path)) return write_special(path, data, len);
    char *target = resolve_target(path);
    const char *slash = strrchr(target, '/');
    char *dir = slash ? xstrndup(target, slash == target ? 1 : (size_t)(slash - target)) : xstrdup(".");
    const char *base = slash ? slash + 1 : target;
    char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
    bool ok = false;
    int err = 0;
    sigset_t block, old;
    sigemptyset(&block);
    for (int i = 0; i < 3; i++) sigaddset(&block, cleanup_signals[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old); /* no signal between mkstemp and the guard */
    int fd = *base ? mkstemp(tmp) : (errno = EISDIR, -1);
    if (fd < 0) err = errno;
    else guard_tmp(tmp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd >= 0) {
        if (!fd_write_all(fd, data, len) || fchmod(fd, target_mode(target)) != 0 || fsync(fd) != 0)
            err = errno;
        if (close(fd) != 0 && !err) err = errno;
        if (!err && rename(tmp, target) != 0) err = errno;
        if (err) unlink(tmp);
        else sync_folder(dir);
        unguard_tmp();
    }
    ok = err == 0;
    if (!ok) tool_error(NULL, 0, 0, "cannot write %s: %s", path, strerror(err));
    free(tmp);
    free(dir);
    free(target);
    return ok;
}
