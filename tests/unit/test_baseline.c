/* test_baseline.c — --baseline (filter_baseline.c): findings whose
 * fingerprint the baseline SARIF holds are unchanged, others new, baseline
 * results nobody matches come back as absent findings with their rule,
 * level, message and location; broken or missing files are errors. Also
 * levels_apply (filter_levels.c). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter/filter.h"
#include "checks/registry.h"
#include "unit.h"
#include "common/util.h"

static char tmpdir[] = "/tmp/connlint-baseline-XXXXXX";

static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void add(FindingList *l, const char *rule, int line, const char *fingerprint)
{
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.level = LEVEL_ERROR;
    f.loc = findingloc_make("/proj/src/a.c", line, 3, line, 9, NULL);
    f.message = xstrdup("current finding");
    f.identity = xasprintf("%s:fn:x", rule);
    f.fingerprint = fingerprint ? xstrdup(fingerprint) : NULL;
    findings_add(l, &f);
}

static const char *sarif_text =
    "{\n"
    "  \"version\": \"2.1.0\",\n"
    "  \"runs\": [{\n"
    "    \"tool\": {\"driver\": {\"name\": \"connlint\"}},\n"
    "    \"originalUriBaseIds\": {\"%SRCROOT%\": {\"uri\": \"file:///old%20root/proj/\"}},\n"
    "    \"results\": [\n"
    "      {\"ruleId\": \"connection-leak\", \"level\": \"error\",\n"
    "       \"message\": {\"text\": \"kept\"},\n"
    "       \"partialFingerprints\": {\"connlint/v1\": \"fp-kept\"},\n"
    "       \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"src/a.c\", \"uriBaseId\": \"%SRCROOT%\"},\n"
    "                        \"region\": {\"startLine\": 10, \"startColumn\": 3}}}]},\n"
    "      {\"ruleId\": \"double-release\", \"level\": \"note\",\n"
    "       \"message\": {\"text\": \"'c' released twice\"},\n"
    "       \"partialFingerprints\": {\"connlint/v1\": \"fp-gone\", \"primaryLocationLineHash\": \"abc:1\"},\n"
    "       \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"src/b%20c.c\", \"uriBaseId\": \"%SRCROOT%\"},\n"
    "                        \"region\": {\"startLine\": 42, \"startColumn\": 5, \"endLine\": 42, \"endColumn\": 12}},\n"
    "                        \"logicalLocations\": [{\"name\": \"cleanup\"}]}]},\n"
    "      {\"ruleId\": \"connection-leak\", \"baselineState\": \"absent\",\n"
    "       \"message\": {\"text\": \"was already absent\"},\n"
    "       \"partialFingerprints\": {\"connlint/v1\": \"fp-old-absent\"}},\n"
    "      {\"ruleId\": \"other-tool-rule\", \"message\": {\"text\": \"no fingerprint of ours\"}}\n"
    "    ]\n"
    "  }]\n"
    "}\n";

static void test_new_unchanged_absent(void)
{
    char *path = write_file("base.sarif", sarif_text);
    FindingList l = {0};
    add(&l, RULE_CONNECTION_LEAK, 12, "fp-kept");  /* moved two lines: still unchanged */
    add(&l, RULE_CONNECTION_LEAK, 30, "fp-new");
    add(&l, RULE_DOUBLE_RELEASE, 31, NULL);
    CHECK(baseline_apply(&l, path));
    CHECK(l.len == 4);
    CHECK(l.items[0].baseline == BASELINE_UNCHANGED);
    CHECK(l.items[1].baseline == BASELINE_NEW);
    CHECK(l.items[2].baseline == BASELINE_NEW);
    if (l.len == 4) {
        const Finding *a = &l.items[3];
        CHECK(a->baseline == BASELINE_ABSENT);
        CHECK(a->rule == rule_info_find(RULE_DOUBLE_RELEASE)->id); /* the static string */
        CHECK(a->level == LEVEL_NOTE);
        CHECK_STR(a->message, "'c' released twice");
        CHECK_STR(a->loc.file, "/old root/proj/src/b c.c");
        CHECK(a->loc.line == 42 && a->loc.col == 5 && a->loc.end_col == 12);
        CHECK_STR(a->fingerprint, "fp-gone");
        CHECK_STR(a->line_hash, "abc:1");
        CHECK_STR(a->function, "cleanup");
    }
    findings_free(&l);
    free(path);
}

