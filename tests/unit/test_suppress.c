/* test_suppress.c — in-source suppressions (filter_suppress.c): every
 * comment form, placement (same line, line above, ranges), several rules in
 * one comment, unknown rule names, comments inside string literals, the
 * acquire-site suppression of connection-leak, and unused suppressions. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter/filter.h"
#include "checks/registry.h"
#include "unit.h"
#include "common/util.h"

static char tmpdir[] = "/tmp/connlint-suppress-XXXXXX";
static int file_counter;

/* Writes `text` to a fresh file; returns its absolute path (malloc'ed). */
static char *write_source(const char *text)
{
    char *path = xasprintf("%s/src%d.c", tmpdir, ++file_counter);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void add(FindingList *l, const char *file, int line, const char *rule)
{
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.level = LEVEL_ERROR;
    f.loc = findingloc_make(file, line, 5, line, 9, NULL);
    f.message = xstrdup("test finding");
    f.identity = xasprintf("%s:fn:%d", rule, line);
    findings_add(l, &f);
}

/* A connection-leak at exit_line whose acquire is at acquire_line. */
static void add_leak(FindingList *l, const char *file, int exit_line, int acquire_line)
{
    add(l, file, exit_line, RULE_CONNECTION_LEAK);
    Finding *f = &l->items[l->len - 1];
    f->related = xcalloc(1, sizeof(FindingLoc));
    f->related[0] = findingloc_make(file, acquire_line, 17, acquire_line, 30, "'conn' acquired here");
    f->n_related = 1;
}

/* Runs suppressions_apply with stderr captured into *err (malloc'ed), with
 * the files `s` scanned (NULL: none); frees s. */
static void apply_with(Suppressions *s, FindingList *l, bool unused_flag, FindingList *unused,
                       char **err)
{
    if (!s) s = suppressions_new();
    char *errpath = xasprintf("%s/stderr%d.txt", tmpdir, ++file_counter);
    fflush(stderr);
    int saved = dup(2);
    FILE *ef = fopen(errpath, "w");
    dup2(fileno(ef), 2);
    suppressions_apply(s, l, unused_flag, unused);
    suppressions_free(s);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(ef);
    *err = read_file_all(errpath, NULL);
    unlink(errpath);
    free(errpath);
}

static void apply(FindingList *l)
{
    char *err = NULL;
    apply_with(NULL, l, false, NULL, &err);
    free(err);
}

static void test_line_comment_same_line_and_above(void)
{
    char *file = write_source(
        "void f(void) {\n"                                     /* 1 */
        "    return; // connlint-ignore[connection-leak]\n"    /* 2 */
        "    // connlint-ignore[connection-leak]\n"            /* 3 */
        "    return;\n"                                        /* 4 */
        "    // connlint-ignore[connection-leak]\n"            /* 5 */
        "\n"                                                   /* 6 */
        "    return;\n"                                        /* 7 */
        "    return;\n"                                        /* 8 */
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 2, RULE_DOUBLE_RELEASE);     /* other rule: not suppressed */
    add(&l, file, 4, RULE_CONNECTION_LEAK);    /* comment alone above */
    add(&l, file, 7, RULE_CONNECTION_LEAK);    /* blank line between: not */
    add(&l, file, 8, RULE_CONNECTION_LEAK);
    apply(&l);
    CHECK(l.items[0].suppressed);
    CHECK_STR(l.items[0].suppression_text, "// connlint-ignore[connection-leak]");
    CHECK(!l.items[1].suppressed);
    CHECK(l.items[2].suppressed);
    CHECK(!l.items[3].suppressed);
    CHECK(!l.items[4].suppressed);
    CHECK(l.items[4].suppression_text == NULL);
    findings_free(&l);
    free(file);
}

static void test_trailing_comment_does_not_reach_next_line(void)
{
    char *file = write_source(
        "void f(void) {\n"
        "    g(); // connlint-ignore[double-release]\n"
        "    g();\n"
        "}\n");
    FindingList l = {0};
    add(&l, file, 3, RULE_DOUBLE_RELEASE);
    apply(&l);
    CHECK(!l.items[0].suppressed);
    findings_free(&l);
    free(file);
}

static void test_block_comment_and_stacked_comments(void)
{
    char *file = write_source(
        "void f(void) {\n"                                         /* 1 */
        "    /* connlint-ignore[double-release] */\n"              /* 2 */
        "    g();\n"                                               /* 3 */
        "    /* connlint-ignore[use-after-release] */ g();\n"      /* 4 */
        "    // connlint-ignore[connection-leak]\n"                /* 5 */
        "    // the pool releases it\n"                            /* 6 */
        "    return;\n"                                            /* 7 */
        "}\n");
    FindingList l = {0};
    add(&l, file, 3, RULE_DOUBLE_RELEASE);
    add(&l, file, 4, RULE_USE_AFTER_RELEASE);
    add(&l, file, 7, RULE_CONNECTION_LEAK);
    apply(&l);
    CHECK(l.items[0].suppressed);
    CHECK_STR(l.items[0].suppression_text, "/* connlint-ignore[double-release] */");
    CHECK(l.items[1].suppressed);
    CHECK(l.items[2].suppressed);
    findings_free(&l);
    free(file);
}

static void test_nolint_forms(void)
{
    char *file = write_source(
        "void f(void) {\n"                                                    /* 1 */
        "    g(); // NOLINT(connlint-double-release)\n"                       /* 2 */
        "    // NOLINT(connlint-double-release)\n"                            /* 3 */
        "    g();\n"                                                          /* 4 */
        "    // NOLINTNEXTLINE(connlint-use-after-release)\n"                 /* 5 */
        "    g();\n"                                                          /* 6 */
        "    g(); // NOLINT\n"                                                /* 7 */
        "    g(); // NOLINT(*)\n"                                             /* 8 */
        "    g(); // NOLINT(bugprone-foo, connlint-use-after-release)\n"      /* 9 */
        "    g(); // NOLINT(connlint-*)\n"                                    /* 10 */
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_DOUBLE_RELEASE);
    add(&l, file, 4, RULE_DOUBLE_RELEASE);     /* NOLINT is same-line only */
    add(&l, file, 6, RULE_USE_AFTER_RELEASE);
    add(&l, file, 7, RULE_DOUBLE_RELEASE);     /* bare NOLINT is clang-tidy's */
    add(&l, file, 8, RULE_DOUBLE_RELEASE);     /* NOLINT(*) too */
    add(&l, file, 9, RULE_USE_AFTER_RELEASE);
    add(&l, file, 9, RULE_DOUBLE_RELEASE);     /* not named */
    add(&l, file, 10, RULE_CONNECTION_LEAK);
    apply(&l);
    CHECK(l.items[0].suppressed);
    CHECK(!l.items[1].suppressed);
    CHECK(l.items[2].suppressed);
    CHECK(!l.items[3].suppressed);
    CHECK(!l.items[4].suppressed);
    CHECK(l.items[5].suppressed);
    CHECK(!l.items[6].suppressed);
    CHECK(l.items[7].suppressed);
    findings_free(&l);
    free(file);
}

static void test_nolint_begin_end(void)
{
    char *file = write_source(
        "void f(void) {\n"                                      /* 1 */
        "    g();\n"                                            /* 2 */
        "    // NOLINTBEGIN(connlint-connection-leak)\n"        /* 3 */
        "    g();\n"                                            /* 4 */
        "    g();\n"                                            /* 5 */
        "    // NOLINTEND(connlint-connection-leak)\n"          /* 6 */
        "    g();\n"                                            /* 7 */
        "    // NOLINTBEGIN(connlint-double-release)\n"         /* 8 */
        "    g();\n"                                            /* 9 */
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 4, RULE_CONNECTION_LEAK);
    add(&l, file, 5, RULE_CONNECTION_LEAK);
    add(&l, file, 5, RULE_DOUBLE_RELEASE);
    add(&l, file, 7, RULE_CONNECTION_LEAK);
    add(&l, file, 9, RULE_DOUBLE_RELEASE);     /* never closed: suppresses nothing */
    char *err = NULL;
    apply_with(NULL, &l, false, NULL, &err);
    CHECK(!l.items[0].suppressed);
    CHECK(l.items[1].suppressed);
    CHECK(l.items[2].suppressed);
    CHECK(!l.items[3].suppressed);
    CHECK(!l.items[4].suppressed);
    CHECK(!l.items[5].suppressed);
    CHECK(err && strstr(err, "NOLINTBEGIN without a matching NOLINTEND"));
    char *where = xasprintf("%s:8:", file);
    CHECK(err && strstr(err, where));
    free(where);
    free(err);
    findings_free(&l);
    free(file);
}

static void test_several_rules_in_one_comment(void)
{
    char *file = write_source(
        "void f(void) {\n"
        "    g(); // connlint-ignore[connection-leak, double-release]\n"
        "    g(); // NOLINT(connlint-use-after-release,connlint-double-release)\n"
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 2, RULE_DOUBLE_RELEASE);
    add(&l, file, 2, RULE_USE_AFTER_RELEASE);
    add(&l, file, 3, RULE_USE_AFTER_RELEASE);
    add(&l, file, 3, RULE_DOUBLE_RELEASE);
    add(&l, file, 3, RULE_CONNECTION_LEAK);
    apply(&l);
    CHECK(l.items[0].suppressed);
    CHECK(l.items[1].suppressed);
    CHECK(!l.items[2].suppressed);
    CHECK(l.items[3].suppressed);
    CHECK(l.items[4].suppressed);
    CHECK(!l.items[5].suppressed);
    findings_free(&l);
    free(file);
}

static void test_bare_ignore_suppresses_all_and_warns(void)
{
    char *file = write_source(
        "void f(void) {\n"
        "    g(); // connlint-ignore\n"
        "    g(); // connlint-ignore[*]\n"
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_DOUBLE_RELEASE);
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 3, RULE_USE_AFTER_RELEASE);
    char *err = NULL;
    apply_with(NULL, &l, false, NULL, &err);
    CHECK(l.items[0].suppressed);
    CHECK(l.items[1].suppressed);
    CHECK(l.items[2].suppressed);
    char *where = xasprintf("%s:2:13: 'connlint-ignore' without a rule id", file);
    CHECK(err && strstr(err, where));
    free(where);
    char *line3 = xasprintf("%s:3:", file);
    CHECK(err && !strstr(err, line3)); /* [*] is explicit: no warning */
    free(line3);
    free(err);
    findings_free(&l);
    free(file);
}

