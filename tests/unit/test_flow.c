/* test_flow.c — connection-leak on hand-built IR: early returns, failure
 * checks, status checks that are not failure checks, goto ladders, releases
 * in one branch, loops, switch, noreturn, discarded results, and the
 * message / related / path / identity of a finding. */
#include "flow_builder.h"
#include "flow_testpack.h"
#include "checks/registry.h"
#include "unit.h"

static PackSet packs;

#define LEAK RULE_CONNECTION_LEAK

/* c = PQconnectdb(..) at line 10; returns the var index of c */
static int acquire_conn(Fb *b, int blk, const char *name, int line)
{
    int c = fb_local(b, name);
    fb_line(b, line);
    int k = fb_call(b, blk, "PQconnectdb", 1, ir_ref_other());
    fb_assign(b, blk, ir_ref_var(c), ir_ref_call(k));
    return c;
}

static void release_conn(Fb *b, int blk, int c, int line)
{
    fb_line(b, line);
    fb_call(b, blk, "PQfinish", 1, ir_ref_var(c));
}

/* int f(void) {
 * 10  PGconn *c = PQconnectdb(x);
 * 11  if (c == NULL)
 * 12      return -1;
 * 15  if (rc != 0)
 * 16      return -1;          <- leak
 * 18  PQfinish(c);
 * 19  return 0; } */
static void test_early_return(void)
{
    Fb b = fb_new("load_user");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b), b4 = fb_block(&b);
    int c = acquire_conn(&b, b0, "conn", 10);
    fb_line(&b, 11);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "conn == NULL", b1, b2);
    fb_line(&b, 12);
    fb_return(&b, b1, ir_ref_const(-1));
    fb_line(&b, 15);
    fb_branch(&b, b2, fb_unknown_cond(), "rc != 0", b3, b4);
    fb_line(&b, 16);
    fb_return(&b, b3, ir_ref_const(-1));
    release_conn(&b, b4, c, 18);
    fb_line(&b, 19);
    fb_return(&b, b4, ir_ref_const(0));

    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 16);
    CHECK(f != NULL);
    if (f) {
        CHECK(f->level == LEVEL_ERROR);
        CHECK_STR(f->message, "'conn' (PostgreSQL connection) acquired at line 10 is not released when the function returns here");
        CHECK_STR(f->message_markdown, "'conn' (PostgreSQL connection) acquired at [line 10](1) is not released when the function returns here");
        CHECK_STR(f->function, "load_user");
        CHECK_STR(f->loc.file, "/src/test.c");
        CHECK(f->n_related == 1);
        if (f->n_related == 1) {
            CHECK(f->related[0].line == 10);
            CHECK_STR(f->related[0].message, "'conn' acquired here");
        }
        CHECK(f->n_path == 4);
        if (f->n_path == 4) {
            CHECK_STR(f->path[0].message, "'conn' acquired here");
            CHECK(f->path[0].line == 10);
            CHECK_STR(f->path[1].message, "taking the branch where 'conn == NULL' is false");
            CHECK(f->path[1].line == 11);
            CHECK_STR(f->path[2].message, "taking the branch where 'rc != 0'");
            CHECK(f->path[2].line == 15);
            CHECK_STR(f->path[3].message, "returning here");
            CHECK(f->path[3].line == 16);
        }
        CHECK_STR(f->identity, "connection-leak:load_user:conn:PQconnectdb:return");
    }
    findings_free(&l);
    ir_unit_free(b.u);
}

