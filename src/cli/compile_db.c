/* compile_db.c — per-file compiler flags from compile_commands.json. Reads
 * both the "arguments" and the "command" form (split like a POSIX shell:
 * quotes and backslashes), resolves a relative "directory" against the
 * database's folder and "file" against "directory", and keeps only what
 * libclang needs to parse the file the same way: -I -D -U -include -imacros
 * -isystem -iquote -idirafter --sysroot -isysroot -std= -x -target -nostdinc,
 * and the -f / -m flags that change parsing (a list: GCC-only ones would make
 * the clang driver fail); include paths are made absolute. Dropped: the compiler, -c,
 * -o FILE, the input files, -M* dependency flags, warnings (-W*),
 * optimisation and linker flags. When a file has several entries the first
 * one is used; a file is found under its own path or, failing that, its
 * real path (symbolic links). Does not run the compiler, does not expand @response files. */
#include "cli/compile_db.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/glob.h"
#include "cli/json_pos.h"
#include "common/util.h"

typedef struct {
    char *file;   /* absolute, normalised */
    char *real;   /* realpath of file, or NULL when it does not exist */
    char **flags;
    int n_flags;
    int order;    /* position in the database: the first entry wins */
} DbEntry;

struct CompileDb {
    DbEntry *entries; /* sorted by file, then order; one per file */
    int n;
    char **files;     /* entries[i].file, for compile_db_files */
};

typedef VEC(char *) ArgVec;

/* POSIX-shell-like word splitting of a "command" string. */
static void split_command(const char *s, ArgVec *out)
{
    StrBuf word;
    sb_init(&word);
    bool in_word = false;
    char quote = 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (quote == '\'') {
            if (c == '\'') quote = 0;
            else sb_append_char(&word, c);
        } else if (quote == '"') {
            if (c == '"') quote = 0;
            else if (c == '\\' && p[1] && strchr("\"\\$`", p[1])) sb_append_char(&word, *++p);
            else sb_append_char(&word, c);
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && p[1]) {
            sb_append_char(&word, *++p);
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) VEC_PUSH(*out, sb_take(&word));
            if (!word.data) sb_init(&word);
            in_word = false;
        } else {
            sb_append_char(&word, c);
            in_word = true;
        }
    }
    if (in_word) VEC_PUSH(*out, sb_take(&word));
    sb_free(&word);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0) return true;
    return false;
}

/* Flags followed by a path, kept with the path made absolute. */
static const char *const path_flags[] = {
    "-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-isysroot", "--sysroot", NULL,
};
/* Flags followed by a value, kept as they are. */
static const char *const value_flags[] = {"-D", "-U", "-x", "-target", NULL};
/* Flags followed by a value, dropped with it. */
static const char *const dropped_value_flags[] = {
    "-o", "-MF", "-MT", "-MQ", "-Xclang", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-L",
    "-arch", "-z", "-T", "-u", NULL,
};

/* -include FILE / -imacros FILE: the compiler looks for a relative FILE in
 * its working directory (the entry's directory) first, then along the
 * include path like #include "FILE". Found in the directory: made absolute;
 * otherwise kept as written, so libclang searches the (absolute) include
 * path the same way. */
static bool forced_include_flag(const char *flag)
{
    return strcmp(flag, "-include") == 0 || strcmp(flag, "-imacros") == 0;
}

static void push_path_flag(ArgVec *out, const char *flag, const char *value, const char *dir)
{
    char *abs = path_normalize(value, dir);
    struct stat st;
    if (forced_include_flag(flag) && value[0] != '/' && stat(abs, &st) != 0) {
        free(abs);
        abs = xstrdup(value);
    }
    VEC_PUSH(*out, xstrdup(flag));
    VEC_PUSH(*out, abs);
}

/* A path flag written joined: -Iinc, -isystemDIR, --sysroot=/x. Returns
 * true if handled. */
static bool joined_path_flag(ArgVec *out, const char *a, const char *dir)
{
    for (int i = 0; path_flags[i]; i++) {
        const char *f = path_flags[i];
        size_t n = strlen(f);
        if (strncmp(a, f, n) != 0 || a[n] == '\0') continue;
        const char *value = a + n;
        if (value[0] == '=') value++;
        else if (strcmp(f, "--sysroot") == 0) continue;
        push_path_flag(out, f, value, dir);
        return true;
    }
    return false;
}

static bool has_prefix_in(const char *s, const char *const *prefixes)
{
    for (int i = 0; prefixes[i]; i++)
        if (starts_with(s, prefixes[i])) return true;
    return false;
}