static void test_unknown_rule_warns_and_suppresses_nothing(void)
{
    char *file = write_source(
        "void f(void) {\n"
        "    return; // connlint-ignore[conection-leak]\n"
        "    return; // NOLINT(connlint-dubble-release)\n"
        "    // connlint-ignore-next-line\n"
        "    return;\n"
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 3, RULE_DOUBLE_RELEASE);
    add(&l, file, 5, RULE_CONNECTION_LEAK);
    char *err = NULL;
    apply_with(NULL, &l, false, NULL, &err);
    CHECK(!l.items[0].suppressed);
    CHECK(!l.items[1].suppressed);
    CHECK(!l.items[2].suppressed);
    char *w3 = xasprintf("%s:4:8: unknown suppression directive 'connlint-ignore-next-line'", file);
    CHECK(err && strstr(err, w3));
    free(w3);
    char *w1 = xasprintf("%s:2:16: unknown rule 'conection-leak'", file);
    char *w2 = xasprintf("%s:3:16: unknown rule 'dubble-release'", file);
    CHECK(err && strstr(err, w1));
    CHECK(err && strstr(err, w2));
    free(w1);
    free(w2);
    free(err);
    findings_free(&l);
    free(file);
}

static void test_comments_inside_strings_do_not_count(void)
{
    char *file = write_source(
        "void f(void) {\n"                                                  /* 1 */
        "    puts(\"// connlint-ignore[connection-leak]\"); return;\n"     /* 2 */
        "    puts(\"/* NOLINT(connlint-double-release) */\");\n"           /* 3 */
        "    puts(\"a \\\" // connlint-ignore[use-after-release]\");\n"    /* 4 */
        "    char q = '\"'; g(); // connlint-ignore[double-release]\n"     /* 5 */
        "}\n");
    FindingList l = {0};
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 3, RULE_DOUBLE_RELEASE);
    add(&l, file, 4, RULE_USE_AFTER_RELEASE);
    add(&l, file, 5, RULE_DOUBLE_RELEASE);   /* a real comment after a '"' literal */
    apply(&l);
    CHECK(!l.items[0].suppressed);
    CHECK(!l.items[1].suppressed);
    CHECK(!l.items[2].suppressed);
    CHECK(l.items[3].suppressed);
    findings_free(&l);
    free(file);
}

