/* test_cli.c — cli_parse: defaults, every option in both long spellings,
 * short forms, `--`, action precedence, and usage errors (exit status 2,
 * one "connlint: error:" line plus the --help pointer). */
#include <stdlib.h>

#include "capture_stderr.h"
#include "cli/cli.h"
#include "unit.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int parse(int argc, char **argv, Options *o)
{
    return cli_parse(argc, argv, o);
}

static void test_defaults(void)
{
    char *argv[] = {"connlint"};
    Options o;
    CHECK(parse(ARGC(argv), argv, &o) == 0);
    CHECK(o.action == ACTION_RUN);
    CHECK(o.format == FORMAT_TEXT);
    CHECK(o.fail_on == LEVEL_WARNING);
    CHECK(o.jobs == 0);
    CHECK(o.parse_timeout == -1 && o.parse_memory_limit == -1); /* not given: the config's, else the defaults */
    CHECK(o.n_paths == 0 && o.n_clang_args == 0 && !o.keep_going);
    options_free(&o);
}

static void test_all_options(void)
{
    char *argv[] = {"connlint", "--config", "c.json", "--rules=libpq", "--rules", "x/p.json",
                    "--handlers", "src/h/**", "--exclude=third_party/**", "-p", "build",
                    "--format", "sarif", "-o", "out.sarif", "-j4", "--srcroot=/repo",
                    "--baseline", "old.sarif", "--write-baseline", "new.sarif", "--fail-on=error",
                    "--keep-going", "--report-unused-suppressions", "--category", "connlint/c",
                    "src", "lib/a.c", "--", "-Iinclude", "--rules", "-DX"};
    Options o;
    CHECK(parse(ARGC(argv), argv, &o) == 0);
    CHECK_STR(o.config, "c.json");
    CHECK(o.n_rules == 2);
    if (o.n_rules == 2) {
        CHECK_STR(o.rules[0], "libpq");
        CHECK_STR(o.rules[1], "x/p.json");
    }
    CHECK(o.n_handlers == 1 && o.n_exclude == 1);
    CHECK_STR(o.exclude[0], "third_party/**");
    CHECK_STR(o.compile_commands, "build");
    CHECK(o.format == FORMAT_SARIF);
    CHECK_STR(o.output, "out.sarif");
    CHECK(o.jobs == 4);
    CHECK_STR(o.srcroot, "/repo");
    CHECK_STR(o.baseline, "old.sarif");
    CHECK_STR(o.write_baseline, "new.sarif");
    CHECK(o.fail_on == LEVEL_ERROR);
    CHECK(o.keep_going && o.report_unused_suppressions);
    CHECK_STR(o.category, "connlint/c");
    CHECK(o.n_paths == 2);
    CHECK(o.n_clang_args == 3); /* everything after -- , even option-like words */
    if (o.n_clang_args == 3) CHECK_STR(o.clang_args[1], "--rules");
    options_free(&o);
}

static void test_parse_limits(void)
{
    char *argv[] = {"connlint", "--parse-timeout", "0", "--parse-memory-limit=512"};
    Options o;
    CHECK(parse(ARGC(argv), argv, &o) == 0);
    CHECK(o.parse_timeout == 0 && o.parse_memory_limit == 512);
    options_free(&o);
}

static void test_short_forms(void)
{
    char *argv[] = {"connlint", "-j", "2", "-pbuild/x", "-oreport.txt", "--format=github",
                    "--output=r2.txt", "--jobs=8", "--compile-commands", "cc.json"};
    Options o;
    CHECK(parse(ARGC(argv), argv, &o) == 0);
    CHECK(o.jobs == 8);
    CHECK_STR(o.compile_commands, "cc.json");
    CHECK_STR(o.output, "r2.txt");
    CHECK(o.format == FORMAT_GITHUB);
    options_free(&o);
}

static void test_actions(void)
{
    Options o;
    char *a1[] = {"connlint", "--list-rules", "--help"};
    CHECK(parse(ARGC(a1), a1, &o) == 0 && o.action == ACTION_HELP);
    options_free(&o);
    char *a2[] = {"connlint", "--version"};
    CHECK(parse(ARGC(a2), a2, &o) == 0 && o.action == ACTION_VERSION);
    options_free(&o);
    char *a3[] = {"connlint", "--explain", "double-release"};
    CHECK(parse(ARGC(a3), a3, &o) == 0 && o.action == ACTION_EXPLAIN);
    CHECK_STR(o.explain_rule, "double-release");
    options_free(&o);
    char *a4[] = {"connlint", "--dump-cfg=src/a.c:main"};
    CHECK(parse(ARGC(a4), a4, &o) == 0 && o.action == ACTION_DUMP_CFG);
    CHECK_STR(o.dump_cfg, "src/a.c:main");
    options_free(&o);
    char *a5[] = {"connlint", "--list-packs", "-h"};
    CHECK(parse(ARGC(a5), a5, &o) == 0 && o.action == ACTION_HELP);
    options_free(&o);
    char *a6[] = {"connlint", "--format", "json", "--format", "text"}; /* last one wins */
    CHECK(parse(ARGC(a6), a6, &o) == 0 && o.format == FORMAT_TEXT);
    options_free(&o);
    char *a7[] = {"connlint", "--format", "codeclimate"};
    CHECK(parse(ARGC(a7), a7, &o) == 0 && o.format == FORMAT_CODECLIMATE);
    options_free(&o);
    char *a8[] = {"connlint", "--format=checkstyle", "--init", "src"};
    CHECK(parse(ARGC(a8), a8, &o) == 0 && o.format == FORMAT_CHECKSTYLE && o.action == ACTION_INIT &&
          o.n_paths == 1);
    options_free(&o);
}

