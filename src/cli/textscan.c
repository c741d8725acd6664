/* textscan.c — the identifiers each file's text mentions, its own and its
 * project headers' (textscan.h): a word table with, per word, the files
 * that mention it; headers are read once and cached, #include lines are
 * resolved the way the compiler searches quote and angle includes in the
 * file's -I / -iquote folders. Anything it cannot follow makes the file
 * "unsure" (the pre-filter parses it). */
#include "cli/textscan.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/glob.h"
#include "common/strmap.h"
#include "common/util.h"

typedef struct {
    char *text;
    int last_file; /* the file it was last added to (dedup of postings) */
    int last_def;  /* the same for def_files */
    int last_scan; /* the scan it was last seen in (dedup within a text) */
    VEC(int) files;     /* own text or any included header */
    VEC(int) def_files; /* own text or an included header that may define functions */
} Word;

typedef struct {
    char *name;
    bool angle;
} Include;

/* What one text says: its distinct words, its includes, whether it can be
 * followed at all. */
typedef struct {
    VEC(Word *) words;
    VEC(Include) includes;
    bool unsure;
    bool may_define; /* a ')' followed by '{', or a '{' in a macro: a function body may be here */
} Scan;

typedef struct {
    char *path;
    char *dir;
    Scan scan;
    int visit_file; /* last file whose include closure reached it */
} Header;

struct TextIndex {
    StrMap words;   /* text -> Word * (keys owned by the Word) */
    StrMap headers; /* normalised path -> Header * */
    bool *unsure;
    int n_files;
    int scan_stamp; /* numbers the texts scanned (Word.last_scan) */
};

/* Include folders and forced includes of one file's arguments. */
typedef struct {
    VEC(char *) quote_dirs;
    VEC(char *) dirs;
    VEC(char *) forced;
    bool unsure;
} IncludeFlags;

static bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

static Word *intern(TextIndex *ix, const char *s, size_t n)
{
    char buf[256];
    char *key = n < sizeof buf ? buf : xstrndup(s, n);
    if (key == buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
    }
    Word *w = strmap_get(&ix->words, key);
    if (!w) {
        w = xcalloc(1, sizeof *w);
        w->text = key == buf ? xstrdup(buf) : key;
        w->last_file = -1;
        w->last_def = -1;
        w->last_scan = -1;
        *strmap_slot(&ix->words, w->text) = w;
    } else if (key != buf) {
        free(key);
    }
    return w;
}

/* "#include "x"", "#include <x>", include_next and import; a macro after
 * #include makes the text unsure. p is just after '#'. */
static void scan_directive(const char *p, const char *eol, Scan *out, bool *in_define)
{
    while (p < eol && (*p == ' ' || *p == '\t')) p++;
    if ((size_t)(eol - p) >= 6 && strncmp(p, "define", 6) == 0) *in_define = true;
    size_t kw = (size_t)(eol - p) >= 12 && strncmp(p, "include_next", 12) == 0 ? 12
                : (size_t)(eol - p) >= 7 && strncmp(p, "include", 7) == 0   ? 7
                : (size_t)(eol - p) >= 6 && strncmp(p, "import", 6) == 0    ? 6 : 0;
    if (!kw) return;
    p += kw;
    while (p < eol && (*p == ' ' || *p == '\t')) p++;
    char close = p < eol && *p == '"' ? '"' : p < eol && *p == '<' ? '>' : 0;
    const char *end = close ? memchr(p + 1, close, (size_t)(eol - p - 1)) : NULL;
    if (!end) {
        out->unsure = true; /* #include MACRO: cannot be followed by reading */
        return;
    }
    Include inc = {xstrndup(p + 1, (size_t)(end - p - 1)), close == '>'};
    VEC_PUSH(out->includes, inc);
}

