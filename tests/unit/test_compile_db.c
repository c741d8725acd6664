/* test_compile_db.c — compile_commands.json: the "arguments" and "command"
 * forms, shell-like splitting, relative directory and file, first entry
 * wins, flag filtering (kept: -I -D -U -include -isystem -std -x and
 * parse-relevant -f/-m; dropped: compiler, -c, -o, sources, -M*, -W*, -O),
 * relative include paths made absolute, and broken databases rejected with
 * a position. Writes its databases into a temporary folder. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_stderr.h"
#include "cli/compile_db.h"
#include "unit.h"

static char dir[] = "/tmp/connlint-cdb-XXXXXX";

static void write_db(const char *text)
{
    char *formatted = xasprintf(text, dir);
    text = formatted;
    char *path = xasprintf("%s/compile_commands.json", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    free(path);
    free(formatted);
}

/* The flags as one space-separated string, or "(none)". */
static char *flags_of(const CompileDb *db, const char *file)
{
    int n = 0;
    char **flags = compile_db_flags(db, file, &n);
    if (!flags) return xstrdup("(none)");
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++) sb_printf(&sb, "%s%s", i ? " " : "", flags[i]);
    return sb_take(&sb);
}

static void check_flags(const CompileDb *db, const char *file, const char *want_fmt)
{
    char *abs = xasprintf(file, dir);
    char *want = xasprintf(want_fmt, dir, dir, dir, dir);
    char *got = flags_of(db, abs);
    CHECK_STR(got, want);
    free(got);
    free(want);
    free(abs);
}

static void test_forms(void)
{
    write_db("[\n"
             " {\"directory\": \"build\", \"file\": \"../src/a.c\",\n"
             "  \"arguments\": [\"/usr/bin/gcc\", \"-c\", \"-I../include\", \"-isystem\", \"/opt/x\",\n"
             "                \"-DA=1\", \"-D\", \"B\", \"-UC\", \"-O2\", \"-Wall\", \"-Werror\", \"-g\",\n"
             "                \"-MD\", \"-MF\", \"a.d\", \"-std=gnu11\", \"-fms-extensions\", \"-fno-tree-vrp\",\n"
             "                \"-m64\", \"-o\", \"a.o\", \"../src/a.c\"]},\n"
             " {\"directory\": \"%s\", \"file\": \"src/b.c\",\n"
             "  \"command\": \"cc -DMSG=\\\"hello world\\\" -DE=\\\\\\\"q\\\\\\\" -DQ='a b' -I inc -include cfg.h -c src/b.c -o b.o\"},\n"
             " {\"directory\": \"build\", \"file\": \"../src/a.c\", \"arguments\": [\"cc\", \"-DSECOND\", \"../src/a.c\"]},\n"
             " {\"directory\": \".\", \"file\": \"src/c.c\", \"arguments\": [\"cc\", \"src/c.c\"]}\n"
             "]\n");
    CompileDb *db = compile_db_load(dir);
    CHECK(db != NULL);
    if (!db) return;
    check_flags(db, "%s/src/a.c",
                "-I %s/include -isystem /opt/x -DA=1 -D B -UC -std=gnu11 -fms-extensions -m64");
    check_flags(db, "%s/src/b.c",
                "-DMSG=hello world -DE=\"q\" -DQ=a b -I %s/inc -include cfg.h");
    check_flags(db, "%s/src/c.c", "");            /* an entry with no flags still counts */
    check_flags(db, "%s/src/zzz.c", "(none)");    /* no entry */
    int n = -1;
    char *abs = xasprintf("%s/src/c.c", dir);
    CHECK(compile_db_flags(db, abs, &n) != NULL && n == 0);
    free(abs);
    compile_db_free(db);
}

/* -include FILE: found in the entry's directory it is made absolute; not
 * found there it stays as written, for libclang to find along the include
 * path as the compiler does. */
