/* filter_suppress.c — in-source suppressions (SPEC §6).
 *
 * Reads each file that has findings (and each file registered with
 * suppressions_scan_files), finds its comments with a small lexer that skips
 * string and character literals, and reads these directives from them:
 *
 *   connlint-ignore[RULE,RULE]   on the finding's line (after code), or alone
 *                                on the line(s) above it (comment-only lines
 *                                between are skipped, blank lines are not)
 *   connlint-ignore[*]           every rule, same placement
 *   connlint-ignore              every rule, with a warning on stderr
 *   NOLINT(connlint-RULE, ...)   the comment's own line
 *   NOLINTNEXTLINE(connlint-RULE, ...)         the next line
 *   NOLINTBEGIN(connlint-RULE) ... NOLINTEND(connlint-RULE)   the lines between
 *
 * In NOLINT lists only entries starting with "connlint-" count ("connlint-*"
 * means every rule, other globs are matched against the rule ids); a bare
 * NOLINT, NOLINT(*) and other tools' entries belong to clang-tidy and are
 * left alone. Unknown rule names are warned about (FILE:LINE:COL) and
 * suppress nothing. A connection-leak finding is also suppressed by a
 * directive at its acquire (related[0]), which silences every exit of it.
 *
 * The files read so far live in a Suppressions object that the caller owns
 * for one run (no file-scope state).
 *
 * Suppressed findings stay in the list, marked. Optionally, directives (per
 * rule) that suppressed nothing become "unused-suppression" findings.
 * Does not look at the IR and never writes files. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter/filter.h"
#include "cli/glob.h"
#include "common/rules.h"
#include "common/util.h"

/* ---- comments ---------------------------------------------------------- */

typedef struct {
    size_t start, end;     /* byte range of the comment, delimiters included */
    int line, col;         /* where it starts */
    int end_line;
} Comment;

typedef VEC(Comment) CommentVec;

typedef struct {
    const char *text;
    size_t len;
    CommentVec comments;
    unsigned char *has_code;    /* per line (1-based): any token outside comments */
    unsigned char *has_comment; /* per line: part of a comment */
    int n_lines;
} Lexed;

typedef struct {
    const char *s;
    size_t n, i;
    int line;
    size_t line_start;
} Cursor;

static void cursor_advance(Cursor *c)
{
    if (c->s[c->i] == '\n') {
        c->line++;
        c->line_start = c->i + 1;
    }
    c->i++;
}

static void mark_line(unsigned char *lines, int line, int n_lines)
{
    if (line >= 1 && line <= n_lines) lines[line] = 1;
}

static void skip_literal(Cursor *c, char quote, Lexed *lx)
{
    mark_line(lx->has_code, c->line, lx->n_lines);
    cursor_advance(c);
    while (c->i < c->n && c->s[c->i] != quote && c->s[c->i] != '\n') {
        if (c->s[c->i] == '\\' && c->i + 1 < c->n) cursor_advance(c);
        cursor_advance(c);
        mark_line(lx->has_code, c->line, lx->n_lines);
    }
    if (c->i < c->n && c->s[c->i] == quote) cursor_advance(c);
}

static void lex_comment(Cursor *c, bool block, Lexed *lx)
{
    Comment cm = {c->i, 0, c->line, (int)(c->i - c->line_start) + 1, c->line};
    cursor_advance(c);
    cursor_advance(c);
    while (c->i < c->n) {
        mark_line(lx->has_comment, c->line, lx->n_lines);
        if (block && c->s[c->i] == '*' && c->i + 1 < c->n && c->s[c->i + 1] == '/') {
            cursor_advance(c);
            cursor_advance(c);
            break;
        }
        if (!block && c->s[c->i] == '\n') {
            /* a backslash before the newline continues a // comment */
            size_t k = c->i;
            while (k > cm.start && (c->s[k - 1] == '\r')) k--;
            if (!(k > cm.start && c->s[k - 1] == '\\')) break;
        }
        cursor_advance(c);
    }
    mark_line(lx->has_comment, cm.line, lx->n_lines);
    cm.end = c->i;
    cm.end_line = c->line;
    VEC_PUSH(lx->comments, cm);
}