/* c = PQconnectdb(); if (!c) return -1; PQfinish(c); return 0;  — clean */
static void test_failure_check_clean(void)
{
    Fb b = fb_new("ok");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b);
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", b1, b2);
    fb_return(&b, b1, ir_ref_const(-1));
    release_conn(&b, b2, c, 6);
    fb_return(&b, b2, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* Acquire inside the condition: if ((c = PQconnectdb()) == NULL) return;
 * the IR tests the call's value directly. */
static void test_acquire_in_condition(void)
{
    Fb b = fb_new("cond_acquire");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_call(k), CMP_EQ, 0), "(c = PQconnectdb(x)) == NULL", b1, b2);
    fb_return(&b, b1, ir_ref_const(-1));
    release_conn(&b, b2, c, 6);
    fb_return(&b, b2, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* if (PQstatus(c) != CONNECTION_OK) return;  is not a failure test: leak */
static void test_status_check_is_not_failure_check(void)
{
    Fb b = fb_new("status");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b);
    int c = acquire_conn(&b, b0, "conn", 3);
    fb_line(&b, 4);
    int k = fb_call(&b, b0, "PQstatus", 1, ir_ref_var(c));
    fb_branch(&b, b0, fb_cond(ir_ref_call(k), CMP_NE, 0), "PQstatus(conn) != CONNECTION_OK", b1, b2);
    fb_line(&b, 5);
    fb_return(&b, b1, ir_ref_none());
    release_conn(&b, b2, c, 7);
    fb_line(&b, 8);
    fb_return_implicit(&b, b2);
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    CHECK(finding_at(&l, LEAK, 5) != NULL);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* No failure test at all: still a leak on the success path. */
static void test_untested_maybe_leaks_at_end(void)
{
    Fb b = fb_new("untested");
    int b0 = fb_block(&b);
    acquire_conn(&b, b0, "c", 3);
    fb_line(&b, 9);
    fb_return_implicit(&b, b0);
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 9);
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->message, "'c' (PostgreSQL connection) acquired at line 3 is not released at the end of the function");
        CHECK(f->n_path == 2);
        if (f->n_path == 2) CHECK_STR(f->path[1].message, "leaving the function here");
        CHECK_STR(f->identity, "connection-leak:untested:c:PQconnectdb:end");
    }
    findings_free(&l);
    ir_unit_free(b.u);
}

/* goto ladder: c, r = PQexec(c); if (!r) goto out_c; if (bad) goto out_r;
 * out_r: PQclear(r); out_c: PQfinish(c); return.  — clean
 * and the same with a goto that jumps over both releases — two leaks */
static void test_goto_ladder(bool jump_over)
{
    Fb b = fb_new("ladder");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b);
    int out_r = fb_block(&b), out_c = fb_block(&b), out = fb_block(&b), fail = fb_block(&b);
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_line(&b, 4);
    fb_return(&b, fail, ir_ref_const(-1));
    int r = fb_local(&b, "res");
    fb_line(&b, 5);
    int k = fb_call(&b, b1, "PQexec", 2, ir_ref_var(c), ir_ref_other());
    fb_assign(&b, b1, ir_ref_var(r), ir_ref_call(k));
    fb_branch(&b, b1, fb_cond(ir_ref_var(r), CMP_EQ, 0), "!res", out_c, b2);
    fb_branch(&b, b2, fb_unknown_cond(), "bad", out_r, b3);
    fb_line(&b, 12);
    fb_branch(&b, b3, fb_unknown_cond(), "other", jump_over ? out : out_r, out_r);
    fb_line(&b, 20);
    fb_call(&b, out_r, "PQclear", 1, ir_ref_var(r));
    fb_jump(&b, out_r, out_c);
    release_conn(&b, out_c, c, 22);
    fb_jump(&b, out_c, out);
    fb_line(&b, 24);
    fb_return(&b, out, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    if (!jump_over) {
        CHECK(l.len == 0);
    } else {
        CHECK(l.len == 2);
        CHECK(count_rule(&l, LEAK) == 2);
        CHECK(finding_at(&l, LEAK, 24) != NULL);
    }
    if (l.len != (jump_over ? 2 : 0)) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* if (x) PQfinish(c); return 0;  — leaks when x is false */
static void test_release_in_one_branch(void)
{
    Fb b = fb_new("one_branch");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b), fail = fb_block(&b);
    int x = fb_param(&b, "x");
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_line(&b, 5);
    fb_branch(&b, b1, fb_cond(ir_ref_var(x), CMP_NE, 0), "x", b2, b3);
    release_conn(&b, b2, c, 6);
    fb_jump(&b, b2, b3);
    fb_line(&b, 8);
    fb_return(&b, b3, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 8);
    CHECK(f != NULL);
    if (f && f->n_path == 4) CHECK_STR(f->path[2].message, "taking the branch where 'x' is false");
    else CHECK(0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* while (more) { if (err) break; if (skip) continue; if (fatal) return -1; }
 * PQfinish(c); return 0;  — one leak: the return inside the loop */
static void test_loop_break_continue(void)
{
    Fb b = fb_new("loop");
    int b0 = fb_block(&b), head = fb_block(&b), body = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b);
    int ret_in = fb_block(&b), after = fb_block(&b), fail = fb_block(&b);
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, head);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_branch(&b, head, fb_unknown_cond(), "more", body, after);
    fb_call(&b, body, "PQexec", 2, ir_ref_var(c), ir_ref_other()); /* discarded result: separate site */
    fb_branch(&b, body, fb_unknown_cond(), "err", after, b2);
    fb_branch(&b, b2, fb_unknown_cond(), "skip", head, b3);
    fb_branch(&b, b3, fb_unknown_cond(), "fatal", ret_in, head);
    fb_line(&b, 9);
    fb_return(&b, ret_in, ir_ref_const(-1));
    release_conn(&b, after, c, 11);
    fb_line(&b, 12);
    fb_return(&b, after, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    const Finding *f = finding_at(&l, LEAK, 9);
    CHECK(f != NULL);
    bool entering = false;
    for (int i = 0; f && i < f->n_path; i++) entering |= strcmp(f->path[i].message, "entering the loop") == 0;
    CHECK(entering);
    CHECK(finding_at(&l, LEAK, 12) == NULL);
    /* and the discarded PQexec result */
    int discards = 0;
    for (int i = 0; i < l.len; i++)
        if (strstr(l.items[i].message, "discarded")) discards++;
    CHECK(discards == 1);
    CHECK(l.len == 2);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* while (more) { c = PQconnectdb(); if (!c) continue; use(c); } — the
 * second iteration overwrites c while the first handle is held. */
static void test_acquire_in_loop_overwrite(void)
{
    Fb b = fb_new("reconnect");
    int b0 = fb_block(&b), head = fb_block(&b), body = fb_block(&b), use = fb_block(&b), after = fb_block(&b);
    int c = fb_local(&b, "c");
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_const(0));
    fb_jump(&b, b0, head);
    fb_branch(&b, head, fb_unknown_cond(), "more", body, after);
    fb_line(&b, 5);
    int k = fb_call(&b, body, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, body, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, body, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", head, use);
    fb_line(&b, 7);
    fb_call(&b, use, "db_exec", 1, ir_ref_var(c));
    fb_jump(&b, use, head);
    fb_line(&b, 9);
    fb_call(&b, after, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, after, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 5);
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->message, "'c' (PostgreSQL connection) acquired at line 5 is overwritten here while still held");
        CHECK_STR(f->identity, "connection-leak:reconnect:c:PQconnectdb:overwrite");
    } else {
        dump_findings(&l);
    }
    findings_free(&l);
    ir_unit_free(b.u);
}

