/* thread.c — output-test project: a repository that opens its own
 * connection and keeps it when the query fails. */
#include <stddef.h>

#include "../pq.h"

int thread_touch(const char *dsn, const char *sql)
{
    PGconn *conn = PQconnectdb(dsn); // expect: per-request-outside-handler
    if (conn == NULL)
        return -1;
    if (run_query(conn, sql) != 0)
        return -2; // expect: connection-leak
    PQfinish(conn);
    return 0;
}

int thread_count(const char *dsn)
{
    PGconn *conn = PQconnectdb(dsn); // expect: per-request-outside-handler
    if (!conn)
        return -1;
    int n = run_query(conn, "SELECT count(*) FROM threads");
    PQfinish(conn);
    return n;
}