static int count_lines(const char *s, size_t n)
{
    int lines = 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n') lines++;
    return lines;
}

static void lex_file(const char *text, size_t len, Lexed *lx)
{
    memset(lx, 0, sizeof *lx);
    lx->text = text;
    lx->len = len;
    lx->n_lines = count_lines(text, len);
    lx->has_code = xcalloc((size_t)lx->n_lines + 2, 1);
    lx->has_comment = xcalloc((size_t)lx->n_lines + 2, 1);
    Cursor c = {text, len, 0, 1, 0};
    while (c.i < c.n) {
        char ch = text[c.i];
        char next = c.i + 1 < c.n ? text[c.i + 1] : '\0';
        if (ch == '/' && (next == '/' || next == '*')) {
            lex_comment(&c, next == '*', lx);
        } else if (ch == '"' || ch == '\'') {
            skip_literal(&c, ch, lx);
        } else {
            if (!isspace((unsigned char)ch)) mark_line(lx->has_code, c.line, lx->n_lines);
            cursor_advance(&c);
        }
    }
}

static void lexed_free(Lexed *lx)
{
    VEC_FREE(lx->comments);
    free(lx->has_code);
    free(lx->has_comment);
}

/* ---- directives -------------------------------------------------------- */

typedef enum { DIR_IGNORE, DIR_NOLINT, DIR_NEXTLINE, DIR_BEGIN, DIR_END } DirectiveKind;

typedef struct {
    DirectiveKind kind;
    int line, col;          /* the directive's own position */
    int first, last;        /* lines it covers */
    char *text;             /* the comment, first line, trimmed */
    bool all_rules;
    const char **rules;     /* static rule ids */
    bool *used;             /* per rule */
    int n_rules;
    bool used_all;
    bool closed;            /* DIR_BEGIN: its NOLINTEND was found */
} Directive;

typedef VEC(Directive) DirectiveVec;

typedef struct {
    char *path;
    DirectiveVec dirs;
} FileDirectives;

/* The files read in one run: their directives, an open-addressing index
 * by path (slots hold index + 1) and the directory messages are relative
 * to. Scanned files and applied suppressions share it; nothing outlives it. */
struct Suppressions {
    VEC(FileDirectives) files;
    int *slots;
    size_t n_slots;
    char *cwd;      /* NULL when unknown: messages name absolute paths */
};

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static void directive_add_rule(Directive *d, const char *id)
{
    for (int i = 0; i < d->n_rules; i++)
        if (d->rules[i] == id) return;
    d->rules = xrealloc(d->rules, (size_t)(d->n_rules + 1) * sizeof *d->rules);
    d->used = xrealloc(d->used, (size_t)(d->n_rules + 1) * sizeof *d->used);
    d->rules[d->n_rules] = id;
    d->used[d->n_rules] = false;
    d->n_rules++;
}

/* Adds rule `name` (or every rule its glob matches) to d; warns when none. */
static void directive_add_name(Directive *d, const char *name, const char *file)
{
    if (strcmp(name, "*") == 0) {
        d->all_rules = true;
        return;
    }
    bool found = false;
    if (strpbrk(name, "*?[")) {
        for (int i = 0; i < rule_info_count; i++) {
            if (rule_infos[i].id && fnmatch(name, rule_infos[i].id, 0) == 0) {
                directive_add_rule(d, rule_infos[i].id);
                found = true;
            }
        }
    } else {
        const RuleInfo *ri = rule_info_find(name);
        if (ri) {
            directive_add_rule(d, ri->id);
            found = true;
        }
    }
    if (!found)
        tool_warning(file, d->line, d->col,
                     "unknown rule '%s' in suppression comment (see --list-rules)", name);
}