static void test_suppression_at_the_acquire(void)
{
    char *file = write_source(
        "void f(void) {\n"                                                          /* 1 */
        "    PGconn *c = PQconnectdb(\"\"); // connlint-ignore[connection-leak]\n"  /* 2 */
        "    if (x) return;\n"                                                      /* 3 */
        "    PGconn *d = PQconnectdb(\"\"); // connlint-ignore[double-release]\n"   /* 4 */
        "    return;\n"                                                             /* 5 */
        "}\n");                                                                     /* 6 */
    FindingList l = {0};
    add_leak(&l, file, 3, 2);
    add_leak(&l, file, 6, 2);
    add_leak(&l, file, 5, 4);          /* only a double-release suppression there */
    add(&l, file, 5, RULE_DOUBLE_RELEASE);
    l.items[3].related = xcalloc(1, sizeof(FindingLoc));
    l.items[3].related[0] = findingloc_make(file, 2, 5, 2, 9, "released here");
    l.items[3].n_related = 1;          /* acquire-site rule is for leaks only */
    apply(&l);
    CHECK(l.items[0].suppressed);
    CHECK(l.items[1].suppressed);
    CHECK(!l.items[2].suppressed);
    CHECK(!l.items[3].suppressed);
    findings_free(&l);
    free(file);
}

