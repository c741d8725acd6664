/* test_report.c — the output formats on hand-made findings: text layout
 * and notes, GitHub escaping and the 10-annotation limit, the JSON fields,
 * SARIF structure and determinism, and output_write_atomic. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/glob.h"
#include "report/report.h"
#include "report/report_util.h"
#include "checks/registry.h"
#include "unit.h"
#include "common/util.h"

static ReportContext context(void)
{
    ReportContext ctx = {0};
    ctx.srcroot = "/proj";
    ctx.cwd = "/proj";
    ctx.execution_successful = true;
    ctx.n_files = 12;
    return ctx;
}

static Finding leak(const char *file, int line)
{
    Finding f = {0};
    f.rule = "connection-leak";
    f.level = LEVEL_ERROR;
    f.loc = findingloc_make(file, line, 9, line, 18, NULL);
    f.message = xstrdup("'conn' (PostgreSQL connection) acquired at line 42 is not released when the function returns here");
    f.message_markdown = xstrdup("'conn' (PostgreSQL connection) acquired at [line 42](1) is not released when the function returns here");
    f.function = xstrdup("load_thread");
    f.n_related = 1;
    f.related = xcalloc(1, sizeof(FindingLoc));
    f.related[0] = findingloc_make(file, 42, 17, 42, 36, "'conn' acquired here");
    f.n_path = 3;
    f.path = xcalloc(3, sizeof(FindingLoc));
    f.path[0] = findingloc_make(file, 42, 17, 42, 36, "'conn' acquired here");
    f.path[1] = findingloc_make(file, 55, 9, 55, 20, "taking the branch where 'rc != 0'");
    f.path[2] = findingloc_make(file, line, 9, line, 18, "returning here");
    f.identity = xstrdup("connection-leak:load_thread:conn:PQconnectdb:return");
    f.fingerprint = xstrdup("0123456789abcdef");
    f.line_hash = xstrdup("5c68255be88a642c:1");
    return f;
}

static Finding simple(const char *rule, Level level, const char *file, int line, const char *msg)
{
    Finding f = {0};
    f.rule = rule;
    f.level = level;
    f.loc = findingloc_make(file, line, 3, line, 3, NULL);
    f.message = xstrdup(msg);
    return f;
}

static void test_text(void)
{
    FindingList list = {0};
    Finding a = leak("/proj/src/repositories/thread.c", 57);
    Finding b = simple("double-release", LEVEL_WARNING, "/other/x.c", 5, "released twice");
    Finding c = simple("double-release", LEVEL_WARNING, "/proj/y.c", 5, "hidden: suppressed");
    c.suppressed = true;
    Finding d = simple("double-release", LEVEL_WARNING, "/proj/z.c", 5, "hidden: in the baseline");
    d.baseline = BASELINE_UNCHANGED;
    findings_add(&list, &a);
    findings_add(&list, &b);
    findings_add(&list, &c);
    findings_add(&list, &d);
    ReportContext ctx = context();
    char *text = report_render(FORMAT_TEXT, &list, &ctx);
    const char *expect =
        "src/repositories/thread.c:57:9: error: 'conn' (PostgreSQL connection) acquired at line 42 is not released when the function returns here [connection-leak]\n"
        "src/repositories/thread.c:42:17: note: 'conn' acquired here\n"
        "src/repositories/thread.c:55:9: note: taking the branch where 'rc != 0'\n"
        "../other/x.c:5:3: warning: released twice [double-release]\n"
        "2 findings (1 error, 1 warning) in 12 files\n";
    CHECK_STR(text, expect);
    CHECK(strstr(text, "\033[") == NULL);
    free(text);

    ctx.use_color = true;
    text = report_render(FORMAT_TEXT, &list, &ctx);
    CHECK(strstr(text, "\033[1;31merror:") != NULL);
    CHECK(strstr(text, "\033[1;35mwarning:") != NULL);
    CHECK(strstr(text, "\033[1;36mnote:") != NULL);
    free(text);
    findings_free(&list);

    /* Clean: nothing at all. A finding without a file does not crash. */
    ctx.use_color = false;
    text = report_render(FORMAT_TEXT, &list, &ctx);
    CHECK_STR(text, "");
    free(text);
    Finding e = simple("double-release", LEVEL_NOTE, NULL, 0, "nowhere");
    findings_add(&list, &e);
    text = report_render(FORMAT_TEXT, &list, &ctx);
    CHECK_STR(text, "<unknown>: note: nowhere [double-release]\n1 finding (1 note) in 12 files\n");
    free(text);
    findings_free(&list);
}