static char *trimmed_copy(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    return xstrndup(s, n);
}

static char *comment_text(const Lexed *lx, const Comment *cm)
{
    const char *s = lx->text + cm->start;
    size_t n = cm->end - cm->start;
    const char *nl = memchr(s, '\n', n);
    if (nl) n = (size_t)(nl - s);
    if (n > 200) n = 200;
    return trimmed_copy(s, n);
}

/* Splits "a, b ,c" (up to `close`) into names; calls add for each. Returns
 * the position after `close`, or NULL when it is missing. */
static const char *parse_list(const char *p, const char *end, char close, Directive *d,
                              const char *file, bool nolint, bool *any_connlint)
{
    const char *stop = memchr(p, close, (size_t)(end - p));
    if (!stop) return NULL;
    while (p < stop) {
        const char *comma = memchr(p, ',', (size_t)(stop - p));
        const char *item_end = comma ? comma : stop;
        char *item = trimmed_copy(p, (size_t)(item_end - p));
        if (nolint) {
            if (strncmp(item, "connlint-", 9) == 0 && item[9]) {
                *any_connlint = true;
                directive_add_name(d, item + 9, file);
            }
        } else if (*item) {
            *any_connlint = true;
            directive_add_name(d, item, file);
        }
        free(item);
        p = comma ? comma + 1 : stop;
    }
    return stop + 1;
}