static void test_forced_include(void)
{
    char *present = xasprintf("%s/present.h", dir);
    FILE *f = fopen(present, "w");
    if (f) fclose(f);
    write_db("[{\"directory\": \"%s\", \"file\": \"d.c\", \"arguments\": [\"cc\", \"-include\", \"present.h\",\n"
             "  \"-include\", \"config/forced.h\", \"-imacros\", \"/abs/m.h\", \"-Iinc\", \"d.c\"]}]");
    CompileDb *db = compile_db_load(dir);
    CHECK(db != NULL);
    if (db) check_flags(db, "%s/d.c", "-include %s/present.h -include config/forced.h -imacros /abs/m.h -I %s/inc");
    compile_db_free(db);
    remove(present);
    free(present);
}

static void test_file_path_form(void)
{
    write_db("[{\"directory\": \"/w\", \"file\": \"/w/x.c\", \"arguments\": [\"cc\", \"-Ifoo\", \"x.c\"]}]");
    char *path = xasprintf("%s/compile_commands.json", dir);
    CompileDb *db = compile_db_load(path);
    CHECK(db != NULL);
    int n = 0;
    char **f = db ? compile_db_flags(db, "/w/x.c", &n) : NULL;
    CHECK(f && n == 2);
    if (f && n == 2) CHECK_STR(f[1], "/w/foo");
    compile_db_free(db);
    free(path);
}

static void test_symlinked_file(void)
{
    char *src = xasprintf("%s/real", dir);
    char *link = xasprintf("%s/alias", dir);
    char *file = xasprintf("%s/real/x.c", dir);
    mkdir(src, 0755);
    FILE *f = fopen(file, "w");
    if (f) fclose(f);
    CHECK(symlink(src, link) == 0);
    write_db("[{\"directory\": \"%s/real\", \"file\": \"x.c\", \"arguments\": [\"cc\", \"-DR\", \"x.c\"]}]");
    CompileDb *db = compile_db_load(dir);
    char *via_link = xasprintf("%s/alias/x.c", dir);
    int n = 0;
    char **flags = db ? compile_db_flags(db, via_link, &n) : NULL;
    CHECK(flags && n == 1);
    if (flags && n == 1) CHECK_STR(flags[0], "-DR");
    compile_db_free(db);
    remove(file);
    remove(link);
    rmdir(src);
    free(via_link);
    free(src);
    free(link);
    free(file);
}

static void expect_broken(const char *text, const char *where, const char *what)
{
    write_db(text);
    capture_begin();
    CompileDb *db = compile_db_load(dir);
    char *err = capture_end();
    char *located = xasprintf("compile_commands.json:%s: ", where);
    CHECK(db == NULL);
    CHECK(capture_has(err, located));
    CHECK(capture_has(err, what));
    compile_db_free(db);
    free(located);
    free(err);
}

static void test_broken(void)
{
    expect_broken("[\n {\"directory\": \"/w\", \"file\": \"x.c\",}\n]\n", "2:36", "invalid JSON");
    expect_broken("{\"directory\": \"/w\"}", "1:1", "must be an array");
    expect_broken("[\n {\"directory\": \"/w\", \"file\": \"x.c\"}\n]", "2:2", "neither 'arguments' nor 'command'");
    expect_broken("[\n {\"directory\": \"/w\", \"file\": 3, \"command\": \"cc\"}\n]", "2:30", "'file' must be a string");
    expect_broken("[\n {\"file\": \"x.c\", \"command\": \"cc\"}\n]", "2:2", "missing required key 'directory'");
}

static void test_missing(void)
{
    capture_begin();
    CompileDb *db = compile_db_load("/nonexistent/connlint-cdb");
    char *err = capture_end();
    CHECK(db == NULL);
    CHECK(capture_has(err, "cannot read compilation database"));
    free(err);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    test_forms();
    test_forced_include();
    test_file_path_form();
    test_symlinked_file();
    test_broken();
    test_missing();
    char *path = xasprintf("%s/compile_commands.json", dir);
    remove(path);
    free(path);
    rmdir(dir);
    UNIT_MAIN_END();
}