static void test_relative_to_cwd_without_srcroot(void)
{
    char *path = write_file("nobase.sarif",
        "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [\n"
        "  {\"ruleId\": \"use-after-release\", \"message\": {\"text\": \"m\"},\n"
        "   \"partialFingerprints\": {\"connlint/v1\": \"fp-x\"},\n"
        "   \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"./lib/../src/x.c\"},\n"
        "                    \"region\": {\"startLine\": 3}}}]}]}]}\n");
    FindingList l = {0};
    CHECK(baseline_apply(&l, path));
    CHECK(l.len == 1);
    if (l.len == 1) {
        char cwd[4096];
        CHECK(getcwd(cwd, sizeof cwd) != NULL);
        char *want = xasprintf("%s/src/x.c", cwd);
        CHECK_STR(l.items[0].loc.file, want);
        free(want);
        CHECK(l.items[0].level == LEVEL_WARNING); /* the rule's default */
        CHECK(l.items[0].baseline == BASELINE_ABSENT);
    }
    findings_free(&l);
    free(path);
}

static char *capture_baseline(FindingList *l, const char *path, bool *ok)
{
    char *errpath = xasprintf("%s/stderr.txt", tmpdir);
    fflush(stderr);
    int saved = dup(2);
    FILE *ef = fopen(errpath, "w");
    dup2(fileno(ef), 2);
    *ok = baseline_apply(l, path);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(ef);
    char *err = read_file_all(errpath, NULL);
    free(errpath);
    return err;
}

static void test_broken_and_missing(void)
{
    char *broken = write_file("broken.sarif", "{\"runs\": [\n  {\"results\": [}\n]}\n");
    FindingList l = {0};
    add(&l, RULE_CONNECTION_LEAK, 1, "fp");
    bool ok = true;
    char *err = capture_baseline(&l, broken, &ok);
    CHECK(!ok);
    char *where = xasprintf("%s:2:", broken);
    CHECK(err && strstr(err, where));
    free(where);
    free(err);

    char *missing = xasprintf("%s/does-not-exist.sarif", tmpdir);
    err = capture_baseline(&l, missing, &ok);
    CHECK(!ok);
    CHECK(err && strstr(err, missing));
    free(err);

    char *not_sarif = write_file("array.sarif", "[1, 2]\n");
    err = capture_baseline(&l, not_sarif, &ok);
    CHECK(!ok);
    CHECK(err && strstr(err, "not a SARIF file"));
    free(err);
    CHECK(l.len == 1); /* nothing appended on failure */
    findings_free(&l);
    free(broken);
    free(missing);
    free(not_sarif);
}

static void test_levels(void)
{
    FindingList l = {0};
    add(&l, RULE_CONNECTION_LEAK, 1, NULL);
    add(&l, RULE_DOUBLE_RELEASE, 2, NULL);
    add(&l, RULE_USE_AFTER_RELEASE, 3, NULL);
    add(&l, RULE_DOUBLE_RELEASE, 4, NULL);
    LevelOverride levels[] = {
        {"double-release", LEVEL_NONE},
        {"use-after-release", LEVEL_NOTE},
        {"connection-leak", LEVEL_NOTE},
        {"connection-leak", LEVEL_WARNING}, /* the last one wins */
    };
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.levels = levels;
    cfg.n_levels = 4;
    levels_apply(&l, &cfg);
    CHECK(l.len == 2);
    CHECK_STR(l.items[0].rule, RULE_CONNECTION_LEAK);
    CHECK(l.items[0].level == LEVEL_WARNING);
    CHECK_STR(l.items[1].rule, RULE_USE_AFTER_RELEASE);
    CHECK(l.items[1].level == LEVEL_NOTE);
    CHECK(l.items[1].loc.line == 3);
    findings_free(&l);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 2;
    test_new_unchanged_absent();
    test_relative_to_cwd_without_srcroot();
    test_broken_and_missing();
    test_levels();
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    free(cmd);
    UNIT_MAIN_END();
}
