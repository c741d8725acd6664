/* test_config.c — .connlint.json loading: a complete good file (paths made
 * absolute against its folder, pack names kept), and bad files under
 * fixtures/config/ rejected with the right FILE:LINE:COL and message. Run
 * from the source root (ctest's working directory). */
#include <limits.h>
#include <time.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_stderr.h"
#include "cli/config.h"
#include "cli/glob.h"
#include "cli/json_pos.h"
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
    char *cc = xasprintf("%s/db", dir);
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
               "compile_commands, clang_args, levels, cache_dir, attributes, prefilter, parse_timeout, parse_memory_limit)");
    expect_bad("syntax_error.json", "3:21", "invalid JSON");
    expect_bad("truncated.json", "4:1", "invalid JSON: unexpected end of file");
    expect_bad("bad_level.json", "4:24", "level of 'connection-leak' must be");
    expect_bad("wrong_type.json", "3:15", "'handlers' must be an array of strings");
    expect_bad("array_element.json", "4:15", "'exclude' must be an array of strings");
    expect_bad("unknown_rule_level.json", "3:14", "unknown rule 'conection-leak'");
    expect_bad("bad_version.json", "1:13", "unsupported version 2");
    expect_bad("missing_version.json", "1:1", "missing required key 'version'");
    expect_bad("duplicate_key.json", "4:3", "duplicate key 'rules'");
    expect_bad("duplicate_level.json", "4:14", "duplicate key 'double-release' in 'levels'");
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

/* ---- issue 13 (hostile input) ---- */

/* Parses `text` as /tmp/.../NAME and returns stderr (caller frees). */
static char *parse_text(const char *text, bool *ok)
{
    char *path = xasprintf("%s/fixtures/config/in-memory.json", root);
    Config c;
    capture_begin();
    *ok = config_parse(text, path, &c);
    char *err = capture_end();
    config_free(&c);
    free(path);
    return err;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Item 4: 100,000 duplicate keys: a few lines, not one per key, and found
 * in O(n log n) (the quadratic search took over a minute). */
static void test_many_duplicates(void)
{
    StrBuf sb;
    sb_init(&sb);
    sb_append(&sb, "{\"version\": 1");
    for (int i = 0; i < 100000; i++) sb_append(&sb, ",\n\"exclude\": []");
    sb_append(&sb, "}\n");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool ok = true;
    char *err = parse_text(sb.data, &ok);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(!ok);
    CHECK(count_lines(err) <= JSONCHECK_MAX_ERRORS + 1);
    CHECK(capture_has(err, "in-memory.json:3:1: duplicate key 'exclude'"));
    CHECK(capture_has(err, "too many errors"));
    CHECK(seconds < 5.0);
    free(err);
    sb_free(&sb);
}

/* Item 16: a key written with escapes is found where it stands, and its
 * control characters are printed escaped. */
static void test_escaped_keys(void)
{
    bool ok = true;
    char *err = parse_text("{\"version\": 1,\n  \"hanl\\u0064ers\": []}\n", &ok);
    CHECK(!ok);
    CHECK(capture_has(err, "in-memory.json:2:3: unknown key 'hanlders'"));
    free(err);
    err = parse_text("{\"version\": 1,\n  \"x\\u001b]0;pwned\\u0007\\n\": 1}\n", &ok);
    CHECK(!ok);
    CHECK(capture_has(err, "in-memory.json:2:3: unknown key 'x\\x1b]0;pwned\\x07\\n'"));
    CHECK(strchr(err, '\x1b') == NULL && strchr(err, '\a') == NULL);
    CHECK(count_lines(err) == 1);
    free(err);
    err = parse_text("{\"version\": 1, \"levels\": {\"double-release\": \"note\",\n \"double\\u002drelease\": \"note\"}}", &ok);
    CHECK(!ok);
    CHECK(capture_has(err, "in-memory.json:2:2: duplicate key 'double-release' in 'levels'"));
    free(err);
}

/* Item 6: empty and match-all patterns are errors with a position. */
static void test_match_all_patterns(void)
{
    const char *bad[] = {"\"\"", "\".\"", "\"/\"", "\"**\"", "\"**/*.c\"", NULL};
    for (int i = 0; bad[i]; i++) {
        for (int k = 0; k < (i < 3 ? 2 : 1); k++) { /* "**" is a deliberate handler glob */
            const char *key = k ? "handlers" : "exclude";
            char *text = xasprintf("{\"version\": 1,\n \"%s\": [\"src/**\", %s]}", key, bad[i]);
            bool ok = true;
            char *err = parse_text(text, &ok);
            CHECK(!ok);
            char *want = xasprintf("in-memory.json:2:%d: '%s' pattern", (int)(strlen(key) + 17), key);
            CHECK(capture_has(err, want));
            CHECK(capture_has(err, "matches every file"));
            free(want);
            free(err);
            free(text);
        }
    }
    bool ok = false;
    char *err = parse_text("{\"version\": 1, \"exclude\": [\"third_party/**\", \"*.gen.c\"], \"handlers\": [\"**\"]}", &ok);
    CHECK(ok);
    free(err);
}

/* Item 8: rules entries and compile_commands are checked where they stand. */
static void test_rules_entries_positions(void)
{
    static const struct { const char *entry, *message; } cases[] = {
        {"\"\"", "empty entry in 'rules'"},
        {"\"no-such-pack\"", "unknown rule pack 'no-such-pack'"},
        {"\"missing.json\"", "cannot read rule pack 'missing.json': No such file or directory"},
        {"\"packs/\"", "cannot read rule pack 'packs/': it is a directory"},
        {"\"/dev/null\"", "cannot read rule pack '/dev/null': not a regular file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = xasprintf("{\"version\": 1,\n  \"rules\": [\"libpq\", %s]}", cases[i].entry);
        bool ok = true;
        char *err = parse_text(text, &ok);
        CHECK(!ok);
        CHECK(capture_has(err, "in-memory.json:2:22: "));
        CHECK(capture_has(err, cases[i].message));
        free(err);
        free(text);
    }
    bool ok = true;
    char *err = parse_text("{\"version\": 1,\n\"compile_commands\": \"nowhere\"}", &ok);
    CHECK(!ok);
    CHECK(capture_has(err, "in-memory.json:2:21: cannot read compilation database"));
    free(err);
}

/* Item 8: a NUL byte or UTF-16 text gets a position too. */
static void test_nul_and_utf16(void)
{
    char dir[] = "/tmp/connlint-config-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/c.json", dir);
    static const char nul_text[] = "{\"version\": 1,\n \"rules\": [\"a\0b\"]}";
    static const char utf16[] = "\xff\xfe{\0\"\0";
    const struct { const char *bytes; size_t n; const char *want; } cases[] = {
        {nul_text, sizeof nul_text - 1, ":2:14: the configuration is not text (it contains a NUL byte)"},
        {utf16, sizeof utf16 - 1, ":1:1: the configuration is UTF-16 text"},
    };
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(path, "wb");
        fwrite(cases[i].bytes, 1, cases[i].n, f);
        fclose(f);
        Config c;
        capture_begin();
        bool ok = config_load(path, &c);
        char *err = capture_end();
        CHECK(!ok);
        CHECK(capture_has(err, cases[i].want));
        config_free(&c);
        free(err);
    }
    unlink(path);
    rmdir(dir);
    free(path);
}

