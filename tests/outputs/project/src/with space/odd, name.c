/* odd, name.c — output-test project: a path with a space and a comma (URI
 * and GitHub property escaping) and a message-worthy leak at the end. */
#include "../pq.h"

void odd_report(const char *dsn)
{
    PGconn *conn = PQconnectdb(dsn); // expect: per-request-outside-handler
    if (!conn)
        return;
    run_query(conn, "SELECT 1");
} // expect: connection-leak