/* c = PQconnectdb(a); c = PQconnectdb(b); — plain overwrite by another site */
static void test_overwrite_by_other_site(void)
{
    Fb b = fb_new("twice");
    int b0 = fb_block(&b);
    int c = acquire_conn(&b, b0, "c", 3);
    fb_line(&b, 4);
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    release_conn(&b, b0, c, 5);
    fb_return(&b, b0, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    CHECK(finding_at(&l, LEAK, 4) != NULL);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* switch (k) { case 1: PQfinish(c); case 2: return 1; default: PQfinish(c); return 0; } */
static void test_switch_fallthrough(void)
{
    Fb b = fb_new("sw");
    int b0 = fb_block(&b), c1 = fb_block(&b), c2 = fb_block(&b), def = fb_block(&b), sw = fb_block(&b), fail = fb_block(&b);
    int kv = fb_param(&b, "k");
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, sw);
    fb_return(&b, fail, ir_ref_const(-1));
    long long vals[] = {1, 2};
    int targets[] = {c1, c2};
    fb_line(&b, 5);
    fb_switch(&b, sw, ir_ref_var(kv), 2, vals, targets, def, -1);
    release_conn(&b, c1, c, 6);
    fb_jump(&b, c1, c2);
    fb_line(&b, 7);
    fb_return(&b, c2, ir_ref_const(1));
    release_conn(&b, def, c, 8);
    fb_return(&b, def, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 7);
    CHECK(f != NULL);
    if (f && f->n_path == 4) CHECK_STR(f->path[2].message, "taking 'case 2'");
    else CHECK(0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* if (bad) { log(); exit(1); }  — no leak on a noreturn path */
static void test_noreturn(void)
{
    Fb b = fb_new("nr");
    int b0 = fb_block(&b), die = fb_block(&b), b2 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b);
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_noreturn_call(&b, fail, "abort");
    fb_branch(&b, b1, fb_unknown_cond(), "bad", die, b2);
    fb_call(&b, die, "log_error", 1, ir_ref_var(c));
    fb_noreturn_call(&b, die, "exit");
    release_conn(&b, b2, c, 9);
    fb_return(&b, b2, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* PQconnectdb(x);  as a statement — discarded */
static void test_discarded(void)
{
    Fb b = fb_new("discard");
    int b0 = fb_block(&b);
    fb_line(&b, 4);
    fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_line(&b, 5);
    fb_return(&b, b0, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 4);
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->message, "the PostgreSQL connection returned by PQconnectdb() is discarded without being released");
        CHECK_STR(f->identity, "connection-leak:discard:-:PQconnectdb:discard");
    }
    findings_free(&l);
    ir_unit_free(b.u);
}

/* wrap(PQconnectdb(x)): the callee got it — silent. return PQconnectdb(): escapes. */
static void test_call_temp_passed_or_returned(void)
{
    Fb b = fb_new("wrapit");
    int b0 = fb_block(&b);
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_call(&b, b0, "wrap", 1, ir_ref_call(k));
    int k2 = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_return(&b, b0, ir_ref_call(k2));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

static void test_truncated_is_skipped(void)
{
    Fb b = fb_new("trunc");
    int b0 = fb_block(&b);
    acquire_conn(&b, b0, "c", 3);
    fb_return(&b, b0, ir_ref_const(0));
    b.fn->truncated = true;
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* r = PQexec(c, q); if (PQntuples(r) == 0) return NULL;  — r leaks */
static void test_empty_result_early_return(void)
{
    Fb b = fb_new("find_user");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b);
    int c = fb_param(&b, "conn");
    int r = fb_local(&b, "res");
    fb_line(&b, 4);
    int k = fb_call(&b, b0, "PQexec", 2, ir_ref_var(c), ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(r), ir_ref_call(k));
    int n = fb_call(&b, b0, "PQntuples", 1, ir_ref_var(r));
    fb_branch(&b, b0, fb_cond(ir_ref_call(n), CMP_EQ, 0), "PQntuples(res) == 0", b1, b2);
    fb_line(&b, 6);
    fb_return(&b, b1, ir_ref_const(0));
    fb_call(&b, b2, "PQclear", 1, ir_ref_var(r));
    fb_return(&b, b2, ir_ref_const(1));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 6);
    CHECK(f != NULL);
    if (f) CHECK_STR(f->message, "'res' (PostgreSQL query result) acquired at line 4 is not released when the function returns here");
    findings_free(&l);
    ir_unit_free(b.u);
}


/* Decisions of if/else bodies that rejoin without touching the handle are
 * not shown: c = PQconnectdb(); if (!c) return; if (v) log(1) else log(2);
 * if (bad) return;  — path: acquire, '!c' false, 'bad', return. */
static void test_path_skips_unrelated_diamonds(void)
{
    Fb b = fb_new("diamond");
    int b0 = fb_block(&b), fail = fb_block(&b), d = fb_block(&b), then = fb_block(&b), els = fb_block(&b),
        join = fb_block(&b), bail = fb_block(&b), done = fb_block(&b);
    int c = acquire_conn(&b, b0, "c", 3);
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, d);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_branch(&b, d, fb_unknown_cond(), "v", then, els);
    fb_call(&b, then, "log_line", 2, ir_ref_var(c), ir_ref_const(1)); /* a borrow */
    fb_jump(&b, then, join);
    fb_call(&b, els, "log_line", 1, ir_ref_const(2));
    fb_jump(&b, els, join);
    fb_line(&b, 8);
    fb_branch(&b, join, fb_unknown_cond(), "bad", bail, done);
    fb_line(&b, 9);
    fb_return(&b, bail, ir_ref_const(1));
    release_conn(&b, done, c, 10);
    fb_return(&b, done, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    if (l.len == 1) {
        const Finding *f = &l.items[0];
        CHECK(f->n_path == 4);
        if (f->n_path == 4) {
            CHECK_STR(f->path[1].message, "taking the branch where '!c' is false");
            CHECK_STR(f->path[2].message, "taking the branch where 'bad'");
        } else {
            dump_findings(&l);
        }
    }
    findings_free(&l);
    ir_unit_free(b.u);
}

int main(void)
{
    packs = flow_test_packs();
    test_early_return();
    test_failure_check_clean();
    test_acquire_in_condition();
    test_status_check_is_not_failure_check();
    test_untested_maybe_leaks_at_end();
    test_goto_ladder(false);
    test_goto_ladder(true);
    test_release_in_one_branch();
    test_loop_break_continue();
    test_acquire_in_loop_overwrite();
    test_overwrite_by_other_site();
    test_switch_fallthrough();
    test_noreturn();
    test_discarded();
    test_call_temp_passed_or_returned();
    test_truncated_is_skipped();
    test_empty_result_early_return();
    test_path_skips_unrelated_diamonds();
    packset_free(&packs);
    UNIT_MAIN_END();
}