static void test_github_escaping(void)
{
    char *s = github_escape_data("100% done\r\nnext: a,b");
    CHECK_STR(s, "100%25 done%0D%0Anext: a,b");
    free(s);
    s = github_escape_property("dir:a,b/c%d\n");
    CHECK_STR(s, "dir%3Aa%2Cb/c%25d%0A");
    free(s);
}

static void test_github(void)
{
    FindingList list = {0};
    Finding a = leak("/proj/src/a,b.c", 57);
    findings_add(&list, &a);
    ReportContext ctx = context();
    char *out = report_render(FORMAT_GITHUB, &list, &ctx);
    const char *expect =
        "::error file=src/a%2Cb.c,line=57,col=9,endLine=57,endColumn=18,title=connection-leak::"
        "'conn' (PostgreSQL connection) acquired at line 42 is not released when the function returns here"
        "%0Asrc/a,b.c:42:17: note: 'conn' acquired here"
        "%0Asrc/a,b.c:55:9: note: taking the branch where 'rc != 0'\n";
    CHECK_STR(out, expect);
    free(out);
    findings_free(&list);

    /* 13 warnings and 1 notice: 10 warning annotations, 3 log lines, the
     * notice, then the summary as a notice (notices still have room). */
    for (int i = 0; i < 13; i++) {
        Finding w = simple("double-release", LEVEL_WARNING, "/proj/w.c", i + 1, "twice");
        findings_add(&list, &w);
    }
    Finding n = simple("unused-suppression", LEVEL_NOTE, "/proj/n.c", 1, "unused");
    findings_add(&list, &n);
    ctx.output_path = "connlint.sarif";
    out = report_render(FORMAT_GITHUB, &list, &ctx);
    int warnings = 0, notices = 0, plain = 0;
    char *save = NULL;
    char *last = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "::warning ", 10) == 0) warnings++;
        else if (strncmp(line, "::notice ", 9) == 0) notices++;
        else plain++;
        last = line;
    }
    CHECK(warnings == 10);
    CHECK(notices == 2);
    CHECK(plain == 3);
    CHECK(last && strncmp(last, "::notice title=connlint::3 more connlint findings are not shown", 63) == 0);
    CHECK(last && strstr(last, "connlint.sarif") != NULL);
    free(out);
    findings_free(&list);
}

static void test_json(void)
{
    FindingList list = {0};
    Finding a = leak("/proj/src/a.c", 57);
    Finding b = simple("double-release", LEVEL_WARNING, "/proj/b.c", 5, "twice \"quoted\"\n");
    b.suppressed = true;
    b.suppression_text = xstrdup("// connlint-ignore[double-release]");
    b.baseline = BASELINE_NEW;
    findings_add(&list, &a);
    findings_add(&list, &b);
    ReportContext ctx = context();
    ctx.cwd = "/proj/src";
    char *out = report_render(FORMAT_JSON, &list, &ctx);
    cJSON *arr = cJSON_Parse(out);
    CHECK(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 2);
    cJSON *o = cJSON_GetArrayItem(arr, 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "rule")), "connection-leak");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "level")), "error");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "file")), "a.c");
    CHECK(cJSON_GetObjectItem(o, "line")->valueint == 57);
    CHECK(cJSON_GetObjectItem(o, "column")->valueint == 9);
    CHECK(cJSON_GetObjectItem(o, "end_line")->valueint == 57);
    CHECK(cJSON_GetObjectItem(o, "end_column")->valueint == 18);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "function")), "load_thread");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "fingerprint")), "0123456789abcdef");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(o, "suppressed")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "baseline_state")));
    cJSON *rel = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "related"), 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rel, "message")), "'conn' acquired here");
    CHECK(cJSON_GetObjectItem(rel, "line")->valueint == 42);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(o, "path")) == 3);
    cJSON *p = cJSON_GetArrayItem(arr, 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "file")), "../b.c");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "message")), "twice \"quoted\"\n");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(p, "suppressed")));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "baseline_state")), "new");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(p, "function")));
    cJSON_Delete(arr);
    free(out);
    findings_free(&list);

    out = report_render(FORMAT_JSON, &list, &ctx);
    CHECK_STR(out, "[]\n");
    free(out);
}

