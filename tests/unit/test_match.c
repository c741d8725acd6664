/* test_match.c — match_acquire / match_arg_effect / match_field_release
 * against a rule pack and against summaries. */
#include "flow_builder.h"
#include "flow_testpack.h"
#include "flow/match.h"
#include "flow/summary.h"
#include "unit.h"

static IrCall make_call(IrCalleeKind kind, const char *callee, int nargs, IrRef *args)
{
    IrCall c;
    memset(&c, 0, sizeof c);
    c.callee_kind = kind;
    c.callee = callee;
    c.nargs = nargs;
    c.args = args;
    c.base = ir_ref_var(0);
    return c;
}

int main(void)
{
    PackSet packs = flow_test_packs();
    MatchContext m = {&packs, NULL, "/src/a.c"};
    const Resource *conn = &packs.packs[0].resources[0];
    const Resource *session = &packs.packs[0].resources[2];
    IrRef args[3] = {ir_ref_var(1), ir_ref_addr(2), ir_ref_other()};
    AcquireMatch am;

    IrCall c = make_call(CALLEE_DIRECT, "PQconnectdb", 1, args);
    CHECK(match_acquire(&m, &c, &am));
    CHECK(am.res == conn && am.result_arg == -1 && am.failure == FAILURE_NULL && am.via == NULL);

    c = make_call(CALLEE_MEMBER, "PQconnectdb", 1, args); /* a member of that name is not the function */
    CHECK(!match_acquire(&m, &c, &am));

    c = make_call(CALLEE_DIRECT, "sqlite3_open", 2, args);
    CHECK(match_acquire(&m, &c, &am));
    CHECK(am.result_arg == 1 && am.failure == FAILURE_NEVER);
    c = make_call(CALLEE_DIRECT, "sqlite3_open", 1, args); /* too few arguments */
    CHECK(!match_acquire(&m, &c, &am));

    c = make_call(CALLEE_DIRECT, "get_db", 0, args);
    CHECK(match_acquire(&m, &c, &am));
    CHECK(am.res == session && am.failure == FAILURE_NULL_FIELD && am.failure_field &&
          strcmp(am.failure_field, "db") == 0);

    c = make_call(CALLEE_MEMBER, "prepare_v2", 1, args); /* sqlite3ext.h: spelled sqlite3_open */
    c.spelled = "sqlite3_open";
    CHECK(!match_acquire(&m, &c, &am)); /* too few arguments for the out-parameter */
    c.nargs = 2;
    CHECK(match_acquire(&m, &c, &am) && am.result_arg == 1);
    c = make_call(CALLEE_INDIRECT, NULL, 1, args);
    c.spelled = "PQfinish";
    CHECK(match_arg_effect(&m, &c, 0, conn) == ARG_RELEASE);

    c = make_call(CALLEE_MEMBER, "init", 1, args);
    CHECK(match_acquire(&m, &c, &am));
    c = make_call(CALLEE_DIRECT, "init", 1, args);
    CHECK(!match_acquire(&m, &c, &am));

    c = make_call(CALLEE_DIRECT, "PQfinish", 1, args);
    CHECK(match_arg_effect(&m, &c, 0, conn) == ARG_RELEASE);
    CHECK(match_arg_effect(&m, &c, 0, NULL) == ARG_RELEASE);
    CHECK(match_arg_effect(&m, &c, 0, session) == ARG_BORROW);
    CHECK(match_arg_effect(&m, &c, 1, conn) == ARG_BORROW);
    c = make_call(CALLEE_DIRECT, "pool_adopt", 1, args);
    CHECK(match_arg_effect(&m, &c, 0, conn) == ARG_TRANSFER);
    c = make_call(CALLEE_DIRECT, "db_exec", 2, args);
    CHECK(match_arg_effect(&m, &c, 0, conn) == ARG_BORROW);
    IrRef targs[4] = {ir_ref_addr(3), ir_ref_const(0), ir_ref_other(), ir_ref_var(1)};
    c = make_call(CALLEE_DIRECT, "pthread_create", 4, targs); /* the thread's argument is the thread's */
    CHECK(match_arg_effect(&m, &c, 3, conn) == ARG_TRANSFER);
    CHECK(match_arg_effect(&m, &c, 0, conn) == ARG_BORROW);

    c = make_call(CALLEE_MEMBER, "cleanup", 1, args);
    CHECK(match_field_release(&m, &c, session));
    CHECK(!match_field_release(&m, &c, conn));
    CHECK(match_field_release(&m, &c, NULL));
    c = make_call(CALLEE_DIRECT, "cleanup", 1, args);
    CHECK(!match_field_release(&m, &c, session));

    /* summaries: a wrapper acquires, a helper releases */
    Fb w = fb_new("open_conn");
    w.fn->file = "/src/a.c";
    w.fn->returns_pointer = true;
    int b0 = fb_block(&w);
    int k = fb_call(&w, b0, "PQconnectdb", 1, ir_ref_other());
    fb_return(&w, b0, ir_ref_call(k));
    Fb r = fb_new("close_conn");
    r.fn->file = "/src/a.c";
    int p = fb_param(&r, "c");
    int r0 = fb_block(&r);
    fb_call(&r, r0, "PQfinish", 1, ir_ref_var(p));
    fb_return_implicit(&r, r0);
    IrUnit *units[] = {w.u, r.u};
    SummaryTable *st = summaries_build(units, 2, &packs);
    MatchContext ms = {&packs, st, "/src/b.c"};
    c = make_call(CALLEE_DIRECT, "open_conn", 0, args);
    CHECK(!match_acquire(&m, &c, &am));
    CHECK(match_acquire(&ms, &c, &am));
    CHECK(am.res == conn && am.via != NULL && am.failure == FAILURE_NULL);
    c = make_call(CALLEE_DIRECT, "close_conn", 1, args);
    CHECK(match_arg_effect(&ms, &c, 0, conn) == ARG_RELEASE);
    CHECK(match_arg_effect(&ms, &c, 0, session) == ARG_BORROW);
    CHECK(match_arg_effect(&m, &c, 0, conn) == ARG_BORROW);
    summaries_free(st);
    ir_unit_free(w.u);
    ir_unit_free(r.u);
    packset_free(&packs);
    UNIT_MAIN_END();
}