static void scan_text(TextIndex *ix, const char *text, Scan *out)
{
    int stamp = ix->scan_stamp++;
    bool in_define = false, continued = false;
    char last_punct = 0; /* the last non-blank character outside identifiers */
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol) eol = line + strlen(line);
        const char *p = line;
        while (p < eol && (*p == ' ' || *p == '\t')) p++;
        if (!continued) in_define = false;
        if (p < eol && *p == '#' && !continued) scan_directive(p + 1, eol, out, &in_define);
        for (const char *q = p; q < eol;) {
            if (ident_start(*q)) {
                const char *s = q;
                while (q < eol && ident_char(*q)) q++;
                Word *w = intern(ix, s, (size_t)(q - s));
                if (w->last_scan != stamp) {
                    w->last_scan = stamp;
                    VEC_PUSH(out->words, w);
                }
                last_punct = 'a';
            } else if (*q >= '0' && *q <= '9') {
                while (q < eol && ident_char(*q)) q++;
                last_punct = '0';
            } else {
                if (in_define && q[0] == '#' && q + 1 < eol && q[1] == '#') out->unsure = true; /* pasted names */
                if (*q == '{' && (last_punct == ')' || in_define)) out->may_define = true;
                if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\\') last_punct = *q;
                q++;
            }
        }
        continued = eol > line && eol[-1] == '\\';
        line = *eol ? eol + 1 : eol;
    }
}

static void scan_free(Scan *s)
{
    for (int i = 0; i < s->includes.len; i++) free(s->includes.items[i].name);
    VEC_FREE(s->includes);
    VEC_FREE(s->words);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

static Header *header_get(TextIndex *ix, const char *path)
{
    Header *h = strmap_get(&ix->headers, path);
    if (h) return h;
    h = xcalloc(1, sizeof *h);
    h->path = xstrdup(path);
    h->dir = dir_of(path);
    h->visit_file = -1;
    *strmap_slot(&ix->headers, h->path) = h; /* keyed by its own copy of the path */
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text || strlen(text) != len) h->scan.unsure = true;
    else scan_text(ix, text, &h->scan);
    free(text);
    return h;
}

static char *find_in(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    char *norm = path_normalize(p, NULL);
    free(p);
    if (access(norm, R_OK) == 0) return norm;
    free(norm);
    return NULL;
}

static char *resolve(const IncludeFlags *fl, const char *from_dir, const Include *inc)
{
    if (inc->name[0] == '/') return access(inc->name, R_OK) == 0 ? path_normalize(inc->name, NULL) : NULL;
    char *found = inc->angle ? NULL : find_in(from_dir, inc->name);
    for (int i = 0; !found && !inc->angle && i < fl->quote_dirs.len; i++) found = find_in(fl->quote_dirs.items[i], inc->name);
    for (int i = 0; !found && i < fl->dirs.len; i++) found = find_in(fl->dirs.items[i], inc->name);
    return found; /* NULL: a system header (or a missing one: the parse reports it) */
}

static bool takes_path(const char *a, const char *flag, const char **joined)
{
    size_t n = strlen(flag);
    if (strncmp(a, flag, n) != 0) return false;
    *joined = a[n] ? a + n : NULL;
    return true;
}

static void read_flags(char **args, int n, const char *cwd, IncludeFlags *fl)
{
    static const char *const ignored[] = {"-isystem", "-idirafter", "-isysroot", "--sysroot", NULL};
    for (int i = 0; i < n; i++) {
        const char *a = args[i], *v = NULL;
        bool ignore = false;
        for (int k = 0; ignored[k] && !ignore; k++) ignore = takes_path(a, ignored[k], &v);
        if (ignore) {
            if (!v && strchr(a, '=') == NULL) i++;
            continue;
        }
        VEC(char *) *into = takes_path(a, "-iquote", &v) ? (void *)&fl->quote_dirs
                            : takes_path(a, "-include", &v) || takes_path(a, "-imacros", &v) ? (void *)&fl->forced
                            : takes_path(a, "-I", &v) ? (void *)&fl->dirs : NULL;
        if (!into) {
            if (strncmp(a, "-i", 2) == 0 || strncmp(a, "--include", 9) == 0) fl->unsure = true;
            continue;
        }
        if (!v && i + 1 < n) v = args[++i];
        if (v) VEC_PUSH(*into, path_normalize(v, cwd));
    }
}

