/* rules.c — the catalogue of rules: ids, one-line and full descriptions,
 * default levels, help text (plain and Markdown) with leaking and fixed
 * code, SARIF metadata (precision, problem.severity, tags). Read by
 * --list-rules, --explain, the level overrides of the configuration, the
 * filters, the cache's findings codec and the SARIF rule descriptors.
 * Which check produces a rule is the check stage's table
 * (checks/registry.c). */
#include "common/rules.h"

#include <string.h>

#define LEAK_HELP                                                                    \
    "A resource (a database connection, a result set, a statement handle, ...)\n"  \
    "acquired by an acquire call of a rule pack, or by a function of your code\n"   \
    "that returns one, must be released on every path that leaves the function,\n" \
    "unless the handle escapes: returned, stored through a pointer, into a\n"      \
    "global or a field of a non-local struct, or passed to a function that takes\n" \
    "ownership. A path that ends in exit(), abort() or another noreturn call is\n" \
    "not a leak, and the branch where the acquire reported failure holds nothing.\n"

#define LEAK_BAD                                  \
    "    int count_users(const char *dsn)\n"      \
    "    {\n"                                     \
    "        PGconn *conn = PQconnectdb(dsn);\n"  \
    "        if (PQstatus(conn) != CONNECTION_OK)\n" \
    "            return -1;              /* leak: conn is still open */\n" \
    "        PGresult *res = PQexec(conn, \"SELECT count(*) FROM users\");\n" \
    "        int n = atoi(PQgetvalue(res, 0, 0));\n" \
    "        PQclear(res);\n"                     \
    "        return n;                   /* leak: conn is still open */\n" \
    "    }\n"

#define LEAK_GOOD                                 \
    "    int count_users(const char *dsn)\n"      \
    "    {\n"                                     \
    "        PGconn *conn = PQconnectdb(dsn);\n"  \
    "        if (PQstatus(conn) != CONNECTION_OK) {\n" \
    "            PQfinish(conn);\n"               \
    "            return -1;\n"                    \
    "        }\n"                                 \
    "        PGresult *res = PQexec(conn, \"SELECT count(*) FROM users\");\n" \
    "        int n = atoi(PQgetvalue(res, 0, 0));\n" \
    "        PQclear(res);\n"                     \
    "        PQfinish(conn);\n"                   \
    "        return n;\n"                         \
    "    }\n"

#define PER_REQUEST_HELP                                                                   \
    "Some resources are meant to be opened per request, and only in the files that\n"    \
    "handle requests (the `handlers` globs of .connlint.json or --handlers). Opening\n"  \
    "one elsewhere — in a repository or helper that runs for every call — multiplies\n"  \
    "connections under load and exhausts the server's connection limit. A wrapper\n"    \
    "function that acquires a per-request resource for its caller counts as an\n"       \
    "acquire too. Use the shared alternative the rule pack names instead.\n"     \
    "The rule runs only when the project designates handler files: with none,\n"  \
    "there is no telling where per-request acquires belong, and it stays off.\n"

#define PER_REQUEST_BAD                                    \
    "    /* src/repositories/thread.c: not a handler file */\n" \
    "    Thread *thread_load(int id)\n"                    \
    "    {\n"                                              \
    "        db_session s = get_db();     /* a new connection per call */\n" \
    "        ...\n"                                        \
    "    }\n"

#define PER_REQUEST_GOOD                                   \
    "    Thread *thread_load(int id)\n"                    \
    "    {\n"                                              \
    "        db_session *s = get_db_instance();   /* the shared connection */\n" \
    "        ...\n"                                        \
    "    }\n"

#define DOUBLE_HELP                                                                 \
    "A resource released twice on some path: the second release frees memory or\n" \
    "closes a handle that no longer belongs to the program, which corrupts the\n"  \
    "heap or closes somebody else's connection. Set the handle to NULL after\n"    \
    "releasing it when later code may release it again.\n"

#define DOUBLE_BAD                          \
    "    PGresult *res = PQexec(conn, sql);\n" \
    "    if (PQresultStatus(res) != PGRES_TUPLES_OK)\n" \
    "        PQclear(res);\n"                  \
    "    PQclear(res);                 /* released twice on the error path */\n"

#define DOUBLE_GOOD                         \
    "    PGresult *res = PQexec(conn, sql);\n" \
    "    if (PQresultStatus(res) != PGRES_TUPLES_OK) {\n" \
    "        PQclear(res);\n"                  \
    "        return -1;\n"                     \
    "    }\n"                                  \
    "    PQclear(res);\n"

#define UAR_HELP                                                                    \
    "A resource handle used — passed to a function or dereferenced — after it was\n" \
    "released on some path. The memory behind it may already be reused.\n"

#define UAR_BAD                             \
    "    PQfinish(conn);\n"                 \
    "    log_error(PQerrorMessage(conn));  /* conn was finished above */\n"

#define UAR_GOOD                            \
    "    log_error(PQerrorMessage(conn));\n" \
    "    PQfinish(conn);\n"

#define UNUSED_HELP                                                                  \
    "A suppression comment (// connlint-ignore[RULE], NOLINT(connlint-RULE), ...)\n" \
    "that silenced nothing: the code it was written for has changed or the rule id\n" \
    "is misspelled. Remove it, so that it cannot hide a future finding. Reported\n"  \
    "only with --report-unused-suppressions.\n"

