/* test_fingerprint.c — GitHub's primaryLocationLineHash (values derived by
 * hand from codeql-action's algorithm: the hash of a line is
 * sum c_k * 37^(99-k) mod 2^64 over the 100 characters from the line's
 * start, spaces/tabs dropped, CR/CRLF read as LF, then U+FFFF and zeros)
 * and our own fingerprints: stable when lines move, distinct otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter/filter.h"
#include "filter/filter_fingerprint.h"
#include "unit.h"
#include "common/util.h"

/* The line hash computed directly from its definition, for ASCII text. */
static uint64_t direct_line_hash(const char *text, int line)
{
    int n = 0;
    unsigned *units = xcalloc(strlen(text) + 1, sizeof(unsigned));
    int cur = 1, start = -1;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t') continue;
        if (*p == '\n' && p > text && p[-1] == '\r') continue;
        if (cur == line && start < 0) start = n;
        unsigned c = *p == '\r' ? '\n' : (unsigned char)*p;
        units[n++] = c;
        if (c == '\n') cur++;
    }
    if (start < 0) start = n; /* the line made of the end-of-file mark */
    uint64_t h = 0;
    for (int k = 0; k < 100; k++) {
        int i = start + k;
        uint64_t c = i < n ? units[i] : i == n ? 65535 : 0;
        h = h * 37 + c;
    }
    free(units);
    return h;
}

static void test_known_values(void)
{
    int n = 0;
    char **h = github_line_hashes("int x;\n  return 0;\n", 19, &n);
    CHECK(n == 3); /* the third "line" is the end-of-file mark */
    if (n == 3) {
        CHECK_STR(h[0], "7083860e159a03e4:1");
        CHECK_STR(h[1], "5c68255be88a642c:1");
        CHECK_STR(h[2], "c129715d7a2bc9a3:1");
    }
    line_hashes_free(h, n);

    h = github_line_hashes("a", 1, &n);
    CHECK(n == 1);
    if (n == 1) CHECK_STR(h[0], "53b5d4aabe50d64:1"); /* no leading zeros */
    line_hashes_free(h, n);
}

static void test_against_definition(void)
{
    const char *src = "#include <libpq-fe.h>\n"
                      "\n"
                      "int load(const char *dsn)\n"
                      "{\n"
                      "\tPGconn *conn = PQconnectdb(dsn);\n"
                      "    if (!conn) return -1;\r\n"
                      "    return 0;\r"
                      "}\n";
    int n = 0;
    char **h = github_line_hashes(src, strlen(src), &n);
    CHECK(n == 9);
    for (int line = 1; line <= n; line++) {
        char expect[40];
        snprintf(expect, sizeof expect, "%llx:1", (unsigned long long)direct_line_hash(src, line));
        CHECK_STR(h[line - 1], expect);
    }
    line_hashes_free(h, n);
}

static void test_whitespace_and_line_ends(void)
{
    int n1 = 0, n2 = 0;
    char **a = github_line_hashes("a b\r\n\tc\r\n", 9, &n1);
    char **b = github_line_hashes("ab\nc\n", 5, &n2);
    CHECK(n1 == n2 && n1 == 3);
    for (int i = 0; i < n1 && i < n2; i++) CHECK_STR(a[i], b[i]);
    line_hashes_free(a, n1);
    line_hashes_free(b, n2);
}

static void test_repeated_windows_are_numbered(void)
{
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < 200; i++) sb_append(&sb, "x\n");
    uint64_t same = direct_line_hash(sb.data, 1);
    int n = 0;
    char **h = github_line_hashes(sb.data, sb.len, &n);
    CHECK(n == 201);
    char expect[40];
    snprintf(expect, sizeof expect, "%llx:1", (unsigned long long)same);
    CHECK_STR(h[0], expect);
    snprintf(expect, sizeof expect, "%llx:2", (unsigned long long)same);
    CHECK_STR(h[1], expect);
    snprintf(expect, sizeof expect, "%llx:100", (unsigned long long)same);
    CHECK_STR(h[99], expect);
    line_hashes_free(h, n);
    sb_free(&sb);
}

static void test_non_ascii(void)
{
    /* "é" is one UTF-16 unit (0xE9); U+1F600 is two (a surrogate pair); an
     * invalid byte is U+FFFD. */
    int n = 0;
    char **h = github_line_hashes("\xc3\xa9\xf0\x9f\x98\x80\xff", 7, &n);
    uint64_t e = 0;
    unsigned units[] = {0xE9, 0xD83D, 0xDE00, 0xFFFD, 65535};
    for (int k = 0; k < 100; k++) e = e * 37 + (k < 5 ? units[k] : 0);
    char expect[40];
    snprintf(expect, sizeof expect, "%llx:1", (unsigned long long)e);
    CHECK(n == 1);
    if (n == 1) CHECK_STR(h[0], expect);
    line_hashes_free(h, n);
}