static void flags_free(IncludeFlags *fl)
{
    for (int i = 0; i < fl->quote_dirs.len; i++) free(fl->quote_dirs.items[i]);
    for (int i = 0; i < fl->dirs.len; i++) free(fl->dirs.items[i]);
    for (int i = 0; i < fl->forced.len; i++) free(fl->forced.items[i]);
    VEC_FREE(fl->quote_dirs);
    VEC_FREE(fl->dirs);
    VEC_FREE(fl->forced);
}

static void add_words(const Scan *s, int file, bool own)
{
    bool def = own || s->may_define;
    for (int i = 0; i < s->words.len; i++) {
        Word *w = s->words.items[i];
        if (w->last_file != file) {
            w->last_file = file;
            VEC_PUSH(w->files, file);
        }
        if (def && w->last_def != file) {
            w->last_def = file;
            VEC_PUSH(w->def_files, file);
        }
    }
}

/* Adds the words of every header `s` includes, transitively. */
static bool follow_includes(TextIndex *ix, const Scan *s, const char *dir, const IncludeFlags *fl, int file)
{
    bool unsure = s->unsure;
    for (int i = 0; i < s->includes.len; i++) {
        char *path = resolve(fl, dir, &s->includes.items[i]);
        if (!path) continue;
        Header *h = header_get(ix, path);
        free(path);
        if (h->visit_file == file) continue;
        h->visit_file = file;
        add_words(&h->scan, file, false);
        unsure = follow_includes(ix, &h->scan, h->dir, fl, file) || unsure;
    }
    return unsure;
}

static void index_file(TextIndex *ix, int file, const char *path, char **args, int nargs, const char *cwd)
{
    IncludeFlags fl = {0};
    read_flags(args, nargs, cwd, &fl);
    size_t len = 0;
    char *text = read_file_all(path, &len);
    Scan s = {0};
    bool unsure = fl.unsure || !text || strlen(text) != len;
    if (!unsure) {
        scan_text(ix, text, &s);
        add_words(&s, file, true);
        char *dir = dir_of(path);
        unsure = follow_includes(ix, &s, dir, &fl, file);
        for (int i = 0; i < fl.forced.len; i++) {
            Include forced = {fl.forced.items[i], false};
            Scan one = {0};
            VEC_PUSH(one.includes, forced);
            unsure = follow_includes(ix, &one, cwd, &fl, file) || unsure;
            VEC_FREE(one.includes);
        }
        free(dir);
    }
    ix->unsure[file] = unsure;
    scan_free(&s);
    free(text);
    flags_free(&fl);
}

TextIndex *textindex_build(char *const *files, int n_files, char **const *args, const int *nargs,
                           const char *cwd)
{
    TextIndex *ix = xcalloc(1, sizeof *ix);
    ix->n_files = n_files;
    ix->unsure = xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof(bool));
    for (int i = 0; i < n_files; i++) index_file(ix, i, files[i], args[i], nargs[i], cwd);
    return ix;
}

bool textindex_unsure(const TextIndex *ix, int file)
{
    return file < 0 || file >= ix->n_files || ix->unsure[file];
}

const int *textindex_files_mentioning(const TextIndex *ix, const char *word, int *n)
{
    const Word *w = strmap_get(&ix->words, word);
    *n = w ? w->files.len : 0;
    return w ? w->files.items : NULL;
}

const int *textindex_files_may_define(const TextIndex *ix, const char *word, int *n)
{
    const Word *w = strmap_get(&ix->words, word);
    *n = w ? w->def_files.len : 0;
    return w ? w->def_files.items : NULL;
}

void textindex_free(TextIndex *ix)
{
    if (!ix) return;
    for (size_t i = 0; i < ix->words.cap; i++) {
        Word *w = ix->words.slots[i].key ? ix->words.slots[i].value : NULL;
        if (!w) continue;
        VEC_FREE(w->files);
        VEC_FREE(w->def_files);
        free(w->text);
        free(w);
    }
    for (size_t i = 0; i < ix->headers.cap; i++) {
        Header *h = ix->headers.slots[i].key ? ix->headers.slots[i].value : NULL;
        if (!h) continue;
        scan_free(&h->scan);
        free(h->path);
        free(h->dir);
        free(h);
    }
    strmap_free(&ix->words);
    strmap_free(&ix->headers);
    free(ix->unsure);
    free(ix);
}
