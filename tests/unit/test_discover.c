/* test_discover.c — discovery over a temporary tree: recursive *.c in
 * sorted order, headers only when named, hidden folders skipped, excluded
 * folders not entered, a symlink loop and a missing PATH reported and
 * counted, a file reached twice listed once, and (when not root) an
 * unreadable folder reported. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_stderr.h"
#include "cli/discover.h"
#include "unit.h"

static char top[] = "/tmp/connlint-disc-XXXXXX";

static void touch(const char *rel)
{
    char *p = xasprintf("%s/%s", top, rel);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs("int x;\n", f);
        fclose(f);
    }
    free(p);
}

static void mkdir_rel(const char *rel)
{
    char *p = xasprintf("%s/%s", top, rel);
    mkdir(p, 0755);
    free(p);
}

static void build_tree(void)
{
    mkdir_rel("src");
    mkdir_rel("src/sub");
    mkdir_rel("src/.git");
    mkdir_rel("third_party");
    mkdir_rel("third_party/z");
    touch("src/b.c");
    touch("src/a.c");
    touch("src/sub/c.c");
    touch("src/sub/c.h");
    touch("src/sub/notes.txt");
    touch("src/.git/hook.c");
    touch("third_party/z/t.c");
    touch("main.c");
    char *target = xasprintf("%s/src", top);
    char *loop = xasprintf("%s/src/sub/loop", top);
    CHECK(symlink(target, loop) == 0);   /* src/sub/loop -> src */
    char *alias = xasprintf("%s/src/alias.c", top);
    char *real = xasprintf("%s/src/a.c", top);
    CHECK(symlink(real, alias) == 0);     /* the same file under another name */
    free(target);
    free(loop);
    free(alias);
    free(real);
}

static char *joined(const FileList *l)
{
    StrBuf sb;
    sb_init(&sb);
    size_t n = strlen(top);
    for (int i = 0; i < l->n_files; i++)
        sb_printf(&sb, "%s%s", i ? " " : "", strncmp(l->files[i], top, n) == 0 ? l->files[i] + n + 1 : l->files[i]);
    return sb_take(&sb);
}

static void test_walk(void)
{
    char *exclude = xasprintf("%s/third_party/**", top);
    char *paths[] = {top};
    FileList l = {0};
    capture_begin();
    bool ok = discover_files(paths, 1, &exclude, 1, &l);
    char *err = capture_end();
    CHECK(ok);
    char *got = joined(&l);
    CHECK_STR(got, "main.c src/a.c src/b.c src/sub/c.c");
    CHECK(l.n_errors == 1); /* the loop */
    CHECK(capture_has(err, "src/sub/loop: symbolic link loop"));
    free(got);
    free(err);
    filelist_free(&l);
    free(exclude);
}

static void test_explicit(void)
{
    char *h = xasprintf("%s/src/sub/c.h", top);
    char *a = xasprintf("%s/src/./sub/../a.c", top);
    char *missing = xasprintf("%s/nope.c", top);
    char *paths[] = {h, a, missing, a};
    FileList l = {0};
    capture_begin();
    discover_files(paths, 4, NULL, 0, &l);
    char *err = capture_end();
    char *got = joined(&l);
    CHECK_STR(got, "src/a.c src/sub/c.h"); /* normalised, once, a named header kept */
    CHECK(l.n_errors == 1);
    CHECK(capture_has(err, "nope.c: no such file or directory"));
    free(got);
    free(err);
    filelist_free(&l);
    free(h);
    free(a);
    free(missing);
}

static void test_relative_and_excluded_file(void)
{
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(top) == 0);
    char *ex = xasprintf("%s/src/b.c", top);
    char *paths[] = {"src"};
    FileList l = {0};
    capture_begin();
    discover_files(paths, 1, &ex, 1, &l);
    char *err = capture_end();
    char *got = joined(&l);
    CHECK_STR(got, "src/a.c src/sub/c.c");
    free(got);
    free(err);
    filelist_free(&l);
    free(ex);
    CHECK(chdir(cwd) == 0);
}

static void test_unreadable(void)
{
    if (geteuid() == 0) return; /* root reads everything: nothing to test */
    mkdir_rel("locked");
    touch("locked/l.c");
    char *locked = xasprintf("%s/locked", top);
    chmod(locked, 0);
    char *paths[] = {locked};
    FileList l = {0};
    capture_begin();
    discover_files(paths, 1, NULL, 0, &l);
    char *err = capture_end();
    CHECK(l.n_files == 0 && l.n_errors == 1);
    CHECK(capture_has(err, "cannot open directory"));
    chmod(locked, 0755);
    free(err);
    filelist_free(&l);
    free(locked);
}

/* Issue 13 item 7: a link to a folder outside the analysed paths is not
 * followed (with a warning); a link that stays inside still is. */
static void test_link_out_of_tree(void)
{
    char outside[] = "/tmp/connlint-outside-XXXXXX";
    CHECK(mkdtemp(outside) != NULL);
    char *outside_c = xasprintf("%s/x.c", outside);
    FILE *f = fopen(outside_c, "w");
    if (f) fclose(f);
    mkdir_rel("linked");
    touch("linked/in.c");
    char *out_link = xasprintf("%s/linked/out", top);
    char *proc_link = xasprintf("%s/linked/proc", top);
    CHECK(symlink(outside, out_link) == 0);
    CHECK(symlink("/proc/self", proc_link) == 0);
    char *root = xasprintf("%s/linked", top);
    char *paths[] = {root};
    FileList l = {0};
    capture_begin();
    discover_files(paths, 1, NULL, 0, &l);
    char *err = capture_end();
    char *got = joined(&l);
    CHECK_STR(got, "linked/in.c");
    CHECK(capture_has(err, "linked/out: symbolic link to a folder outside the analysed paths"));
    CHECK(capture_has(err, "linked/proc: symbolic link to a folder outside the analysed paths"));
    CHECK(l.n_errors == 0);
    free(got);
    free(err);
    filelist_free(&l);
    /* analysing the outside folder too makes the link an inside one */
    char *both[] = {root, outside};
    capture_begin();
    discover_files(both, 2, NULL, 0, &l);
    err = capture_end();
    CHECK(l.n_files == 2);
    free(err);
    filelist_free(&l);
    unlink(outside_c);
    rmdir(outside);
    free(outside_c);
    free(out_link);
    free(proc_link);
    free(root);
}

int main(void)
{
    if (!mkdtemp(top)) return 1;
    build_tree();
    test_walk();
    test_explicit();
    test_relative_and_excluded_file();
    test_unreadable();
    test_link_out_of_tree();
    char *cmd = xasprintf("rm -rf '%s'", top);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", top);
    free(cmd);
    UNIT_MAIN_END();
}