/* ---- fingerprints ---- */

static Finding make(const char *file, int line, const char *identity)
{
    Finding f = {0};
    f.rule = "connection-leak";
    f.level = LEVEL_ERROR;
    f.loc = findingloc_make(file, line, 5, line, 10, NULL);
    f.message = xasprintf("leak at line %d", line);
    f.identity = identity ? xstrdup(identity) : NULL;
    return f;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_fingerprints(void)
{
    char dir[] = "/tmp/connlint_fp_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *file = xasprintf("%s/src/a.c", dir);
    char *sub = xasprintf("%s/src", dir);
    if (mkdir(sub, 0777) != 0) CHECK(0);
    write_text(file, "void f(void)\n{\n    g();\n}\nvoid h(void)\n{\n    g();\n}\n");

    FindingList a = {0};
    Finding f1 = make(file, 3, "connection-leak:f:c:PQconnectdb:return");
    Finding f2 = make(file, 7, "connection-leak:h:c:PQconnectdb:return");
    Finding f3 = make(file, 8, "connection-leak:h:c:PQconnectdb:return");
    findings_add(&a, &f1);
    findings_add(&a, &f2);
    findings_add(&a, &f3);
    fingerprint_assign_rooted(&a, dir);
    for (int i = 0; i < 3; i++) CHECK(a.items[i].fingerprint && strlen(a.items[i].fingerprint) == 16);
    CHECK(strcmp(a.items[0].fingerprint, a.items[1].fingerprint) != 0);
    CHECK(strcmp(a.items[1].fingerprint, a.items[2].fingerprint) != 0); /* same identity: ordinal */

    /* The file with two lines inserted above, findings listed in another
     * order: the same fingerprints and line hashes. */
    char *line_hash_before = xstrdup(a.items[0].line_hash ? a.items[0].line_hash : "none");
    CHECK(a.items[0].line_hash != NULL);
    write_text(file, "/* new */\n#include <x.h>\nvoid f(void)\n{\n    g();\n}\nvoid h(void)\n{\n    g();\n}\n");
    FindingList b = {0};
    Finding g3 = make(file, 10, "connection-leak:h:c:PQconnectdb:return");
    Finding g1 = make(file, 5, "connection-leak:f:c:PQconnectdb:return");
    Finding g2 = make(file, 9, "connection-leak:h:c:PQconnectdb:return");
    findings_add(&b, &g3);
    findings_add(&b, &g1);
    findings_add(&b, &g2);
    fingerprint_assign_rooted(&b, dir);
    CHECK_STR(b.items[1].fingerprint, a.items[0].fingerprint);
    CHECK_STR(b.items[2].fingerprint, a.items[1].fingerprint);
    CHECK_STR(b.items[0].fingerprint, a.items[2].fingerprint);
    CHECK_STR(b.items[1].line_hash, line_hash_before);

    /* The same tree checked out elsewhere: the same fingerprints. */
    FindingList c = {0};
    Finding h1 = make("/elsewhere/src/a.c", 3, "connection-leak:f:c:PQconnectdb:return");
    findings_add(&c, &h1);
    fingerprint_assign_rooted(&c, "/elsewhere/");
    CHECK_STR(c.items[0].fingerprint, a.items[0].fingerprint);
    CHECK(c.items[0].line_hash == NULL); /* unreadable file: no line hash, no crash */

    /* Another file, same identity: another fingerprint. */
    FindingList d = {0};
    Finding k1 = make("/elsewhere/src/b.c", 3, "connection-leak:f:c:PQconnectdb:return");
    findings_add(&d, &k1);
    fingerprint_assign_rooted(&d, "/elsewhere");
    CHECK(strcmp(d.items[0].fingerprint, a.items[0].fingerprint) != 0);

    /* No file at all must not crash. */
    FindingList e = {0};
    Finding n1 = make(NULL, 0, NULL);
    findings_add(&e, &n1);
    fingerprint_assign(&e);
    CHECK(e.items[0].fingerprint != NULL && e.items[0].line_hash == NULL);

    free(line_hash_before);
    findings_free(&a);
    findings_free(&b);
    findings_free(&c);
    findings_free(&d);
    findings_free(&e);
    unlink(file);
    rmdir(sub);
    rmdir(dir);
    free(file);
    free(sub);
}

int main(void)
{
    test_known_values();
    test_against_definition();
    test_whitespace_and_line_ends();
    test_repeated_windows_are_numbered();
    test_non_ascii();
    test_fingerprints();
    UNIT_MAIN_END();
}
