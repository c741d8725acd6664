/* util.c — checked allocation, string builder, file reading, tool
 * diagnostics. See util.h. */
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(void)
{
    fputs("connlint: error: out of memory\n", stderr);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory();
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    StrBuf sb;
    sb_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    return sb_take(&sb);
}

void sb_init(StrBuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->data = xmalloc(sb->cap);
    sb->data[0] = '\0';
}

static void sb_reserve(StrBuf *sb, size_t extra)
{
    if (!sb->data) sb_init(sb);
    if (sb->len + extra + 1 <= sb->cap) return;
    while (sb->len + extra + 1 > sb->cap) sb->cap *= 2;
    sb->data = xrealloc(sb->data, sb->cap);
}

void sb_append_n(StrBuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_append(StrBuf *sb, const char *s)
{
    sb_append_n(sb, s, strlen(s));
}

void sb_append_char(StrBuf *sb, char c)
{
    sb_append_n(sb, &c, 1);
}

void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *sb_take(StrBuf *sb)
{
    if (!sb->data) sb_init(sb);
    char *s = sb->data;
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}

void sb_free(StrBuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

/* Opened without blocking (a FIFO without a writer would block open()),
 * then checked on the open descriptor, so the file cannot be swapped for
 * a device between the check and the read. */
char *read_file_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return NULL;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0) err = errno;
    else if (S_ISDIR(st.st_mode)) err = EISDIR;
    else if (!S_ISREG(st.st_mode)) err = ENODEV;
    else if ((unsigned long long)st.st_size > INPUT_SIZE_LIMIT) err = EFBIG;
    StrBuf sb;
    sb_init(&sb);
    while (!err) {
        char buf[65536];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) err = errno;
        if (n <= 0) break;
        if (sb.len + (size_t)n > INPUT_SIZE_LIMIT) err = EFBIG; /* it grew while read */
        else sb_append_n(&sb, buf, (size_t)n);
    }
    close(fd);
    if (err) {
        sb_free(&sb);
        errno = err;
        return NULL;
    }
    if (len) *len = sb.len;
    return sb_take(&sb);
}

const char *read_error_text(int err)
{
    switch (err) {
    case EISDIR: return "it is a directory";
    case ENODEV: return "not a regular file (a device, FIFO or socket)";
    case EFBIG: return "larger than the 256 MiB limit";
    default: return strerror(err);
    }
}

int utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (n == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (c >= 0xF5) len = 0;
    if (len == 0 || (size_t)len > n) return 0;
    unsigned v = c & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    static const unsigned min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_for_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

static bool is_bidi_control(unsigned cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void sb_append_escaped(StrBuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        unsigned cp = 0;
        int len = utf8_decode(p, n, &cp);
        if (len == 0) {
            sb_printf(sb, "\\x%02x", *p);
            len = 1;
        } else if (cp == '\n') {
            sb_append(sb, "\\n");
        } else if (cp == '\t') {
            sb_append(sb, "\\t");
        } else if (cp == '\r') {
            sb_append(sb, "\\r");
        } else if (cp < 0x20 || cp == 0x7F) {
            sb_printf(sb, "\\x%02x", cp);
        } else if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp)) {
            sb_printf(sb, "\\u%04x", cp);
        } else {
            sb_append_n(sb, (const char *)p, (size_t)len);
        }
        p += len;
        n -= (size_t)len;
    }
}

char *utf8_sanitize(const char *s)
{
    StrBuf sb;
    sb_init(&sb);
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        unsigned cp;
        int len = utf8_decode(p, n, &cp);
        if (len == 0) {
            sb_append(&sb, "\xEF\xBF\xBD");
            len = 1;
        } else {
            sb_append_n(&sb, (const char *)p, (size_t)len);
        }
        p += len;
        n -= (size_t)len;
    }
    return sb_take(&sb);
}

char *escape_controls(const char *s)
{
    StrBuf sb;
    sb_init(&sb);
    sb_append_escaped(&sb, s);
    return sb_take(&sb);
}

static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;

static void tool_diag(const char *kind, const char *file, int line, int col, const char *fmt,
                      va_list ap)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "connlint: %s: ", kind);
    if (file) {
        sb_append_escaped(&sb, file);
        if (line > 0) sb_printf(&sb, ":%d", line);
        if (line > 0 && col > 0) sb_printf(&sb, ":%d", col);
        sb_append(&sb, ": ");
    }
    StrBuf msg;
    sb_init(&msg);
    sb_vprintf(&msg, fmt, ap);
    sb_append_escaped(&sb, msg.data);
    sb_free(&msg);
    sb_append_char(&sb, '\n');
    pthread_mutex_lock(&diag_lock);
    fputs(sb.data, stderr);
    fflush(stderr);
    pthread_mutex_unlock(&diag_lock);
    sb_free(&sb);
}

void tool_error(const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tool_diag("error", file, line, col, fmt, ap);
    va_end(ap);
}

void tool_warning(const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tool_diag("warning", file, line, col, fmt, ap);
    va_end(ap);
}

unsigned long long hash_bytes64(unsigned long long h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

unsigned long long hash_str64(const char *s)
{
    return hash_bytes64(14695981039346656037ULL, s, strlen(s));
}

bool fd_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}