/* Found by fuzz/fuzz_config: an integer key given 1e999 (infinity) was
 * converted to long long (undefined behaviour) before its range was checked. */
static void test_huge_number(void)
{
    bool ok = true;
    char *err = parse_text("{\"version\": 1e999}", &ok);
    CHECK(!ok);
    CHECK(capture_has(err, "in-memory.json:1:13: 'version' must be an integer"));
    free(err);
}

/* Issue 13 item 1: the parse limits, their ranges and "not given". */
static void test_parse_limits(void)
{
    char *path = xasprintf("%s/fixtures/config/in-memory.json", root);
    Config c;
    CHECK(config_parse("{\"version\": 1, \"parse_timeout\": 0, \"parse_memory_limit\": 1024}", path, &c));
    CHECK(c.has_parse_timeout && c.parse_timeout == 0);
    CHECK(c.has_parse_memory_limit && c.parse_memory_limit == 1024);
    config_free(&c);
    CHECK(config_parse("{\"version\": 1}", path, &c));
    CHECK(!c.has_parse_timeout && !c.has_parse_memory_limit);
    config_free(&c);
    free(path);
    bool ok = true;
    char *err = parse_text("{\"version\": 1, \"parse_timeout\": 86401}", &ok);
    CHECK(!ok && capture_has(err, "in-memory.json:1:33: 'parse_timeout' must be seconds from 0 (no limit) to 86400"));
    free(err);
    err = parse_text("{\"version\": 1, \"parse_timeout\": \"300\"}", &ok);
    CHECK(!ok && capture_has(err, "'parse_timeout' must be an integer"));
    free(err);
    err = parse_text("{\"version\": 1, \"parse_memory_limit\": 255}", &ok);
    CHECK(!ok && capture_has(err, "'parse_memory_limit' must be MiB from 256 to 1048576, or 0 (no limit)"));
    free(err);
}

/* Item 2: a device or FIFO as the configuration is refused at once. */
static void test_special_files(void)
{
    char dir[] = "/tmp/connlint-config-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *fifo = xasprintf("%s/fifo.json", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    const char *paths[] = {"/dev/zero", fifo};
    for (int i = 0; i < 2; i++) {
        Config c;
        capture_begin();
        bool ok = config_load(paths[i], &c);
        char *err = capture_end();
        CHECK(!ok);
        CHECK(capture_has(err, "cannot read configuration: not a regular file"));
        config_free(&c);
        free(err);
    }
    unlink(fifo);
    rmdir(dir);
    free(fifo);
}

int main(void)
{
    if (!getcwd(root, sizeof root)) return 1;
    test_good();
    test_bad();
    test_missing_file();
    test_lookup();
    test_many_duplicates();
    test_parse_limits();
    test_escaped_keys();
    test_match_all_patterns();
    test_rules_entries_positions();
    test_nul_and_utf16();
    test_special_files();
    test_huge_number();
    UNIT_MAIN_END();
}