/* argv must fail with status 2 and exactly: "connlint: error: MSG\nTry ...\n" */
static void expect_error(int argc, char **argv, const char *msg)
{
    Options o;
    capture_begin();
    int st = parse(argc, argv, &o);
    char *err = capture_end();
    char *want = xasprintf("connlint: error: %s\nTry 'connlint --help' for more information.\n", msg);
    CHECK(st == 2);
    CHECK_STR(err, want);
    free(want);
    free(err);
}

static void test_errors(void)
{
    char *e1[] = {"connlint", "--hanlders", "x"};
    expect_error(ARGC(e1), e1, "unrecognized option '--hanlders'");
    char *e2[] = {"connlint", "--format"};
    expect_error(ARGC(e2), e2, "option '--format' requires a value");
    char *e3[] = {"connlint", "--format", "xml"};
    expect_error(ARGC(e3), e3, "invalid value 'xml' for --format (expected text, sarif, github, json, codeclimate or checkstyle)");
    char *e4[] = {"connlint", "-j", "0"};
    expect_error(ARGC(e4), e4, "invalid number '0' for -j (expected a positive integer)");
    char *e5[] = {"connlint", "-j", "x"};
    expect_error(ARGC(e5), e5, "invalid number 'x' for -j (expected a positive integer)");
    char *e6[] = {"connlint", "--jobs=4x"};
    expect_error(ARGC(e6), e6, "invalid number '4x' for --jobs (expected a positive integer)");
    char *e7[] = {"connlint", "--fail-on", "fatal"};
    expect_error(ARGC(e7), e7, "invalid value 'fatal' for --fail-on (expected error, warning, note or none)");
    char *e8[] = {"connlint", "--keep-going=yes"};
    expect_error(ARGC(e8), e8, "option '--keep-going' takes no value");
    char *e9[] = {"connlint", "-x"};
    expect_error(ARGC(e9), e9, "unrecognized option '-x'");
    char *e10[] = {"connlint", "-o"};
    expect_error(ARGC(e10), e10, "option '-o' requires a value");
    char *e11[] = {"connlint", "-j", "-3"};
    expect_error(ARGC(e11), e11, "invalid number '-3' for -j (expected a positive integer)");
    char *e12[] = {"connlint", "--parse-timeout", "-1"};
    expect_error(ARGC(e12), e12, "invalid value '-1' for --parse-timeout (expected seconds, 0 for no limit)");
    char *e13[] = {"connlint", "--parse-timeout=86401"};
    expect_error(ARGC(e13), e13, "invalid value '86401' for --parse-timeout (expected seconds, 0 for no limit)");
    char *e14[] = {"connlint", "--parse-memory-limit", "100"};
    expect_error(ARGC(e14), e14, "invalid value '100' for --parse-memory-limit (expected MiB, at least 256, or 0 for no limit)");
}

/* Issue 13 item 6: empty and match-all patterns are usage errors. */
static void test_match_all_patterns(void)
{
    char *e1[] = {"connlint", "--exclude", ""};
    expect_error(ARGC(e1), e1, "--exclude '' matches every file (an empty or match-all pattern)");
    char *e2[] = {"connlint", "--handlers="};
    expect_error(ARGC(e2), e2, "--handlers '' matches every file (an empty or match-all pattern)");
    char *e3[] = {"connlint", "--exclude", "**"};
    expect_error(ARGC(e3), e3, "--exclude '**' matches every file (an empty or match-all pattern)");
    char *e4[] = {"connlint", "--exclude", "."};
    expect_error(ARGC(e4), e4, "--exclude '.' matches every file (an empty or match-all pattern)");
    char *e5[] = {"connlint", "--handlers", "."};
    expect_error(ARGC(e5), e5, "--handlers '.' matches every file (an empty or match-all pattern)");
    char *ok[] = {"connlint", "--exclude", "third_party/**", "--handlers", "src/handlers/*.c", "--handlers", "**"};
    Options o;
    CHECK(parse(ARGC(ok), ok, &o) == 0);
    options_free(&o);
}

int main(void)
{
    test_defaults();
    test_all_options();
    test_short_forms();
    test_parse_limits();
    test_actions();
    test_errors();
    test_match_all_patterns();
    UNIT_MAIN_END();
}
