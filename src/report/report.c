/* report.c — the report stage's entry points: report_render() picks the
 * format's renderer; output_write_atomic() writes a report whole or not at
 * all (temporary file in the target's folder, fsync, rename; devices and
 * pipes such as /dev/stdout are written directly). The formats
 * themselves live in text.c, sarif.c, github.c, json.c, codeclimate.c and
 * checkstyle.c. */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_util.h"
#include "common/util.h"

char *report_render(OutputFormat fmt, const FindingList *list, const ReportContext *ctx)
{
    switch (fmt) {
    case FORMAT_SARIF: return sarif_render(list, ctx);
    case FORMAT_GITHUB: return github_render(list, ctx);
    case FORMAT_JSON: return json_render(list, ctx);
    case FORMAT_CODECLIMATE: return codeclimate_render(list, ctx);
    case FORMAT_CHECKSTYLE: return checkstyle_render(list, ctx);
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

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
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
    bool ok = fd >= 0 && write_all(fd, data, len);
    int err = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) tool_error(NULL, 0, 0, "cannot write %s: %s", path, strerror(err));
    return ok;
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
    int fd = *base ? mkstemp(tmp) : (errno = EISDIR, -1);
    if (fd < 0) {
        err = errno;
    } else {
        if (!write_all(fd, data, len) || fchmod(fd, target_mode(target)) != 0 || fsync(fd) != 0)
            err = errno;
        if (close(fd) != 0 && !err) err = errno;
        if (!err && rename(tmp, target) != 0) err = errno;
        if (err) unlink(tmp);
        else sync_folder(dir);
    }
    ok = err == 0;
    if (!ok) tool_error(NULL, 0, 0, "cannot write %s: %s", path, strerror(err));
    free(tmp);
    free(dir);
    free(target);
    return ok;
}