/* -f and -m flags clang understands and that change how code parses (macros,
 * language extensions, target features); other GCC flags could make the
 * clang driver fail on an unknown argument. */
static const char *const kept_f_m_prefixes[] = {
    "-fms-", "-fblocks", "-fno-builtin", "-fbuiltin", "-fsigned-char", "-funsigned-char",
    "-fshort-", "-fgnu89-inline", "-fopenmp", "-fdeclspec", "-fpic", "-fPIC", "-fpie", "-fPIE",
    "-fcommon", "-fno-common", "-fasm", "-fno-asm", "-fdollars-in-identifiers",
    "-fno-dollars-in-identifiers", "-fgnu-keywords", "-fno-gnu-keywords", "-fwrapv", "-fno-wrapv",
    "-ftrapv", "-fno-signed-char", "-fno-unsigned-char", "-fexceptions", "-fno-exceptions",
    "-m32", "-m64", "-mx32", "-march=", "-mcpu=", "-msse", "-mavx", "-mfma", "-mbmi", "-mpopcnt",
    "-maes", "-mpclmul", "-mfpu=", "-mfloat-abi=", "-mthumb", "-marm", "-mabi=", "-mno-sse",
    "-mno-avx", "-mrdrnd", "-msha", "-mcrc32", NULL,
};

static bool kept_single_flag(const char *a)
{
    if (starts_with(a, "-W") || starts_with(a, "-M")) return false;
    if (starts_with(a, "-f") || starts_with(a, "-m")) return has_prefix_in(a, kept_f_m_prefixes);
    return starts_with(a, "-std=") || starts_with(a, "-D") || starts_with(a, "-U") ||
           starts_with(a, "--target=") || starts_with(a, "-x") || strcmp(a, "-nostdinc") == 0 ||
           strcmp(a, "-ansi") == 0 || strcmp(a, "-pthread") == 0;
}

/* args[0] is the compiler. */
static void filter_flags(char **args, int n, const char *dir, ArgVec *out)
{
    for (int i = 1; i < n; i++) {
        const char *a = args[i];
        bool has_next = i + 1 < n;
        if (in_list(a, path_flags)) {
            if (has_next) push_path_flag(out, a, args[++i], dir);
        } else if (in_list(a, value_flags)) {
            if (has_next) {
                VEC_PUSH(*out, xstrdup(a));
                VEC_PUSH(*out, xstrdup(args[++i]));
            }
        } else if (in_list(a, dropped_value_flags)) {
            i++;
        } else if (a[0] != '-') {
            /* an input file (the source itself, objects, libraries) */
        } else if (joined_path_flag(out, a, dir)) {
            /* done */
        } else if (kept_single_flag(a)) {
            VEC_PUSH(*out, xstrdup(a));
        }
    }
}

static const char *entry_string(JsonCheck *jc, const cJSON *e, const char *key, bool required, bool *ok)
{
    const char *s = NULL;
    if (!jsoncheck_string(jc, e, key, required, &s)) *ok = false;
    return s;
}

/* The raw words of an entry: "arguments" or "command". */
static bool entry_words(JsonCheck *jc, const cJSON *e, ArgVec *words)
{
    const cJSON *arguments = cJSON_GetObjectItemCaseSensitive(e, "arguments");
    if (arguments) {
        char **arr = NULL;
        int n = 0;
        if (!jsoncheck_string_array(jc, e, "arguments", &arr, &n)) return false;
        for (int i = 0; i < n; i++) VEC_PUSH(*words, arr[i]);
        free(arr);
        return true;
    }
    bool ok = true;
    const char *command = entry_string(jc, e, "command", false, &ok);
    if (!ok) return false;
    if (!command) {
        jsoncheck_error(jc, e, NULL, "entry has neither 'arguments' nor 'command'");
        return false;
    }
    split_command(command, words);
    return true;
}

static bool parse_entry(JsonCheck *jc, const cJSON *e, const char *db_dir, DbEntry *out)
{
    if (!jsoncheck_is_object(jc, e, "a compile_commands.json entry")) return false;
    bool ok = true;
    const char *directory = entry_string(jc, e, "directory", true, &ok);
    const char *file = entry_string(jc, e, "file", true, &ok);
    if (!ok) return false;
    ArgVec words = {0};
    if (!entry_words(jc, e, &words)) return false;
    char *dir = path_normalize(directory, db_dir);
    out->file = path_normalize(file, dir);
    ArgVec flags = {0};
    filter_flags(words.items, words.len, dir, &flags);
    VEC_GROW(flags); /* never NULL: an entry with no flags still has an entry */
    out->flags = flags.items;
    out->n_flags = flags.len;
    for (int i = 0; i < words.len; i++) free(words.items[i]);
    VEC_FREE(words);
    free(dir);
    return true;
}

