/* test_glob.c — glob_match, path_normalize and path_relative: segments,
 * `**` (at start, end, middle, zero segments, repeated), `?`, dotfiles,
 * trailing slashes, and patterns that would blow up a naive matcher. */
#include <stdlib.h>

#include "cli/glob.h"
#include "unit.h"

static void test_star(void)
{
    CHECK(glob_match("/p/src/*.c", "/p/src/a.c"));
    CHECK(!glob_match("/p/src/*.c", "/p/src/sub/a.c"));   /* * stays in its segment */
    CHECK(!glob_match("/p/src/*.c", "/p/src/a.h"));
    CHECK(glob_match("/p/src/*", "/p/src/.hidden"));      /* dotfiles are not special */
    CHECK(glob_match("/p/*/x.c", "/p/src/x.c"));
    CHECK(!glob_match("/p/*/x.c", "/p/x.c"));              /* * is exactly one segment here */
    CHECK(glob_match("/p/a*b*c.c", "/p/abc.c"));
    CHECK(glob_match("/p/a*b*c.c", "/p/aXbYbZc.c"));
    CHECK(!glob_match("/p/a*b*c.c", "/p/aXbYbZ.c"));
}

static void test_question(void)
{
    CHECK(glob_match("/p/?.c", "/p/a.c"));
    CHECK(!glob_match("/p/?.c", "/p/ab.c"));
    CHECK(!glob_match("/p?x.c", "/p/x.c"));                /* ? never matches '/' */
}

static void test_globstar(void)
{
    CHECK(glob_match("/p/a/**/b", "/p/a/b"));              /* zero segments */
    CHECK(glob_match("/p/a/**/b", "/p/a/x/y/b"));
    CHECK(!glob_match("/p/a/**/b", "/p/a/x/y/c"));
    CHECK(glob_match("/p/third_party/**", "/p/third_party"));
    CHECK(glob_match("/p/third_party/**", "/p/third_party/z/lib.c"));
    CHECK(!glob_match("/p/third_party/**", "/p/third_party_x/lib.c"));
    CHECK(glob_match("**/*.c", "/any/where/x.c"));        /* ** at the start */
    CHECK(glob_match("**", "/x"));
    CHECK(glob_match("/p/**/**/x.c", "/p/x.c"));           /* consecutive ** */
    CHECK(glob_match("/p/**/**/x.c", "/p/a/b/c/x.c"));
    CHECK(glob_match("/p/src/functions/**", "/p/src/functions/a/b.c"));
    CHECK(!glob_match("/p/src/functions/**", "/p/src/other/b.c"));
    CHECK(glob_match("/p/**/test_*.c", "/p/tests/unit/test_glob.c"));
    CHECK(!glob_match("/p/**/test_*.c", "/p/tests/unit/glob.c"));
}

static void test_slashes(void)
{
    CHECK(glob_match("/p/build/", "/p/build"));            /* trailing slash */
    CHECK(glob_match("/p//build", "/p/build/"));
    CHECK(!glob_match("/p/build", "p/build"));             /* absolute vs relative */
    CHECK(glob_match("", ""));
    CHECK(!glob_match("/p/a", "/p"));
}

static void test_no_blowup(void)
{
    /* exponential for a backtracking-per-star matcher; instant here */
    CHECK(!glob_match("/p/*a*a*a*a*a*a*a*a*a*a*a*a*b", "/p/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    CHECK(!glob_match("/**/a/**/a/**/a/**/a/**/a/**/b",
                      "/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c"));
}

static void check_norm(const char *path, const char *base, const char *want)
{
    char *got = path_normalize(path, base);
    CHECK_STR(got, want);
    free(got);
}

static void check_rel(const char *path, const char *dir, const char *want)
{
    char *got = path_relative(path, dir);
    CHECK_STR(got, want);
    free(got);
}

static void test_paths(void)
{
    check_norm("src/a.c", "/p", "/p/src/a.c");
    check_norm("./src//./a.c", "/p/", "/p/src/a.c");
    check_norm("../x/a.c", "/p/q", "/p/x/a.c");
    check_norm("/abs/../b", "/ignored", "/b");
    check_norm("../../..", "/p", "/");
    check_norm(".", "/p/q/", "/p/q");
    check_rel("/p/src/a.c", "/p", "src/a.c");
    check_rel("/p/a.c", "/p/src", "../a.c");
    check_rel("/p", "/p", ".");
    check_rel("/q/x.c", "/p/r", "../../q/x.c");
    check_rel("/p/srcx/a.c", "/p/src", "../srcx/a.c");
}

static void check_display(const char *file, const char *dir, bool climb, const char *want)
{
    char *got = path_display(file, dir, climb);
    CHECK_STR(got, want);
    free(got);
}

/* The one spelling of paths in messages (no climbing) and reports. */
static void test_display(void)
{
    check_display("/p/src/a.c", "/p", false, "src/a.c");
    check_display("/p/src/a.c", "/p", true, "src/a.c");
    check_display("/q/x.c", "/p/r", false, "/q/x.c");
    check_display("/q/x.c", "/p/r", true, "../../q/x.c");
    check_display("/p/srcx/a.c", "/p/src", false, "/p/srcx/a.c");
    check_display("rel/a.c", "/p", true, "rel/a.c");
    check_display("/p/a.c", NULL, true, "/p/a.c");
    check_display(NULL, "/p", false, "<unknown>");
    check_display("/a.c", "/", false, "a.c");
}

int main(void)
{
    test_star();
    test_question();
    test_globstar();
    test_slashes();
    test_no_blowup();
    test_paths();
    test_display();
    UNIT_MAIN_END();
}
