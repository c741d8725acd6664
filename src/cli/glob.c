/* glob.c — path globs (`*`, `**`, `?`) and lexical path normalisation.
 * Matching is iterative: within a segment and across segments it uses the
 * classic "remember the last star and retry one further" walk, which is
 * O(pattern x path) and never exponential. Does not touch the file system
 * (except getcwd when no base folder is given), has no character classes
 * and no escapes. `*` and `?` match a leading dot too (dotfiles are not
 * special, as in .gitignore). */
#include "cli/glob.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

typedef struct {
    const char *s;
    size_t n;
} Seg;

typedef VEC(Seg) SegVec;

/* Splits at '/', dropping empty segments (so "a//b/" is a, b). */
static void split_segments(const char *p, SegVec *out)
{
    while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *start = p;
        while (*p && *p != '/') p++;
        Seg s = {start, (size_t)(p - start)};
        VEC_PUSH(*out, s);
    }
}

/* `*` and `?` within one segment. */
static bool segment_match(const Seg *pat, const Seg *str)
{
    size_t p = 0, s = 0, star_p = (size_t)-1, star_s = 0;
    while (s < str->n) {
        if (p < pat->n && (pat->s[p] == '?' || pat->s[p] == str->s[s])) {
            p++;
            s++;
        } else if (p < pat->n && pat->s[p] == '*') {
            star_p = p++;
            star_s = s;
        } else if (star_p != (size_t)-1) {
            p = star_p + 1;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (p < pat->n && pat->s[p] == '*') p++;
    return p == pat->n;
}

static bool is_globstar(const Seg *s)
{
    return s->n == 2 && s->s[0] == '*' && s->s[1] == '*';
}

/* The same walk one level up: `**` segments are the stars, every other
 * pattern segment matches exactly one path segment. */
static bool segments_match(const SegVec *pat, const SegVec *str)
{
    int p = 0, s = 0, star_p = -1, star_s = 0;
    while (s < str->len) {
        if (p < pat->len && is_globstar(&pat->items[p])) {
            star_p = p++;
            star_s = s;
        } else if (p < pat->len && segment_match(&pat->items[p], &str->items[s])) {
            p++;
            s++;
        } else if (star_p >= 0) {
            p = star_p + 1;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (p < pat->len && is_globstar(&pat->items[p])) p++;
    return p == pat->len;
}

bool glob_match(const char *pattern, const char *path)
{
    SegVec pat = {0}, str = {0};
    split_segments(pattern, &pat);
    split_segments(path, &str);
    bool rooted_alike = (pattern[0] == '/') == (path[0] == '/');
    bool leading_globstar = pat.len > 0 && is_globstar(&pat.items[0]);
    bool ok = (rooted_alike || leading_globstar) && segments_match(&pat, &str);
    VEC_FREE(pat);
    VEC_FREE(str);
    return ok;
}

static char *current_dir(void)
{
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf)) return xstrdup(buf);
    return xstrdup("/");
}

char *path_normalize(const char *path, const char *base)
{
    char *joined;
    if (path[0] == '/') {
        joined = xstrdup(path);
    } else {
        char *b = base ? (base[0] == '/' ? xstrdup(base) : path_normalize(base, NULL)) : current_dir();
        joined = xasprintf("%s/%s", b, path);
        free(b);
    }
    SegVec in = {0}, out = {0};
    split_segments(joined, &in);
    for (int i = 0; i < in.len; i++) {
        const Seg *s = &in.items[i];
        if (s->n == 1 && s->s[0] == '.') continue;
        if (s->n == 2 && s->s[0] == '.' && s->s[1] == '.') {
            if (out.len > 0) out.len--;
            continue;
        }
        VEC_PUSH(out, *s);
    }
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < out.len; i++) {
        sb_append_char(&sb, '/');
        sb_append_n(&sb, out.items[i].s, out.items[i].n);
    }
    if (sb.len == 0) sb_append_char(&sb, '/');
    VEC_FREE(in);
    VEC_FREE(out);
    free(joined);
    return sb_take(&sb);
}

static bool seg_equal(const Seg *a, const Seg *b)
{
    return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

char *path_relative(const char *path, const char *dir)
{
    SegVec p = {0}, d = {0};
    split_segments(path, &p);
    split_segments(dir, &d);
    int common = 0;
    while (common < p.len && common < d.len && seg_equal(&p.items[common], &d.items[common]))
        common++;
    StrBuf sb;
    sb_init(&sb);
    for (int i = common; i < d.len; i++) sb_append(&sb, sb.len ? "/.." : "..");
    for (int i = common; i < p.len; i++) {
        if (sb.len) sb_append_char(&sb, '/');
        sb_append_n(&sb, p.items[i].s, p.items[i].n);
    }
    if (sb.len == 0) sb_append_char(&sb, '.');
    VEC_FREE(p);
    VEC_FREE(d);
    return sb_take(&sb);
}

char *path_below(const char *file, const char *root)
{
    if (!file || !root) return NULL;
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--;
    if (n == 1 && root[0] == '/') return file[0] == '/' && file[1] ? xstrdup(file + 1) : NULL;
    if (strncmp(file, root, n) != 0 || file[n] != '/' || file[n + 1] == '\0') return NULL;
    return xstrdup(file + n + 1);
}

char *path_display(const char *file, const char *dir, bool climb)
{
    if (!file) return xstrdup("<unknown>");
    if (!dir || file[0] != '/') return xstrdup(file);
    char *below = path_below(file, dir);
    if (below) return below;
    return climb ? path_relative(file, dir) : xstrdup(file);
}

