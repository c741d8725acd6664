/* test_config.c — .connlint.json loading: a complete good file (paths made
 * absolute against its folder, pack names kept), and bad files under
 * fixtures/config/ rejected with the right FILE:LINE:COL and message. Run
 * from the source root (ctest's working directory). */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_stderr.h"
#include "cli/config.h"
#include "cli/glob.h"
#include "unit.h"

static char root[PATH_MAX];

static void test_good(void)
{
    char *path = xasprintf("%s/fixtures/config/good.json", root);
    char *dir = xasprintf("%s/fixtures/config", root);
    Config c;
    CHECK(config_load(path, &c));
    CHECK_STR(c.path, path);
    CHECK_STR(c.dir, dir);
    CHECK(c.version == 1);
    CHECK(c.n_rules == 2);
    if (c.n_rules == 2) {
        CHECK_STR(c.rules[0], "libpq");                       /* a built-in name stays a name */
        char *want = xasprintf("%s/packs/our-db.json", dir);  /* a path is made absolute */
        CHECK_STR(c.rules[1], want);
        free(want);
    }
    CHECK(c.n_handlers == 2);
    if (c.n_handlers == 2) {
        char *want = xasprintf("%s/src/functions/**", dir);
        CHECK_STR(c.handlers[0], want);
        free(want);
        char *file = xasprintf("%s/src/functions/api/get.c", dir);
        CHECK(glob_match(c.handlers[0], file));
        free(file);
    }
    CHECK(c.n_exclude == 2);
    char *cc = xasprintf("%s/build", dir);
    CHECK_STR(c.compile_commands, cc);
    free(cc);
    CHECK(c.n_clang_args == 4);
    if (c.n_clang_args == 4) {
        char *want = xasprintf("-I%s/include", dir);
        CHECK_STR(c.clang_args[0], want);          /* relative to the config's folder */
        free(want);
        CHECK_STR(c.clang_args[1], "-DNDEBUG");
        CHECK_STR(c.clang_args[2], "-isystem");
        want = xasprintf("%s/vendor", dir);
        CHECK_STR(c.clang_args[3], want);
        free(want);
    }
    CHECK(c.n_levels == 2);
    if (c.n_levels == 2) {
        CHECK_STR(c.levels[0].rule, "double-release");
        CHECK(c.levels[0].level == LEVEL_ERROR);
        CHECK(c.levels[1].level == LEVEL_NONE);
    }
    config_free(&c);
    free(path);
    free(dir);
}

/* Loads fixtures/config/NAME, expects failure and a message with `where`
 * ("LINE:COL") and `what`. */
static void expect_bad(const char *name, const char *where, const char *what)
{
    char *path = xasprintf("fixtures/config/%s", name);
    char *located = xasprintf("connlint: error: %s:%s: ", path, where);
    Config c;
    capture_begin();
    bool ok = config_load(path, &c);
    char *err = capture_end();
    CHECK(!ok);
    CHECK(capture_has(err, located));
    CHECK(capture_has(err, what));
    config_free(&c);
    free(err);
    free(located);
    free(path);
}

static void test_bad(void)
{
    expect_bad("unknown_key.json", "4:3",
               "unknown key 'hanlders' (expected one of: version, rules, handlers, exclude, "
               "compile_commands, clang_args, levels, cache_dir)");
    expect_bad("syntax_error.json", "3:21", "invalid JSON");
    expect_bad("truncated.json", "4:1", "invalid JSON: unexpected end of file");
    expect_bad("bad_level.json", "4:24", "level of 'connection-leak' must be");
    expect_bad("wrong_type.json", "3:15", "'handlers' must be an array of strings");
    expect_bad("array_element.json", "4:15", "'exclude' must be an array of strings");
    expect_bad("unknown_rule_level.json", "3:14", "unknown rule 'conection-leak'");
    expect_bad("bad_version.json", "1:13", "unsupported version 2");
    expect_bad("missing_version.json", "1:1", "missing required key 'version'");
    expect_bad("duplicate_key.json", "4:12", "duplicate key 'rules'");
    expect_bad("duplicate_level.json", "4:32", "duplicate key 'double-release' in 'levels'");
}

static void test_missing_file(void)
{
    Config c;
    capture_begin();
    bool ok = config_load("fixtures/config/does-not-exist.json", &c);
    char *err = capture_end();
    CHECK(!ok);
    CHECK(capture_has(err, "fixtures/config/does-not-exist.json: cannot read configuration"));
    free(err);
    config_free(&c);
}

/* No --config: the nearest .connlint.json from the cwd upwards. */
static void test_lookup(void)
{
    char tmpl[] = "/tmp/connlint-config-XXXXXX";
    char *top = mkdtemp(tmpl);
    CHECK(top != NULL);
    if (!top) return;
    char *sub = xasprintf("%s/a/b", top);
    char *mid = xasprintf("%s/a", top);
    char *cfg = xasprintf("%s/.connlint.json", top);
    mkdir(mid, 0755);
    mkdir(sub, 0755);
    FILE *f = fopen(cfg, "w");
    fputs("{\"version\": 1, \"exclude\": [\"gen/**\"]}\n", f);
    fclose(f);
    CHECK(chdir(sub) == 0);
    Config c;
    CHECK(config_load(NULL, &c));
    char *real_cfg = realpath(cfg, NULL);
    CHECK(c.path && real_cfg && strcmp(c.path, real_cfg) == 0);
    CHECK(c.n_exclude == 1);
    config_free(&c);
    remove(cfg);
    /* none found: an empty configuration whose folder is the cwd */
    CHECK(config_load(NULL, &c) || 1);
    CHECK(c.path == NULL || strstr(c.path, "connlint-config-") == NULL);
    config_free(&c);
    CHECK(chdir(root) == 0);
    rmdir(sub);
    rmdir(mid);
    rmdir(top);
    free(real_cfg);
    free(sub);
    free(mid);
    free(cfg);
}

int main(void)
{
    if (!getcwd(root, sizeof root)) return 1;
    test_good();
    test_bad();
    test_missing_file();
    test_lookup();
    UNIT_MAIN_END();
}
