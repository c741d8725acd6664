/* util.h — small helpers every stage uses: checked allocation, growable
 * arrays, a string builder, and tool diagnostics on stderr.
 * Nothing here knows about C code, libclang or findings. */
#ifndef CONNLINT_UTIL_H
#define CONNLINT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable array: struct { T *items; int len, cap; }.
 * VEC_PUSH(v, x) appends x; VEC_FREE(v) releases the storage. */
#define VEC(T) struct { T *items; int len, cap; }
#define VEC_GROW(v)                                                                \
    do {                                                                           \
        if ((v).len == (v).cap) {                                                  \
            (v).cap = (v).cap ? (v).cap * 2 : 8;                                   \
            (v).items = xrealloc((v).items, (size_t)(v).cap * sizeof(*(v).items)); \
        }                                                                          \
    } while (0)
#define VEC_PUSH(v, x)              \
    do {                            \
        VEC_GROW(v);                \
        (v).items[(v).len++] = (x); \
    } while (0)
#define VEC_FREE(v)            \
    do {                       \
        free((v).items);       \
        (v).items = NULL;      \
        (v).len = (v).cap = 0; \
    } while (0)

/* String builder: always NUL-terminated. */
typedef struct {
    char *data;
    size_t len, cap;
} StrBuf;

void sb_init(StrBuf *sb);
void sb_append(StrBuf *sb, const char *s);
void sb_append_n(StrBuf *sb, const char *s, size_t n);
void sb_append_char(StrBuf *sb, char c);
void sb_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap);
char *sb_take(StrBuf *sb); /* returns the string (caller frees) and resets sb */
void sb_free(StrBuf *sb);

/* The largest file connlint reads itself (configuration, rule packs,
 * compile_commands.json, baselines, sources for suppressions and hashes). */
#define INPUT_SIZE_LIMIT ((size_t)256 << 20)

/* Reads a whole regular file of at most INPUT_SIZE_LIMIT bytes; returns NULL
 * and sets errno on failure: EISDIR for a folder, ENODEV for anything else
 * that is not a regular file (a device, FIFO or socket: never read, never
 * waited on), EFBIG past the limit. *len receives the size (the buffer is
 * NUL-terminated as well). */
char *read_file_all(const char *path, size_t *len);
/* The reason of a read_file_all() failure, for "cannot read X: REASON". */
const char *read_error_text(int err);

/* Untrusted text (file names, literals, comments, JSON keys) made safe to
 * print on a terminal or in a line-based log: control characters (C0,
 * DEL, C1) become \n, \t, \r or \xHH / \u0085, the bidirectional
 * overrides and isolates (U+202A-202E, U+2066-2069) become \u202e, and
 * bytes that are not UTF-8 become \xHH. Everything else is copied. */
void sb_append_escaped(StrBuf *sb, const char *s);
char *escape_controls(const char *s); /* the same, malloc'ed */

/* `s` with every byte sequence that is not UTF-8 replaced by U+FFFD, so a
 * JSON document built from untrusted strings stays valid UTF-8. Malloc'ed. */
char *utf8_sanitize(const char *s);

/* Length (1-4) of the valid, shortest-form UTF-8 sequence at s (at most n
 * bytes), its code point in *cp; 0 when the bytes are not UTF-8. */
int utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* Tool diagnostics: "connlint: error: FILE:LINE:COL: message" on stderr,
 * one line: file and message are escaped (sb_append_escaped), so nothing
 * taken from an input can forge a line or drive the terminal.
 * file may be NULL; line/col 0 are left out. Thread-safe. */
void tool_error(const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void tool_warning(const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* FNV-1a 64-bit hash, for fingerprints and hash tables. */
unsigned long long hash_str64(const char *s);
unsigned long long hash_bytes64(unsigned long long h, const void *p, size_t n);

/* Writes all n bytes to fd, retrying short writes and EINTR; false on any
 * other error (or a write of 0 bytes). */
bool fd_write_all(int fd, const void *p, size_t n);

#endif
