/* clean.c — output-test project: uses the shared connection; no finding. */
#include "pq.h"

int clean_ping(void)
{
    return run_query(get_db_instance(), "SELECT 1");
}
