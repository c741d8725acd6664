/* textscan.c — the identifiers each file's text mentions and the functions
 * it defines (textscan.h): one tokenizer pass per text (comments, string
 * and character literals skipped; preprocessor lines read for #include and
 * `##`; braces and parentheses counted outside them), a word table with,
 * per word, the files mentioning it and the texts defining it. Headers are
 * read once; #include lines are resolved the way the compiler searches
 * quote and angle includes in the file's -I / -iquote folders. */
#include "prefilter/textscan.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/glob.h"
#include "common/strmap.h"
#include "common/util.h"

typedef struct Header Header;

typedef struct Word {
    char *text;
    int last_file;      /* the file it was last added to (dedup of postings) */
    int last_scan;      /* the scan it was last mentioned in (dedup within a text) */
    int last_def_scan;  /* the scan it was last defined in */
    int count_scan;     /* the scan n_seen and n_declared count in */
    int n_seen, n_declared;
    int last_code_scan; /* the scan it was last seen in outside directives */
    int last_member_scan, last_member_file;
    VEC(int) member_files; /* mentioned as a member (`s.name`, `p->name`) */
    int last_write_scan, last_write_file;
    VEC(int) written_files; /* written (`name =`, `name +=`, `name++`, `&name`) */
    bool macro_pastes;  /* a #define of this name pastes tokens */
    bool pasting;       /* its expansion may paste: it pastes, or names a
                           macro that does */
    VEC(struct Word *) body; /* the words of its #define bodies */
    VEC(int) files;     /* own text or an included header mentions it */
    VEC(int) def_files; /* own text defines it */
    VEC(Header *) def_headers;
} Word;

typedef struct {
    char *name;
    bool angle;
} Include;

/* What one text says: its distinct words, the functions it defines, its
 * includes, whether it can be followed at all. */
typedef struct {
    VEC(Word *) words;
    VEC(Word *) defs;
    VEC(Include) includes;
    VEC(Word *) code; /* words outside preprocessor lines: macro invocations */
    VEC(Word *) members; /* words used as members only (after `.` or `->`) */
    VEC(Word *) written; /* words written or whose address is taken */
    bool unsure;
} Scan;

struct Header {
    char *path;
    char *dir;
    Scan scan;
    int visit_file; /* last file whose include closure reached it */
    VEC(int) includers;
};

struct TextIndex {
    StrMap words;   /* text -> Word * (keys owned by the Word) */
    StrMap headers; /* normalised path -> Header * */
    StrMap probes;  /* "dir/name" looked for -> its normalised path, or
                       not_found (keys and values owned) */
    bool *unsure;
    bool *pastes;   /* the file or a header it includes invokes a macro that
                       may paste tokens */
    VEC(Word *) *own_code; /* per file: its own text's Scan.code */
    int n_files;
    int scan_stamp; /* numbers the texts scanned */
};

/* Include folders and forced includes of one file's arguments. */
typedef struct {
    VEC(char *) quote_dirs;
    VEC(char *) dirs;
    VEC(char *) forced;
    bool unsure;
} IncludeFlags;

static bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'; }
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
        w->last_scan = -1;
        w->last_def_scan = -1;
        w->count_scan = -1;
        w->last_code_scan = -1;
        w->last_member_scan = -1;
        w->last_member_file = -1;
        w->last_write_scan = -1;
        w->last_write_file = -1;
        *strmap_slot(&ix->words, w->text) = w;
    } else if (key != buf) {
        free(key);
    }
    return w;
}

/* "#include "x"", "#include <x>", include_next and import; a macro after
 * #include makes the text unsure. p is just after '#', eol the end of the
 * logical line. */