static cJSON *at(cJSON *o, const char *path)
{
    /* "a.b.0.c": object keys and array indices */
    char *copy = xstrdup(path), *save = NULL;
    for (char *k = strtok_r(copy, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        o = (*k >= '0' && *k <= '9') ? cJSON_GetArrayItem(o, atoi(k)) : cJSON_GetObjectItem(o, k);
    free(copy);
    return o;
}

static void test_sarif(void)
{
    FindingList list = {0};
    Finding a = leak("/proj/src/my file.c", 57);
    Finding b = simple("double-release", LEVEL_WARNING, "/elsewhere/b.c", 5, "twice");
    b.suppressed = true;
    b.suppression_text = xstrdup("// connlint-ignore[double-release]");
    b.baseline = BASELINE_UNCHANGED;
    findings_add(&list, &a);
    findings_add(&list, &b);
    ToolNotification note = {"/proj/broken.c", 3, 1, "expected ';'", true};
    ReportContext ctx = context();
    ctx.notifications = &note;
    ctx.n_notifications = 1;
    ctx.execution_successful = false;
    ctx.category = "connlint";
    char *out = report_render(FORMAT_SARIF, &list, &ctx);
    char *again = report_render(FORMAT_SARIF, &list, &ctx);
    CHECK_STR(out, again); /* deterministic */
    cJSON *log = cJSON_Parse(out);
    CHECK(log != NULL);
    CHECK_STR(cJSON_GetStringValue(at(log, "version")), "2.1.0");
    cJSON *run = at(log, "runs.0");
    CHECK_STR(cJSON_GetStringValue(at(run, "tool.driver.name")), "connlint");
    CHECK(cJSON_GetArraySize(at(run, "tool.driver.rules")) == rule_info_count);
    CHECK_STR(cJSON_GetStringValue(at(run, "automationDetails.id")), "connlint/");
    CHECK_STR(cJSON_GetStringValue(at(run, "originalUriBaseIds.%SRCROOT%.uri")), "file:///proj/");
    cJSON *r0 = at(run, "results.0");
    CHECK_STR(cJSON_GetStringValue(at(r0, "ruleId")), "connection-leak");
    int idx = rule_info_index("connection-leak");
    if (idx >= 0) CHECK(at(r0, "ruleIndex") && at(r0, "ruleIndex")->valueint == idx);
    CHECK_STR(cJSON_GetStringValue(at(r0, "message.text")),
              "'conn' (PostgreSQL connection) acquired at [line 42](1) is not released when the function returns here");
    CHECK_STR(cJSON_GetStringValue(at(r0, "locations.0.physicalLocation.artifactLocation.uri")), "src/my%20file.c");
    CHECK_STR(cJSON_GetStringValue(at(r0, "locations.0.physicalLocation.artifactLocation.uriBaseId")), "%SRCROOT%");
    CHECK(at(r0, "locations.0.physicalLocation.region.startLine")->valueint == 57);
    CHECK(at(r0, "locations.0.physicalLocation.region.startColumn")->valueint == 9);
    CHECK(at(r0, "locations.0.physicalLocation.region.endColumn")->valueint == 18);
    CHECK(at(r0, "relatedLocations.0.id")->valueint == 1);
    CHECK(at(r0, "relatedLocations.0.physicalLocation.region.startLine")->valueint == 42);
    CHECK(cJSON_GetArraySize(at(r0, "codeFlows.0.threadFlows.0.locations")) == 3);
    CHECK_STR(cJSON_GetStringValue(at(r0, "codeFlows.0.threadFlows.0.locations.1.location.message.text")),
              "taking the branch where 'rc != 0'");
    CHECK_STR(cJSON_GetStringValue(at(r0, "partialFingerprints.primaryLocationLineHash")), "5c68255be88a642c:1");
    CHECK_STR(cJSON_GetStringValue(at(r0, "partialFingerprints.connlint/v1")), "0123456789abcdef");
    CHECK(at(r0, "suppressions") == NULL && at(r0, "baselineState") == NULL);
    cJSON *r1 = at(run, "results.1");
    CHECK_STR(cJSON_GetStringValue(at(r1, "locations.0.physicalLocation.artifactLocation.uri")), "file:///elsewhere/b.c");
    CHECK(at(r1, "locations.0.physicalLocation.artifactLocation.uriBaseId") == NULL);
    CHECK_STR(cJSON_GetStringValue(at(r1, "suppressions.0.kind")), "inSource");
    CHECK_STR(cJSON_GetStringValue(at(r1, "baselineState")), "unchanged");
    CHECK(cJSON_IsFalse(at(run, "invocations.0.executionSuccessful")));
    CHECK_STR(cJSON_GetStringValue(at(run, "invocations.0.toolExecutionNotifications.0.message.text")), "expected ';'");
    CHECK_STR(cJSON_GetStringValue(at(run, "invocations.0.toolExecutionNotifications.0.locations.0.physicalLocation.artifactLocation.uri")), "broken.c");
    CHECK(at(run, "artifacts") == NULL); /* SARIF2004: location-only artifacts are noise */
    CHECK(at(r0, "locations.0.physicalLocation.artifactLocation.index") == NULL);
    cJSON_Delete(log);
    free(out);
    free(again);
    findings_free(&list);
}

static void test_uri_and_paths(void)
{
    char *s = uri_encode_path("a b/c#d%é.c");
    CHECK_STR(s, "a%20b/c%23d%25%C3%A9.c");
    free(s);
    s = path_below("/proj/a.c", "/proj/");
    CHECK_STR(s, "a.c");
    free(s);
    CHECK(path_below("/project/a.c", "/proj") == NULL);
    CHECK(path_below("/proj", "/proj") == NULL);
    s = path_below("/a.c", "/");
    CHECK_STR(s, "a.c");
    free(s);
}

static char *slurp(const char *path)
{
    return read_file_all(path, NULL);
}

static void test_write_atomic(void)
{
    char dir[] = "/tmp/connlint_out_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/report.sarif", dir);
    FILE *f = fopen(path, "w");
    fputs("an old, longer report that must disappear entirely\n", f);
    fclose(f);
    CHECK(output_write_atomic(path, "new\n", 4));
    char *text = slurp(path);
    CHECK_STR(text, "new\n");
    free(text);
    /* no temporary file left behind */
    char *cmd = xasprintf("test $(ls -A %s | wc -l) -eq 1", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    /* a missing folder: false, and the message names the path */
    char *bad = xasprintf("%s/missing/x.sarif", dir);
    CHECK(!output_write_atomic(bad, "x", 1));
    free(bad);
    /* the target is a folder: false, nothing replaced */
    CHECK(!output_write_atomic(dir, "x", 1));
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    /* a device is written directly, not replaced by a regular file */
    CHECK(output_write_atomic("/dev/null", "x", 1));
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    unlink(path);
    rmdir(dir);
    free(path);
}

int main(void)
{
    test_text();
    test_github_escaping();
    test_github();
    test_json();
    test_sarif();
    test_uri_and_paths();
    test_write_atomic();
    UNIT_MAIN_END();
}
