/* pq.h — the few libpq declarations the output-test project needs. */
#ifndef PQ_H
#define PQ_H
typedef struct pg_conn PGconn;
PGconn *PQconnectdb(const char *conninfo);
void PQfinish(PGconn *conn);
int run_query(PGconn *conn, const char *sql);
PGconn *get_db_instance(void);
#endif