static void scan_directive(const char *p, const char *eol, Scan *out, bool *is_define)
{
    while (p < eol && (*p == ' ' || *p == '\t')) p++;
    *is_define = (size_t)(eol - p) >= 6 && strncmp(p, "define", 6) == 0;
    size_t kw = (size_t)(eol - p) >= 12 && strncmp(p, "include_next", 12) == 0 ? 12
                : (size_t)(eol - p) >= 7 && strncmp(p, "include", 7) == 0   ? 7
                : (size_t)(eol - p) >= 6 && strncmp(p, "import", 6) == 0    ? 6
                                                                             : 0;
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

/* The end of the logical line starting at p (backslash-newlines joined). */
static const char *logical_eol(const char *p)
{
    for (;;) {
        const char *nl = strchr(p, '\n');
        if (!nl) return p + strlen(p);
        const char *q = nl;
        if (q > p && q[-1] == '\r') q--;
        if (q > p && q[-1] == '\\') {
            p = nl + 1;
            continue;
        }
        return nl;
    }
}

/* The file-scope definition finder: a small state machine fed the tokens
 * outside braces and preprocessor lines. */
typedef enum { DS_NONE, DS_GROUP, DS_AFTER, DS_KNR, DS_SKIP } DefState;

typedef struct {
    DefState state, resume; /* resume: the state after a skipped group */
    int pdepth;             /* parentheses open in DS_GROUP / DS_SKIP */
    Word *cand;             /* the identifier before the group */
    Word *prev_ident;       /* the previous token, when it was an identifier */
    bool knr_semi;          /* a ';' seen after the group (K&R declarations) */
    bool attr_next;         /* an attribute keyword: its group follows */
    VEC(Word *) inner;      /* identifiers inside the group */
} DefFinder;

static bool all_caps(const char *s)
{
    bool letter = false;
    for (; *s; s++) {
        if (*s >= 'a' && *s <= 'z') return false;
        if (*s >= 'A' && *s <= 'Z') letter = true;
    }
    return letter;
}

static bool attribute_keyword(const char *s)
{
    static const char *const kw[] = {"__attribute__", "__attribute", "__asm__", "__asm", "asm", "__declspec",
                                     "_Pragma", NULL};
    for (int i = 0; kw[i]; i++)
        if (strcmp(s, kw[i]) == 0) return true;
    return false;
}

static void add_def(Scan *out, Word *w, int stamp)
{
    if (!w || w->last_def_scan == stamp) return;
    w->last_def_scan = stamp;
    VEC_PUSH(out->defs, w);
}

static void count_in(Word *w, int stamp)
{
    if (w->count_scan == stamp) return;
    w->count_scan = stamp;
    w->n_seen = 0;
    w->n_declared = 0;
}

/* `name(...);` at file scope: the name of a prototype, and its parameters'
 * types and names. */
static void declared(DefFinder *d, int stamp)
{
    if (!d->cand) return;
    count_in(d->cand, stamp);
    d->cand->n_declared++;
    for (int i = 0; i < d->inner.len; i++) {
        count_in(d->inner.items[i], stamp);
        d->inner.items[i]->n_declared++;
    }
}

static void def_reset(DefFinder *d)
{
    d->state = DS_NONE;
    d->cand = NULL;
    d->inner.len = 0;
    d->knr_semi = false;
    d->attr_next = false;
}

static void def_open_group(DefFinder *d, Word *cand)
{
    def_reset(d);
    d->state = DS_GROUP;
    d->cand = cand;
    d->pdepth = 1;
}

static void def_ident(DefFinder *d, Word *w)
{
    switch (d->state) {
    case DS_GROUP: VEC_PUSH(d->inner, w); break;
    case DS_AFTER:
        if (attribute_keyword(w->text)) {
            d->attr_next = true;
        } else {
            d->state = DS_KNR;
            d->knr_semi = false;
        }
        break;
    case DS_KNR:
        if (attribute_keyword(w->text)) d->attr_next = true;
        break;
    default: break;
    }
    d->prev_ident = w;
}

static void add_written(Scan *out, Word *w, int stamp)
{
    if (!w || w->last_write_scan == stamp) return;
    w->last_write_scan = stamp;
    VEC_PUSH(out->written, w);
}

/* A punctuator outside braces and directives ('{' is the caller's). */
static void def_punct(DefFinder *d, char c, Scan *out, int stamp)
{
    Word *prev = d->prev_ident;
    d->prev_ident = NULL;
    if (c == '=' && d->state == DS_NONE) add_written(out, prev, stamp); /* int x = 1; */
    if (c == '=' && (d->state == DS_AFTER || d->state == DS_KNR)) {
        /* void (*fp)(void) = f; the declarator is in the group */
        add_written(out, d->cand, stamp);
        for (int i = 0; i < d->inner.len; i++) add_written(out, d->inner.items[i], stamp);
    }
    switch (d->state) {
    case DS_NONE:
        if (c == '(') def_open_group(d, prev);
        return;
    case DS_GROUP:
    case DS_SKIP:
        if (c == '(') d->pdepth++;
        if (c == ')' && --d->pdepth == 0) {
            if (d->state == DS_SKIP) {
                d->state = d->resume;
                return;
            }
            d->state = DS_AFTER;
            /* a macro at file scope may expand to a function definition
             * named by its arguments */
            if (d->cand && all_caps(d->cand->text))
                for (int i = 0; i < d->inner.len; i++) add_def(out, d->inner.items[i], stamp);
        }
        return;
    case DS_AFTER:
    case DS_KNR:
        if (c == '(') {
            if (d->state == DS_KNR && d->knr_semi && !d->attr_next) {
                def_open_group(d, prev); /* a new declaration after `...;` */
                return;
            }
            d->resume = d->state;
            d->state = DS_SKIP;
            d->pdepth = 1;
            d->attr_next = false;
        } else if (c == ';' && d->state == DS_KNR) {
            if (!d->knr_semi) declared(d, stamp);
            d->knr_semi = true;
        } else if (c == ',' && d->state == DS_KNR) {
            /* int a, b; */
        } else {
            if (c == ';' || c == ',') declared(d, stamp);
            def_reset(d); /* ';', ',', '=' after the group: a declaration */
        }
        return;
    }
}

/* '{' at file scope: a definition when it follows `name(...)`. */
static void def_brace(DefFinder *d, Scan *out, int stamp)
{
    if ((d->state == DS_AFTER || d->state == DS_KNR) && d->cand) {
        add_def(out, d->cand, stamp);
        if (all_caps(d->cand->text))
            for (int i = 0; i < d->inner.len; i++) add_def(out, d->inner.items[i], stamp);
    }
    def_reset(d);
    d->prev_ident = NULL;
}

static const char *skip_literal(const char *p, char quote)
{
    for (p++; *p && *p != quote && *p != '\n'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p == quote ? p + 1 : p;
}

/* A header's prototypes are no mention: a file including it names the
 * function in its own text, or through a macro or an inline body, to call
 * it. Words a header only declares are dropped from its words. */
static void drop_declared_only(Scan *out, int stamp)
{
    int kept = 0;
    for (int i = 0; i < out->words.len; i++) {
        Word *w = out->words.items[i];
        if (w->count_scan == stamp && w->n_declared > 0 && w->n_declared >= w->n_seen) continue;
        out->words.items[kept++] = w;
    }
    out->words.len = kept;
}

/* Does an assignment, a compound assignment or ++/-- follow? */
static bool writes_after(const char *q)
{
    while (*q == ' ' || *q == '\t') q++;
    if (q[0] == '=') return q[1] != '=';
    if (strchr("+-*/%&|^", q[0]) && q[0] && q[1] == '=') return true;
    if ((q[0] == '<' || q[0] == '>') && q[1] == q[0] && q[2] == '=') return true;
    return (q[0] == '+' || q[0] == '-') && q[1] == q[0];
}

static void scan_text(TextIndex *ix, const char *text, Scan *out, bool header)
{
    int stamp = ix->scan_stamp++;
    DefFinder d = {0};
    int depth = 0;
    bool unbalanced = false;
    bool line_start = true;
    const char *directive_end = NULL; /* inside a preprocessor line until here */
    bool is_define = false;
    int define_words = 0;   /* identifiers seen in this #define line */
    Word *macro = NULL;     /* the macro this #define line defines */
    int tag_words = 0;      /* identifiers since `struct`/`union` (0: none) */
    int record_depth = 0;   /* > 0: inside a struct or union body at file scope
                               from this brace depth on: member declarations */
    char prev = ';';        /* the previous token: its punctuator, 'i' an identifier,
                               'g' goto, '>' an arrow, '0' a number, '"' a literal */
    bool after_extern = false, extern_string = false; /* `extern "C"` */
    int extern_blocks = 0;  /* `extern "C" {` open: their braces are no scope */
    for (const char *p = text; *p;) {
        if (directive_end && p >= directive_end) directive_end = NULL;
        char c = *p;
        if (c == '\n') {
            line_start = true;
            p++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || (c == '\\' && p[1] == '\n')) {
            p += c == '\\' ? 2 : 1;
            continue;
        }
        if (c == '/' && p[1] == '/') {
            while (*p && *p != '\n') p++;
            continue;
        }
        if (c == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
            continue;
        }
        bool at_start = line_start;
        line_start = false;
        if (c == '#' && at_start && !directive_end) {
            directive_end = logical_eol(p);
            scan_directive(p + 1, directive_end, out, &is_define);
            define_words = 0;
            macro = NULL;
            prev = ';';
            p++;
            continue;
        }
        if (c == '"' || c == '\'') {
            if (c == '"' && directive_end && !is_define) {
                /* an include's "name" */
            }
            p = skip_literal(p, c);
            prev = '"';
            extern_string = !directive_end && after_extern;
            after_extern = false;
            continue;
        }
        if (ident_start(c)) {
            const char *s = p;
            while (ident_char(*p)) p++;
            Word *w = intern(ix, s, (size_t)(p - s));
            if (!directive_end) {
                after_extern = p - s == 6 && strncmp(s, "extern", 6) == 0;
                extern_string = false;
            }
            char before = prev;
            prev = p - s == 4 && strncmp(s, "goto", 4) == 0 ? 'g' : 'i';
            if (before == 'g') continue; /* goto LABEL */
            if (!directive_end && (before == ';' || before == '{' || before == '}')) {
                const char *q = p;
                while (*q == ' ' || *q == '\t') q++;
                if (q[0] == ':' && q[1] != ':') continue; /* LABEL: */
            }
            if (!directive_end) {
                bool record_kw = (p - s == 6 && strncmp(s, "struct", 6) == 0) || (p - s == 5 && strncmp(s, "union", 5) == 0);
                tag_words = record_kw ? 1 : tag_words == 1 ? 2 : 0;
            }
            bool in_record = !directive_end && record_depth > 0 && depth >= record_depth;
            if (before == '.' || before == '>' || in_record) { /* a member: not the function or variable */
                if (w->last_member_scan != stamp) {
                    w->last_member_scan = stamp;
                    VEC_PUSH(out->members, w);
                }
                continue;
            }
            if (before == '&' || before == '+' || before == '-' || writes_after(p)) {
                if (w->last_write_scan != stamp) {
                    w->last_write_scan = stamp;
                    VEC_PUSH(out->written, w);
                }
            }
            if (directive_end && is_define && ++define_words <= 2) {
                /* "define", then the macro's name: naming a macro calls nothing */
                if (define_words == 2) macro = w;
                continue;
            }
            if (macro) VEC_PUSH(macro->body, w);
            if (!directive_end && w->last_code_scan != stamp) {
                w->last_code_scan = stamp;
                VEC_PUSH(out->code, w);
            }
            count_in(w, stamp);
            w->n_seen++;
            if (w->last_scan != stamp) {
                w->last_scan = stamp;
                VEC_PUSH(out->words, w);
            }
            if (!directive_end && depth == 0) def_ident(&d, w);
            continue;
        }
        if (c >= '0' && c <= '9') {
            while (ident_char(*p) || *p == '.') p++;
            prev = '0';
            continue;
        }
        p++;
        prev = c == '-' && *p == '>' ? '>' : c;
        if (prev == '>' && c == '-') p++;
        if (directive_end) {
            if (c == '#' && *p == '#' && macro) macro->macro_pastes = true; /* pasted names */
            continue;
        }
        bool extern_block = extern_string;
        after_extern = extern_string = false;
        bool record_body = tag_words > 0;
        tag_words = 0;
        if (c == '{' && extern_block && depth == 0) {
            extern_blocks++;
        } else if (c == '{') {
            if (depth == 0) def_brace(&d, out, stamp);
            depth++;
            if (record_body && record_depth == 0 && depth == 1) record_depth = 1;
        } else if (c == '}') {
            if (depth == 0 && extern_blocks > 0) extern_blocks--;
            else if (depth == 0) unbalanced = true;
            else depth--;
            if (depth < record_depth) record_depth = 0;
        } else if (depth == 0) {
            def_punct(&d, c, out, stamp);
        }
    }
    if (depth != 0 || unbalanced || extern_blocks != 0) out->unsure = true;
    if (header) drop_declared_only(out, stamp);
    VEC_FREE(d.inner);
}

static void scan_free(Scan *s)
{
    for (int i = 0; i < s->includes.len; i++) free(s->includes.items[i].name);
    VEC_FREE(s->includes);
    VEC_FREE(s->words);
    VEC_FREE(s->defs);
    VEC_FREE(s->code);
    VEC_FREE(s->members);
    VEC_FREE(s->written);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

/* The text of a file when it can be scanned: readable, no NUL byte, not
 * huge. */
static char *read_text(const char *path)
{
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (text && (strlen(text) != len || len > TEXTSCAN_MAX_BYTES)) {
        free(text);
        text = NULL;
    }
    return text;
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
    char *text = read_text(path);
    if (!text) h->scan.unsure = true;
    else scan_text(ix, text, &h->scan, true);
    free(text);
    for (int i = 0; i < h->scan.defs.len; i++) VEC_PUSH(h->scan.defs.items[i]->def_headers, h);
    return h;
}

static char not_found[] = ""; /* TextIndex.probes: the candidate is not there */

/* dir/name when it can be read (owned), else NULL. Memoised per candidate
 * path: every file of a folder includes the same headers, and a system
 * header is looked for in every -I folder of every file. */
static char *find_in(TextIndex *ix, const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    void **slot = strmap_slot(&ix->probes, p);
    if (!*slot) {
        char *norm = path_normalize(p, NULL);
        if (access(norm, R_OK) == 0) {
            *slot = norm;
        } else {
            free(norm);
            *slot = not_found;
        }
        p = NULL; /* the map keeps the key */
    }
    free(p);
    return *slot == not_found ? NULL : xstrdup(*slot);
}

static char *resolve(TextIndex *ix, const IncludeFlags *fl, const char *from_dir, const Include *inc)
{
    if (inc->name[0] == '/') return access(inc->name, R_OK) == 0 ? path_normalize(inc->name, NULL) : NULL;
    char *found = inc->angle ? NULL : find_in(ix, from_dir, inc->name);
    for (int i = 0; !found && !inc->angle && i < fl->quote_dirs.len; i++)
        found = find_in(ix, fl->quote_dirs.items[i], inc->name);
    for (int i = 0; !found && i < fl->dirs.len; i++) found = find_in(ix, fl->dirs.items[i], inc->name);
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
                            : takes_path(a, "-I", &v) ? (void *)&fl->dirs
                                                      : NULL;
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

static void add_words(const Scan *s, int file)
{
    for (int i = 0; i < s->written.len; i++) {
        Word *w = s->written.items[i];
        if (w->last_write_file == file) continue;
        w->last_write_file = file;
        VEC_PUSH(w->written_files, file);
    }
    for (int i = 0; i < s->members.len; i++) {
        Word *w = s->members.items[i];
        if (w->last_member_file == file) continue;
        w->last_member_file = file;
        VEC_PUSH(w->member_files, file);
    }
    for (int i = 0; i < s->words.len; i++) {
        Word *w = s->words.items[i];
        if (w->last_file == file) continue;
        w->last_file = file;
        VEC_PUSH(w->files, file);
    }
}

/* Adds the words of every header `s` includes, transitively; true when one
 * of them is unsure. */
static bool follow_includes(TextIndex *ix, const Scan *s, const char *dir, const IncludeFlags *fl, int file)
{
    bool unsure = s->unsure;
    for (int i = 0; i < s->includes.len; i++) {
        char *path = resolve(ix, fl, dir, &s->includes.items[i]);
        if (!path) {
            /* a "quoted" header found in no folder of the file: most likely
             * missing (the parse would fail, which a run must report: SPEC
             * §2), or a system one — either way the text cannot tell */
            if (!s->includes.items[i].angle) unsure = true;
            continue;
        }
        Header *h = header_get(ix, path);
        free(path);
        if (h->visit_file == file) continue;
        h->visit_file = file;
        VEC_PUSH(h->includers, file);
        add_words(&h->scan, file);
        unsure = follow_includes(ix, &h->scan, h->dir, fl, file) || unsure;
    }
    return unsure;
}

static void index_file(TextIndex *ix, int file, const char *path, char **args, int nargs, const char *cwd)
{
    IncludeFlags fl = {0};
    read_flags(args, nargs, cwd, &fl);
    char *text = read_text(path);
    Scan s = {0};
    bool unsure = fl.unsure || !text;
    if (!unsure) {
        scan_text(ix, text, &s, false);
        add_words(&s, file);
        for (int i = 0; i < s.defs.len; i++) VEC_PUSH(s.defs.items[i]->def_files, file);
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
    ix->own_code[file].items = s.code.items; /* kept until the pastes are known */
    ix->own_code[file].len = s.code.len;
    s.code.items = NULL;
    s.code.len = s.code.cap = 0;
    scan_free(&s);
    free(text);
    flags_free(&fl);
}

static bool invokes_pasting(const Word *const *code, int n)
{
    for (int i = 0; i < n; i++)
        if (code[i]->pasting) return true;
    return false;
}

/* Which macros may paste (they do, or their bodies name one that does,
 * to a fixpoint), then which files invoke one outside a #define. */
static void mark_pastes(TextIndex *ix)
{
    for (size_t i = 0; i < ix->words.cap; i++) {
        Word *w = ix->words.slots[i].key ? ix->words.slots[i].value : NULL;
        if (w) w->pasting = w->macro_pastes;
    }
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < ix->words.cap; i++) {
            Word *w = ix->words.slots[i].key ? ix->words.slots[i].value : NULL;
            if (!w || w->pasting) continue;
            for (int k = 0; k < w->body.len && !w->pasting; k++) w->pasting = w->body.items[k]->pasting;
            grew = grew || w->pasting;
        }
    }
    for (int f = 0; f < ix->n_files; f++)
        ix->pastes[f] = invokes_pasting((const Word *const *)ix->own_code[f].items, ix->own_code[f].len);
    for (size_t i = 0; i < ix->headers.cap; i++) {
        Header *h = ix->headers.slots[i].key ? ix->headers.slots[i].value : NULL;
        if (!h || !invokes_pasting((const Word *const *)h->scan.code.items, h->scan.code.len)) continue;
        for (int k = 0; k < h->includers.len; k++) ix->pastes[h->includers.items[k]] = true;
    }
}

TextIndex *textindex_build(char *const *files, int n_files, char **const *args, const int *nargs,
                           const char *cwd)
{
    TextIndex *ix = xcalloc(1, sizeof *ix);
    ix->n_files = n_files;
    ix->unsure = xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof(bool));
    ix->pastes = xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof(bool));
    ix->own_code = xcalloc((size_t)(n_files > 0 ? n_files : 1), sizeof *ix->own_code);
    for (int i = 0; i < n_files; i++) index_file(ix, i, files[i], args[i], nargs[i], cwd);
    mark_pastes(ix);
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

bool textindex_pastes(const TextIndex *ix, int file)
{
    return file >= 0 && file < ix->n_files && ix->pastes[file];
}

/* Does `file`'s text mention the n characters at s as a word? */
static bool mentions_n(const TextIndex *ix, int file, const char *s, size_t n)
{
    bool digits = true;
    for (size_t i = 0; i < n; i++) digits = digits && s[i] >= '0' && s[i] <= '9';
    if (digits) return true; /* `x ## 1` */
    char buf[256];
    if (n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const Word *w = strmap_get(&ix->words, buf);
    if (!w) return false;
    int lo = 0, hi = w->files.len - 1; /* postings are ascending */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (w->files.items[mid] == file) return true;
        if (w->files.items[mid] < file) lo = mid + 1;
        else hi = mid - 1;
    }
    return false;
}

static bool pasteable(const TextIndex *ix, int file, const char *s, size_t n, int depth)
{
    for (size_t k = 1; k < n; k++) {
        if (!mentions_n(ix, file, s, k)) continue;
        if (mentions_n(ix, file, s + k, n - k)) return true;
        if (depth < 3 && pasteable(ix, file, s + k, n - k, depth + 1)) return true;
    }
    return false;
}

bool textindex_may_paste(const TextIndex *ix, int file, const char *word)
{
    return textindex_pastes(ix, file) && pasteable(ix, file, word, strlen(word), 0);
}

const int *textindex_files_writing(const TextIndex *ix, const char *word, int *n)
{
    const Word *w = strmap_get(&ix->words, word);
    *n = w ? w->written_files.len : 0;
    return w ? w->written_files.items : NULL;
}

const int *textindex_files_naming_member(const TextIndex *ix, const char *word, int *n)
{
    const Word *w = strmap_get(&ix->words, word);
    *n = w ? w->member_files.len : 0;
    return w ? w->member_files.items : NULL;
}

const int *textindex_files_defining(const TextIndex *ix, const char *word, int *n)
{
    const Word *w = strmap_get(&ix->words, word);
    *n = w ? w->def_files.len : 0;
    return w ? w->def_files.items : NULL;
}

void textindex_header_definitions(const TextIndex *ix, const char *word,
                                  void (*each)(const int *files, int n, void *data), void *data)
{
    const Word *w = strmap_get(&ix->words, word);
    for (int i = 0; w && i < w->def_headers.len; i++)
        each(w->def_headers.items[i]->includers.items, w->def_headers.items[i]->includers.len, data);
}

void textindex_each_word(const TextIndex *ix, void (*fn)(const char *word, void *data), void *data)
{
    for (size_t i = 0; i < ix->words.cap; i++)
        if (ix->words.slots[i].key) fn(ix->words.slots[i].key, data);
}

void textindex_free(TextIndex *ix)
{
    if (!ix) return;
    for (size_t i = 0; i < ix->words.cap; i++) {
        Word *w = ix->words.slots[i].key ? ix->words.slots[i].value : NULL;
        if (!w) continue;
        VEC_FREE(w->files);
        VEC_FREE(w->def_files);
        VEC_FREE(w->def_headers);
        VEC_FREE(w->body);
        VEC_FREE(w->member_files);
        VEC_FREE(w->written_files);
        free(w->text);
        free(w);
    }
    for (size_t i = 0; i < ix->headers.cap; i++) {
        Header *h = ix->headers.slots[i].key ? ix->headers.slots[i].value : NULL;
        if (!h) continue;
        scan_free(&h->scan);
        VEC_FREE(h->includers);
        free(h->path);
        free(h->dir);
        free(h);
    }
    strmap_free(&ix->words);
    strmap_free(&ix->headers);
    for (size_t i = 0; i < ix->probes.cap; i++) {
        if (!ix->probes.slots[i].key) continue;
        free((char *)ix->probes.slots[i].key);
        if (ix->probes.slots[i].value != not_found) free(ix->probes.slots[i].value);
    }
    strmap_free(&ix->probes);
    free(ix->unsure);
    free(ix->pastes);
    for (int f = 0; f < ix->n_files; f++) VEC_FREE(ix->own_code[f]);
    free(ix->own_code);
    free(ix);
}