#define UNUSED_BAD  "    c = get_conn();  // connlint-ignore[conection-leak]   (misspelled)\n"
#define UNUSED_GOOD "    c = get_conn();  // connlint-ignore[connection-leak]\n"

#define GLOBAL_HELP                                                                   \
    "A handle stored in a file-scope variable is no longer the acquiring\n"          \
    "function's to release, so connection-leak does not follow it. This note says\n" \
    "that no function of the analysed sources releases that variable (passes it to\n" \
    "a release, to a function of yours that releases or takes it, copies it\n"       \
    "elsewhere or returns it, itself or through a local copied from or into it\n"  \
    "or handed to a setter that keeps it there): the handle lives until the\n"     \
    "process ends. That is often meant (a log file opened once), hence the note\n" \
    "level.\n"

#define GLOBAL_BAD                                   \
    "    static FILE *trace;\n"                      \
    "    void trace_open(void) { trace = fopen(\"/tmp/trace\", \"w\"); }\n"
#define GLOBAL_GOOD                                  \
    "    static FILE *trace;\n"                      \
    "    void trace_open(void) { trace = fopen(\"/tmp/trace\", \"w\"); }\n" \
    "    void trace_close(void) { if (trace) fclose(trace); }\n"

#define TEXT_HELP(intro, bad, good) intro "\nNoncompliant:\n\n" bad "\nCompliant:\n\n" good
#define MD_HELP(intro, bad, good) \
    intro "\n## Noncompliant\n\n```c\n" bad "```\n\n## Compliant\n\n```c\n" good "```\n"

const RuleInfo rule_infos[] = {
    {
        RULE_CONNECTION_LEAK, "ConnectionLeak", LEVEL_ERROR,
        "A resource acquired in a function is not released on some path that leaves it.",
        "A resource acquired by an acquire call is still held on some path that leaves the "
        "function (a return or the end of the body), or its only handle is overwritten or goes "
        "out of scope while held.",
        TEXT_HELP(LEAK_HELP, LEAK_BAD, LEAK_GOOD),
        MD_HELP(LEAK_HELP, LEAK_BAD, LEAK_GOOD),
        "high", "error", {"reliability", "correctness", "resource-leak", NULL},
    },
    {
        RULE_PER_REQUEST, "PerRequestOutsideHandler", LEVEL_ERROR,
        "A per-request resource is acquired outside the designated handler files.",
        "A call to a per-request acquire function, or to a wrapper that acquires one on its "
        "caller's behalf, in a file that is not a designated handler file.",
        TEXT_HELP(PER_REQUEST_HELP, PER_REQUEST_BAD, PER_REQUEST_GOOD),
        MD_HELP(PER_REQUEST_HELP, PER_REQUEST_BAD, PER_REQUEST_GOOD),
        "high", "error", {"reliability", "performance", "architecture", NULL},
    },
    {
        RULE_DOUBLE_RELEASE, "DoubleRelease", LEVEL_WARNING,
        "A resource is released twice on some path.",
        "A release of a resource that was already released on some path through the function.",
        TEXT_HELP(DOUBLE_HELP, DOUBLE_BAD, DOUBLE_GOOD),
        MD_HELP(DOUBLE_HELP, DOUBLE_BAD, DOUBLE_GOOD),
        "high", "warning", {"reliability", "correctness", "security", NULL},
    },
    {
        RULE_USE_AFTER_RELEASE, "UseAfterRelease", LEVEL_WARNING,
        "A resource handle is used after it was released on some path.",
        "A resource handle passed to a function or dereferenced after it was released on some "
        "path through the function.",
        TEXT_HELP(UAR_HELP, UAR_BAD, UAR_GOOD),
        MD_HELP(UAR_HELP, UAR_BAD, UAR_GOOD),
        "high", "warning", {"reliability", "correctness", "security", NULL},
    },
    {
        RULE_UNUSED_SUPPRESSION, "UnusedSuppression", LEVEL_NOTE,
        "A suppression comment that suppresses nothing.",
        "A connlint suppression comment that matched no finding; it may hide a future one.",
        TEXT_HELP(UNUSED_HELP, UNUSED_BAD, UNUSED_GOOD),
        MD_HELP(UNUSED_HELP, UNUSED_BAD, UNUSED_GOOD),
        "very-high", "recommendation", {"maintainability", NULL, NULL, NULL},
    },
    {
        RULE_GLOBAL_HANDLE, "GlobalHandleUnreleased", LEVEL_NOTE,
        "A handle kept in a file-scope variable that no function releases.",
        "A resource is acquired into a file-scope variable (directly, through an "
        "out-parameter, into a local then copied into it, or handed to a function that "
        "copies its parameter into it), and no function of the analysed sources "
        "releases, hands on, copies or returns that variable, or a local copied from or "
        "into it.",
        TEXT_HELP(GLOBAL_HELP, GLOBAL_BAD, GLOBAL_GOOD),
        MD_HELP(GLOBAL_HELP, GLOBAL_BAD, GLOBAL_GOOD),
        "medium", "recommendation", {"reliability", "resource-leak", NULL, NULL},
    },
};

const int rule_info_count = (int)(sizeof rule_infos / sizeof rule_infos[0]);

int rule_info_index(const char *id)
{
    if (!id) return -1;
    for (int i = 0; i < rule_info_count; i++)
        if (strcmp(rule_infos[i].id, id) == 0) return i;
    return -1;
}

const RuleInfo *rule_info_find(const char *id)
{
    int i = rule_info_index(id);
    return i < 0 ? NULL : &rule_infos[i];
}