static int cmp_entry(const void *a, const void *b)
{
    const DbEntry *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c) return c;
    return (x->order > y->order) - (x->order < y->order);
}

static void entry_free(DbEntry *e)
{
    free(e->file);
    free(e->real);
    for (int i = 0; i < e->n_flags; i++) free(e->flags[i]);
    free(e->flags);
}

/* Sorts and keeps the first entry of each file. */
static void dedupe_entries(CompileDb *db)
{
    if (db->n == 0) return;
    qsort(db->entries, (size_t)db->n, sizeof(DbEntry), cmp_entry);
    int w = 1;
    for (int r = 1; r < db->n; r++) {
        if (strcmp(db->entries[r].file, db->entries[w - 1].file) == 0) entry_free(&db->entries[r]);
        else db->entries[w++] = db->entries[r];
    }
    db->n = w;
    db->files = xcalloc((size_t)w + 1, sizeof(char *));
    for (int i = 0; i < w; i++) db->files[i] = db->entries[i].file;
    for (int i = 0; i < db->n; i++) db->entries[i].real = realpath(db->entries[i].file, NULL);
}

static bool parse_database(const char *text, const char *file, const char *db_dir, CompileDb *db)
{
    cJSON *root = json_parse_reporting(text, file);
    if (!root) return false;
    JsonCheck jc;
    jsoncheck_init(&jc, text, file, root);
    bool ok = cJSON_IsArray(root);
    if (!ok) jsoncheck_error(&jc, root, NULL, "compile_commands.json must be an array of entries");
    if (ok) {
        db->entries = xcalloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(DbEntry));
        for (const cJSON *e = root->child; e && ok; e = e->next) {
            ok = parse_entry(&jc, e, db_dir, &db->entries[db->n]);
            db->entries[db->n].order = db->n;
            if (ok) db->n++;
        }
    }
    jsoncheck_free(&jc);
    cJSON_Delete(root);
    return ok;
}

static char *database_file(const char *path)
{
    struct stat st;
    char *abs = path_normalize(path, NULL);
    if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode)) {
        char *f = xasprintf("%s/compile_commands.json", abs);
        free(abs);
        return f;
    }
    return abs;
}

CompileDb *compile_db_load(const char *path)
{
    char *file = database_file(path);
    size_t len = 0;
    char *text = read_file_all(file, &len);
    if (!text) {
        tool_error(file, 0, 0, "cannot read compilation database: %s", read_error_text(errno));
        free(file);
        return NULL;
    }
    if (!json_text_check(text, len, file, "compilation database")) {
        free(text);
        free(file);
        return NULL;
    }
    char *db_dir = path_normalize("..", file); /* the folder holding the file */
    CompileDb *db = xcalloc(1, sizeof *db);
    bool ok = parse_database(text, file, db_dir, db);
    free(text);
    free(db_dir);
    free(file);
    if (!ok) {
        compile_db_free(db);
        return NULL;
    }
    dedupe_entries(db);
    return db;
}

/* The same file reached through a symbolic link: compare real paths. */
static char **flags_by_realpath(const CompileDb *db, const char *file, int *n)
{
    char *real = realpath(file, NULL);
    char **flags = NULL;
    for (int i = 0; real && i < db->n && !flags; i++) {
        if (db->entries[i].real && strcmp(db->entries[i].real, real) == 0) {
            *n = db->entries[i].n_flags;
            flags = db->entries[i].flags;
        }
    }
    free(real);
    return flags;
}

char **compile_db_flags(const CompileDb *db, const char *file, int *n)
{
    *n = 0;
    if (!db) return NULL;
    int lo = 0, hi = db->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(db->entries[mid].file, file);
        if (c == 0) {
            *n = db->entries[mid].n_flags;
            return db->entries[mid].flags;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return flags_by_realpath(db, file, n);
}

char *const *compile_db_files(const CompileDb *db, int *n)
{
    *n = db->n;
    return db->files;
}

void compile_db_free(CompileDb *db)
{
    if (!db) return;
    free(db->files);
    for (int i = 0; i < db->n; i++) entry_free(&db->entries[i]);
    free(db->entries);
    free(db);
}