static const Finding *find_unused(const FindingList *u, int line, const char *what)
{
    for (int i = 0; i < u->len; i++)
        if (u->items[i].loc.line == line && strstr(u->items[i].message, what)) return &u->items[i];
    return NULL;
}

static void test_unused_suppressions(void)
{
    char *file = write_source(
        "void f(void) {\n"                                                     /* 1 */
        "    g(); // connlint-ignore[connection-leak]\n"                       /* 2 */
        "    g(); // connlint-ignore[double-release]\n"                        /* 3 */
        "    g(); // connlint-ignore[connection-leak,use-after-release]\n"     /* 4 */
        "    g(); // connlint-ignore[double-release, unused-suppression]\n"    /* 5 */
        "}\n");
    char *quiet = write_source(
        "int h(void) {\n"
        "    return 0; // NOLINT(connlint-connection-leak)\n"
        "}\n");
    FindingList l = {0}, unused = {0};
    add(&l, file, 2, RULE_CONNECTION_LEAK);
    add(&l, file, 4, RULE_CONNECTION_LEAK);
    Suppressions *s = suppressions_new();
    suppressions_scan_files(s, &quiet, 1);
    char *err = NULL;
    apply_with(s, &l, true, &unused, &err);
    free(err);
    CHECK(l.items[0].suppressed && l.items[1].suppressed);
    CHECK(unused.len == 4);
    const Finding *u3 = find_unused(&unused, 3, "'double-release'");
    CHECK(u3 != NULL);
    if (u3) {
        CHECK_STR(u3->rule, RULE_UNUSED_SUPPRESSION);
        CHECK(u3->level == rule_info_find(RULE_UNUSED_SUPPRESSION)->default_level);
        CHECK_STR(u3->message, "suppression of 'double-release' matches no finding");
        CHECK_STR(u3->loc.file, file);
        CHECK(u3->loc.col == 13);
        CHECK(!u3->suppressed);
        char *id = xasprintf("unused-suppression:%s:double-release", strrchr(file, '/') + 1);
        CHECK_STR(u3->identity, id);
        free(id);
    }
    CHECK(find_unused(&unused, 4, "'use-after-release'") != NULL);
    CHECK(find_unused(&unused, 4, "'connection-leak'") == NULL);
    const Finding *u5 = find_unused(&unused, 5, "'double-release'");
    CHECK(u5 && u5->suppressed); /* silenced by naming unused-suppression */
    CHECK(find_unused(&unused, 5, "'unused-suppression'") == NULL);
    const Finding *uq = NULL;
    for (int i = 0; i < unused.len; i++)
        if (strcmp(unused.items[i].loc.file, quiet) == 0) uq = &unused.items[i];
    CHECK(uq && uq->loc.line == 2); /* a scanned file without findings */
    findings_free(&l);
    findings_free(&unused);
    free(file);
    free(quiet);
}

static void test_unused_not_reported_without_flag(void)
{
    char *file = write_source("int x; // connlint-ignore[connection-leak]\n");
    FindingList l = {0}, unused = {0};
    add(&l, file, 1, RULE_DOUBLE_RELEASE);
    char *err = NULL;
    apply_with(NULL, &l, false, &unused, &err);
    free(err);
    CHECK(unused.len == 0);
    CHECK(!l.items[0].suppressed);
    findings_free(&l);
    free(file);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 2;
    test_line_comment_same_line_and_above();
    test_trailing_comment_does_not_reach_next_line();
    test_block_comment_and_stacked_comments();
    test_nolint_forms();
    test_nolint_begin_end();
    test_several_rules_in_one_comment();
    test_bare_ignore_suppresses_all_and_warns();
    test_unknown_rule_warns_and_suppresses_nothing();
    test_comments_inside_strings_do_not_count();
    test_suppression_at_the_acquire();
    test_unused_suppressions();
    test_unused_not_reported_without_flag();
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    free(cmd);
    UNIT_MAIN_END();
}