static int line_of_offset(const Lexed *lx, const Comment *cm, size_t off, int *col)
{
    int line = cm->line;
    size_t line_start = cm->start - (size_t)(cm->col - 1);
    for (size_t i = cm->start; i < off; i++) {
        if (lx->text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    *col = (int)(off - line_start) + 1;
    return line;
}

/* The line a connlint-ignore comment applies to: its own when it follows or
 * precedes code there, else the next line, skipping comment-only lines. */
static int ignore_target(const Lexed *lx, const Comment *cm, int token_line)
{
    if (lx->has_code[token_line]) return token_line;
    if (lx->has_code[cm->line]) return cm->line;
    if (lx->has_code[cm->end_line]) return cm->end_line;
    int l = cm->end_line + 1;
    while (l <= lx->n_lines && !lx->has_code[l] && lx->has_comment[l]) l++;
    return l;
}

static void directive_free(Directive *d)
{
    free(d->text);
    free(d->rules);
    free(d->used);
}

static bool same_rules(const Directive *a, const Directive *b)
{
    if (a->all_rules != b->all_rules || a->n_rules != b->n_rules) return false;
    for (int i = 0; i < a->n_rules; i++) {
        bool found = false;
        for (int k = 0; k < b->n_rules && !found; k++) found = a->rules[i] == b->rules[k];
        if (!found) return false;
    }
    return true;
}

/* NOLINTEND closes the latest open NOLINTBEGIN with the same rules. */
static void close_nolint_range(DirectiveVec *dirs, Directive *end, const char *file)
{
    for (int i = dirs->len - 1; i >= 0; i--) {
        Directive *b = &dirs->items[i];
        if (b->kind == DIR_BEGIN && !b->closed && same_rules(b, end)) {
            b->closed = true;
            b->last = end->line;
            return;
        }
    }
    tool_warning(file, end->line, end->col, "NOLINTEND without a matching NOLINTBEGIN");
}

static void keep_directive(DirectiveVec *dirs, Directive *d, const char *file)
{
    if (d->kind == DIR_END) {
        close_nolint_range(dirs, d, file);
        directive_free(d);
        return;
    }
    if (!d->all_rules && d->n_rules == 0) { /* only unknown names */
        directive_free(d);
        return;
    }
    VEC_PUSH(*dirs, *d);
}

static bool parse_ignore_at(const Lexed *lx, const Comment *cm, const char *p, Directive *d,
                            const char *file)
{
    const char *end = lx->text + cm->end;
    const char *q = p + strlen("connlint-ignore");
    if (q < end && is_ident_char(*q)) { /* connlint-ignore-next-line: not a form we know */
        const char *w = q;
        while (w < end && is_ident_char(*w)) w++;
        tool_warning(file, d->line, d->col,
                     "unknown suppression directive 'connlint-ignore%.*s' ignored; write "
                     "connlint-ignore[RULE] on the line of the finding or alone on the line above",
                     (int)(w - q), q);
        return false;
    }
    while (q < end && (*q == ' ' || *q == '\t')) q++;
    d->kind = DIR_IGNORE;
    if (q < end && *q == '[') {
        bool any = false;
        if (!parse_list(q + 1, end, ']', d, file, false, &any)) {
            tool_warning(file, d->line, d->col, "suppression comment lacks its closing ']'");
            return false;
        }
        if (!any) {
            tool_warning(file, d->line, d->col, "empty rule list in suppression comment");
            return false;
        }
    } else {
        d->all_rules = true;
        tool_warning(file, d->line, d->col,
                     "'connlint-ignore' without a rule id suppresses every rule here; "
                     "name the rule: connlint-ignore[RULE]");
    }
    d->first = d->last = ignore_target(lx, cm, d->line);
    return true;
}

static bool parse_nolint_at(const Lexed *lx, const Comment *cm, const char *p, Directive *d,
                            const char *file)
{
    const char *end = lx->text + cm->end;
    const char *q = p + strlen("NOLINT");
    static const struct { const char *suffix; DirectiveKind kind; } kinds[] = {
        {"NEXTLINE", DIR_NEXTLINE}, {"BEGIN", DIR_BEGIN}, {"END", DIR_END}, {"", DIR_NOLINT},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t n = strlen(kinds[k].suffix);
        if ((size_t)(end - q) >= n && strncmp(q, kinds[k].suffix, n) == 0) {
            q += n;
            d->kind = kinds[k].kind;
            break;
        }
    }
    if (q >= end || *q != '(') return false; /* bare NOLINT: clang-tidy's */
    bool any = false;
    if (!parse_list(q + 1, end, ')', d, file, true, &any) || !any) return false;
    d->first = d->last = d->line + (d->kind == DIR_NEXTLINE ? 1 : 0);
    if (d->kind == DIR_BEGIN) d->last = lx->n_lines;
    return true;
}

static void scan_comment(const Lexed *lx, const Comment *cm, const char *file, DirectiveVec *dirs)
{
    const char *s = lx->text + cm->start;
    const char *end = lx->text + cm->end;
    for (const char *p = s + 2; p < end; p++) {
        bool ignore = (size_t)(end - p) >= 15 && strncmp(p, "connlint-ignore", 15) == 0;
        bool nolint = (size_t)(end - p) >= 6 && strncmp(p, "NOLINT", 6) == 0;
        if (!ignore && !nolint) continue;
        if (p > s + 2 && is_ident_char(p[-1])) continue;
        Directive d;
        memset(&d, 0, sizeof d);
        d.line = line_of_offset(lx, cm, (size_t)(p - lx->text), &d.col);
        bool ok = ignore ? parse_ignore_at(lx, cm, p, &d, file) : parse_nolint_at(lx, cm, p, &d, file);
        if (ok) {
            d.text = comment_text(lx, cm);
            keep_directive(dirs, &d, file);
        } else {
            directive_free(&d);
        }
    }
}

/* Drops NOLINTBEGIN ranges never closed (clang-tidy does the same). */
static void drop_unclosed(DirectiveVec *dirs, const char *file)
{
    int kept = 0;
    for (int i = 0; i < dirs->len; i++) {
        Directive *d = &dirs->items[i];
        if (d->kind == DIR_BEGIN && !d->closed) {
            tool_warning(file, d->line, d->col, "NOLINTBEGIN without a matching NOLINTEND");
            directive_free(d);
            continue;
        }
        dirs->items[kept++] = *d;
    }
    dirs->len = kept;
}

static void parse_directives(const char *text, size_t len, const char *file, DirectiveVec *dirs)
{
    if (!memmem(text, len, "connlint-ignore", 15) && !memmem(text, len, "NOLINT", 6)) return;
    Lexed lx;
    lex_file(text, len, &lx);
    for (int i = 0; i < lx.comments.len; i++) scan_comment(&lx, &lx.comments.items[i], file, dirs);
    drop_unclosed(dirs, file);
    lexed_free(&lx);
}

/* ---- the per-run cache of files ---------------------------------------- */

Suppressions *suppressions_new(void)
{
    Suppressions *s = xcalloc(1, sizeof *s);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) s->cwd = xstrdup(cwd);
    return s;
}

static size_t cache_slot(const Suppressions *s, const char *path)
{
    size_t mask = s->n_slots - 1;
    size_t i = (size_t)hash_str64(path) & mask;
    while (s->slots[i] && strcmp(s->files.items[s->slots[i] - 1].path, path) != 0)
        i = (i + 1) & mask;
    return i;
}

static void cache_index_grow(Suppressions *s)
{
    free(s->slots);
    s->n_slots = s->n_slots ? s->n_slots * 2 : 64;
    s->slots = xcalloc(s->n_slots, sizeof *s->slots);
    for (int k = 0; k < s->files.len; k++)
        s->slots[cache_slot(s, s->files.items[k].path)] = k + 1;
}

static FileDirectives *cache_load(Suppressions *s, const char *path)
{
    if ((size_t)(s->files.len + 1) * 2 > s->n_slots) cache_index_grow(s);
    size_t slot = cache_slot(s, path);
    if (s->slots[slot]) return &s->files.items[s->slots[slot] - 1];
    FileDirectives nf = {xstrdup(path), {0}};
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (text) {
        /* warnings name files as messages do: below the cwd, else absolute */
        char *shown = path_display(path, s->cwd, false);
        parse_directives(text, len, shown, &nf.dirs);
        free(shown);
        free(text);
    }
    VEC_PUSH(s->files, nf);
    s->slots[slot] = s->files.len;
    return &s->files.items[s->files.len - 1];
}

void suppressions_free(Suppressions *s)
{
    if (!s) return;
    for (int i = 0; i < s->files.len; i++) {
        FileDirectives *fd = &s->files.items[i];
        for (int k = 0; k < fd->dirs.len; k++) directive_free(&fd->dirs.items[k]);
        VEC_FREE(fd->dirs);
        free(fd->path);
    }
    VEC_FREE(s->files);
    free(s->slots);
    free(s->cwd);
    free(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void suppressions_scan_files(Suppressions *s, char **files, int n)
{
    char **sorted = xcalloc((size_t)(n > 0 ? n : 1), sizeof *sorted);
    for (int i = 0; i < n; i++) sorted[i] = files[i];
    if (n > 1) qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
    for (int i = 0; i < n; i++) cache_load(s, sorted[i]);
    free(sorted);
}

/* ---- applying them ----------------------------------------------------- */

/* Marks the directive's entry for `rule` used; true when it covers it. */
static bool directive_covers(Directive *d, int line, const char *rule, bool allow_all)
{
    if (line < d->first || line > d->last) return false;
    if (d->all_rules && allow_all) {
        d->used_all = true;
        return true;
    }
    for (int i = 0; i < d->n_rules; i++) {
        if (strcmp(d->rules[i], rule) == 0) {
            d->used[i] = true;
            return true;
        }
    }
    return false;
}

/* Every directive of `file` covering (line, rule); the first one's text. */
static const char *suppress_at(Suppressions *s, const char *file, int line, const char *rule,
                               bool allow_all)
{
    if (!file || line <= 0) return NULL;
    FileDirectives *fd = cache_load(s, file);
    const char *text = NULL;
    for (int i = 0; i < fd->dirs.len; i++)
        if (directive_covers(&fd->dirs.items[i], line, rule, allow_all) && !text)
            text = fd->dirs.items[i].text;
    return text;
}

static void suppress_finding(Suppressions *s, Finding *f)
{
    const char *text = suppress_at(s, f->loc.file, f->loc.line, f->rule, true);
    if (strcmp(f->rule, RULE_CONNECTION_LEAK) == 0 && f->n_related > 0) {
        const FindingLoc *acq = &f->related[0];
        const char *at_acquire = suppress_at(s, acq->file ? acq->file : f->loc.file, acq->line,
                                             f->rule, true);
        if (!text) text = at_acquire;
    }
    if (!text || f->suppressed) return;
    f->suppressed = true;
    free(f->suppression_text);
    f->suppression_text = xstrdup(text);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void add_unused(FindingList *unused, const char *file, const Directive *d, const char *rule)
{
    const RuleInfo *ri = rule_info_find(RULE_UNUSED_SUPPRESSION);
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = ri ? ri->id : RULE_UNUSED_SUPPRESSION;
    f.level = ri ? ri->default_level : LEVEL_NOTE;
    f.loc = findingloc_make(file, d->line, d->col, d->line, d->col + (int)strlen(d->text), NULL);
    if (rule)
        f.message = xasprintf("suppression of '%s' matches no finding", rule);
    else
        f.message = xasprintf("suppression of every rule ('%s') matches no finding", d->text);
    f.identity = xasprintf("%s:%s:%s", RULE_UNUSED_SUPPRESSION, base_name(file), rule ? rule : "*");
    findings_add(unused, &f);
}

/* Unused entries of every directive; `only_self` selects the entries naming
 * unused-suppression itself (second round) or all others (first round). */
static void collect_unused(const Suppressions *s, FindingList *unused, bool only_self)
{
    for (int i = 0; i < s->files.len; i++) {
        FileDirectives *fd = &s->files.items[i];
        for (int k = 0; k < fd->dirs.len; k++) {
            const Directive *d = &fd->dirs.items[k];
            if (!only_self && d->all_rules && !d->used_all) add_unused(unused, fd->path, d, NULL);
            for (int r = 0; r < d->n_rules; r++) {
                bool self = strcmp(d->rules[r], RULE_UNUSED_SUPPRESSION) == 0;
                if (self == only_self && !d->used[r]) add_unused(unused, fd->path, d, d->rules[r]);
            }
        }
    }
}

static void report_unused(Suppressions *s, FindingList *unused)
{
    FindingList first = {0};
    collect_unused(s, &first, false);
    /* an unused-suppression finding can be silenced only by naming that rule */
    for (int i = 0; i < first.len; i++) {
        Finding *f = &first.items[i];
        const char *text = suppress_at(s, f->loc.file, f->loc.line, f->rule, false);
        if (text) {
            f->suppressed = true;
            f->suppression_text = xstrdup(text);
        }
    }
    collect_unused(s, &first, true);
    findings_sort(&first);
    fingerprint_assign(&first);
    for (int i = 0; i < first.len; i++) findings_add(unused, &first.items[i]);
    free(first.items);
}

void suppressions_apply(Suppressions *s, FindingList *list, bool report_unused_flag,
                        FindingList *unused)
{
    /* files in sorted order, so that warnings come out deterministically */
    char **files = xcalloc((size_t)(list->len > 0 ? list->len : 1), sizeof *files);
    int n = 0;
    for (int i = 0; i < list->len; i++)
        if (list->items[i].loc.file) files[n++] = list->items[i].loc.file;
    suppressions_scan_files(s, files, n);
    free(files);
    for (int i = 0; i < list->len; i++)
        if (list->items[i].rule) suppress_finding(s, &list->items[i]);
    if (report_unused_flag && unused) report_unused(s, unused);
}
