/* test_flow_facts.c — correlated branches (ESP facts), constant conditions,
 * failure kinds (negative, status-nonzero, never), double-release and
 * use-after-release on hand-built IR, and a large function. */
#include <stdio.h>
#include <time.h>

#include "flow_builder.h"
#include "flow_testpack.h"
#include "checks/registry.h"
#include "unit.h"

static PackSet packs;

#define LEAK RULE_CONNECTION_LEAK

static int run_count(Fb *b, const char *rule, int *total)
{
    FindingList l = flow_check(&packs, NULL, b->fn);
    int n = count_rule(&l, rule);
    if (total) *total = l.len;
    if (getenv("FLOW_TEST_VERBOSE")) dump_findings(&l);
    findings_free(&l);
    return n;
}

/* ok = (c != NULL); work(); if (ok) PQfinish(c); return;  — no leak */
static void test_correlated_flag(void)
{
    Fb b = fb_new("flag");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b);
    int c = fb_local(&b, "c"), ok = fb_int(&b, "ok");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_assign_cond(&b, b0, ir_ref_var(ok), fb_cond(ir_ref_var(c), CMP_NE, 0));
    fb_call(&b, b0, "work", 0);
    fb_branch(&b, b0, fb_cond(ir_ref_var(ok), CMP_NE, 0), "ok", b1, b2);
    fb_call(&b, b1, "PQfinish", 1, ir_ref_var(c));
    fb_jump(&b, b1, b2);
    fb_return(&b, b2, ir_ref_const(0));
    int total;
    CHECK(run_count(&b, LEAK, &total) == 0);
    CHECK(total == 0);
    ir_unit_free(b.u);
}

/* c = NULL; if (x) c = PQconnectdb(); ...; if (x) PQfinish(c);  — the same
 * unchanged variable tested twice goes the same way: no leak. With a
 * different variable in the second test: a leak. */
static void test_same_var_tested_twice(bool same)
{
    Fb b = fb_new("twice");
    int x = fb_param(&b, "x"), y = fb_param(&b, "y");
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b), fail = fb_block(&b), b3 = fb_block(&b),
        b4 = fb_block(&b), b5 = fb_block(&b);
    int c = fb_local(&b, "c");
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_const(0));
    fb_branch(&b, b0, fb_cond(ir_ref_var(x), CMP_NE, 0), "x", b1, b3);
    int k = fb_call(&b, b1, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b1, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b1, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b2);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_jump(&b, b2, b3);
    fb_call(&b, b3, "work", 0);
    fb_branch(&b, b3, fb_cond(ir_ref_var(same ? x : y), CMP_NE, 0), same ? "x" : "y", b4, b5);
    fb_call(&b, b4, "PQfinish", 1, ir_ref_var(c));
    fb_jump(&b, b4, b5);
    fb_line(&b, 20);
    fb_return(&b, b5, ir_ref_const(0));
    CHECK(run_count(&b, LEAK, NULL) == (same ? 0 : 1));
    ir_unit_free(b.u);
}

/* if (0) return;  with c held — the constant branch is never taken.
 * debug = 0 (static const folded by the parse stage into REF_CONST). */
static void test_constant_condition(void)
{
    Fb b = fb_new("konst");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b), never = fb_block(&b), b2 = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_branch(&b, b1, fb_cond(ir_ref_const(0), CMP_NE, 0), "0", never, b2);
    fb_return(&b, never, ir_ref_const(1));
    fb_call(&b, b2, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, b2, ir_ref_const(0));
    CHECK(run_count(&b, LEAK, NULL) == 0);
    ir_unit_free(b.u);
}

/* mode = 2; ... switch (mode) { case 1: return; default: PQfinish(c); return; } */
static void test_switch_on_known_value(void)
{
    Fb b = fb_new("known_switch");
    int b0 = fb_block(&b), fail = fb_block(&b), sw = fb_block(&b), c1 = fb_block(&b), def = fb_block(&b);
    int mode = fb_int(&b, "mode");
    int c = fb_local(&b, "c");
    fb_assign(&b, b0, ir_ref_var(mode), ir_ref_const(2));
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, sw);
    fb_return(&b, fail, ir_ref_const(-1));
    long long vals[] = {1};
    int targets[] = {c1};
    fb_switch(&b, sw, ir_ref_var(mode), 1, vals, targets, def, -1);
    fb_return(&b, c1, ir_ref_const(1));
    fb_call(&b, def, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, def, ir_ref_const(0));
    CHECK(run_count(&b, LEAK, NULL) == 0);
    ir_unit_free(b.u);
}

/* fd = open(p); if (fd < 0 / fd == -1) return -1; close(fd); — clean;
 * if (fd >= 0) close(fd); — clean */
static void test_negative_kind(IrCmp op, long long v, bool release_on_true)
{
    Fb b = fb_new("fd");
    int b0 = fb_block(&b), t = fb_block(&b), f = fb_block(&b);
    int fd = fb_int(&b, "fd");
    int k = fb_call(&b, b0, "open", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(fd), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(fd), op, v), "test", t, f);
    int rel = release_on_true ? t : f, other = release_on_true ? f : t;
    fb_call(&b, rel, "close", 1, ir_ref_var(fd));
    fb_return(&b, rel, ir_ref_const(0));
    fb_return(&b, other, ir_ref_const(-1));
    CHECK(run_count(&b, LEAK, NULL) == 0);
    ir_unit_free(b.u);
}

/* if (proxy_acquire(&pc, r) != 0) return; proxy_release(pc);  — clean;
 * rc = proxy_acquire(&pc, r); if (rc) return rc; (no release) — leak */
static void test_status_kind(bool release)
{
    Fb b = fb_new("proxy");
    int b0 = fb_block(&b), t = fb_block(&b), f = fb_block(&b);
    int pc = fb_local(&b, "pc"), rc = fb_int(&b, "rc");
    int k = fb_call(&b, b0, "proxy_acquire", 2, ir_ref_addr(pc), ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(rc), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(rc), CMP_NE, 0), "rc != OK", t, f);
    fb_return(&b, t, ir_ref_var(rc));
    if (release) fb_call(&b, f, "proxy_release", 1, ir_ref_var(pc));
    fb_line(&b, 9);
    fb_return(&b, f, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == (release ? 0 : 1));
    if (!release) CHECK(finding_at(&l, LEAK, 9) != NULL);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* sqlite3_open(p, &db) != OK: "never" — must be closed even on error */
static void test_never_kind(void)
{
    Fb b = fb_new("lite");
    int b0 = fb_block(&b), t = fb_block(&b), f = fb_block(&b);
    int db = fb_local(&b, "db");
    int k = fb_call(&b, b0, "sqlite3_open", 2, ir_ref_other(), ir_ref_addr(db));
    fb_branch(&b, b0, fb_cond(ir_ref_call(k), CMP_NE, 0), "sqlite3_open(p, &db) != SQLITE_OK", t, f);
    fb_line(&b, 5);
    fb_return(&b, t, ir_ref_const(-1)); /* leak: db must be closed */
    fb_call(&b, f, "sqlite3_close", 1, ir_ref_var(db));
    fb_return(&b, f, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    CHECK(finding_at(&l, LEAK, 5) != NULL);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* PQfinish(c); [if (x)] PQfinish(c);  — double-release (warning).
 * if (x) PQfinish(c); if (!x) PQfinish(c); — correlated: nothing. */
static void test_double_release(int shape)
{
    Fb b = fb_new("dbl");
    int x = fb_param(&b, "x");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b),
        b4 = fb_block(&b), b5 = fb_block(&b);
    int c = fb_local(&b, "c");
    fb_line(&b, 3);
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_branch(&b, b1, fb_cond(ir_ref_var(x), CMP_NE, 0), "x", b2, b3);
    fb_line(&b, 6);
    fb_call(&b, b2, "PQfinish", 1, ir_ref_var(c));
    fb_jump(&b, b2, b3);
    if (shape == 0) fb_jump(&b, b3, b4);
    else fb_branch(&b, b3, fb_cond(ir_ref_var(x), CMP_EQ, 0), "!x", b4, b5);
    fb_line(&b, 8);
    fb_call(&b, b4, "PQfinish", 1, ir_ref_var(c));
    fb_jump(&b, b4, b5);
    fb_return(&b, b5, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    if (shape == 0) {
        CHECK(l.len == 1);
        const Finding *f = finding_at(&l, RULE_DOUBLE_RELEASE, 8);
        CHECK(f != NULL);
        if (f) {
            CHECK(f->level == LEVEL_WARNING);
            CHECK_STR(f->message, "'c' (PostgreSQL connection) acquired at line 3 is released again here; it was released at line 6");
            CHECK(f->n_related == 2);
            if (f->n_related == 2) {
                CHECK(f->related[0].line == 6);
                CHECK(f->related[1].line == 3);
            }
        }
    } else {
        CHECK(l.len == 0);
    }
    if (getenv("FLOW_TEST_VERBOSE")) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* PQfinish(c); PQexec(c, q) / *c / PQfinish(c2 = alias) */
static void test_use_after_release(int shape)
{
    Fb b = fb_new("uar");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_call(&b, b1, "PQfinish", 1, ir_ref_var(c));
    fb_line(&b, 7);
    if (shape == 0) fb_call(&b, b1, "PQerrorMessage", 1, ir_ref_var(c));
    else if (shape == 1) fb_use(&b, b1, fb_deref(c));
    else fb_assign(&b, b1, ir_ref_var(c), ir_ref_const(0)); /* c = NULL: not a use */
    fb_return(&b, b1, ir_ref_const(0));
    int total;
    int n = run_count(&b, RULE_USE_AFTER_RELEASE, &total);
    CHECK(n == (shape == 2 ? 0 : 1));
    CHECK(total == n);
    ir_unit_free(b.u);
}

/* A 10,000-block function: a chain of unknown branches, one early return. */
static void test_large_function(void)
{
    Fb b = fb_new("huge");
    enum { N = 5000 };
    b.fn->blocks = arena_alloc(b.u->arena, (N * 2 + 8) * sizeof(IrBlock));
    int b0 = fb_block(&b), fail = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    int prev = b0;
    int first = fb_block(&b);
    fb_branch(&b, prev, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, first);
    fb_return(&b, fail, ir_ref_const(-1));
    prev = first;
    for (int i = 0; i < N; i++) {
        int side = fb_block(&b), next = fb_block(&b);
        fb_call(&b, prev, "work", 1, ir_ref_var(c));
        fb_branch(&b, prev, fb_unknown_cond(), "more", side, next);
        fb_jump(&b, side, next);
        prev = next;
    }
    int ret = fb_block(&b), end = fb_block(&b);
    fb_branch(&b, prev, fb_unknown_cond(), "bail", ret, end);
    fb_line(&b, 99);
    fb_return(&b, ret, ir_ref_const(1));
    fb_call(&b, end, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, end, ir_ref_const(0));
    clock_t t0 = clock();
    FindingList l = flow_check(&packs, NULL, b.fn);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("large function: %d blocks analysed in %.3f s\n", b.fn->n_blocks, secs);
    CHECK(l.len == 1);
    CHECK(finding_at(&l, LEAK, 99) != NULL);
    findings_free(&l);
    ir_unit_free(b.u);
}


/* A global set to a constant may be changed by a call: g_done = 0; run();
 * if (g_done) return 1; (leaks c). A global tested twice keeps its value
 * across calls: if (g_debug) c = PQconnectdb(); work(); if (g_debug) PQfinish(c); */
static void test_globals_across_calls(bool assigned)
{
    Fb b = fb_new("globals");
    int g = fb_global(&b, "g_flag");
    int b0 = fb_block(&b), b1 = fb_block(&b), fail = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b),
        b4 = fb_block(&b), b5 = fb_block(&b);
    int c = fb_local(&b, "c");
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_const(0));
    if (assigned) {
        fb_assign(&b, b0, ir_ref_var(g), ir_ref_const(0));
        fb_jump(&b, b0, b1);
    } else {
        fb_branch(&b, b0, fb_cond(ir_ref_var(g), CMP_NE, 0), "g_flag", b1, b3);
    }
    int k = fb_call(&b, b1, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b1, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b1, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b2);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_jump(&b, b2, b3);
    fb_call(&b, b3, "work", 0);
    fb_line(&b, 12);
    if (assigned) {
        fb_branch(&b, b3, fb_cond(ir_ref_var(g), CMP_NE, 0), "g_flag", b4, b5);
        fb_return(&b, b4, ir_ref_const(1)); /* leaks when work() set the flag */
        fb_call(&b, b5, "PQfinish", 1, ir_ref_var(c));
    } else {
        fb_branch(&b, b3, fb_cond(ir_ref_var(g), CMP_NE, 0), "g_flag", b4, b5);
        fb_call(&b, b4, "PQfinish", 1, ir_ref_var(c));
        fb_jump(&b, b4, b5);
    }
    fb_return(&b, b5, ir_ref_const(0));
    CHECK(run_count(&b, LEAK, NULL) == (assigned ? 1 : 0));
    ir_unit_free(b.u);
}

/* done = 0; int *pd = &done; ...; if (done) return 1;  — done may have
 * changed through pd: the branch is not pruned (the leak is found). */
static void test_address_taken_has_no_facts(void)
{
    Fb b = fb_new("addr");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b), t = fb_block(&b), f = fb_block(&b);
    int done = fb_int(&b, "done"), pd = fb_local(&b, "pd"), c = fb_local(&b, "c");
    fb_assign(&b, b0, ir_ref_var(done), ir_ref_const(0));
    fb_assign(&b, b0, ir_ref_var(pd), ir_ref_addr(done));
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_assign(&b, b1, fb_deref(pd), ir_ref_const(1));
    fb_branch(&b, b1, fb_cond(ir_ref_var(done), CMP_NE, 0), "done", t, f);
    fb_return(&b, t, ir_ref_const(1));
    fb_call(&b, f, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, f, ir_ref_const(0));
    CHECK(run_count(&b, LEAK, NULL) == 1);
    ir_unit_free(b.u);
}


/* lock = main_conn; if (sep) lock = PQconnectdb(); ...; if (lock != main_conn)
 * PQfinish(lock);  — a fresh handle never equals an older pointer. */
static void test_fresh_vs_borrowed_compare(bool guarded)
{
    Fb b = fb_new("lock_tables");
    int main_conn = fb_param(&b, "main_conn"), sep = fb_var_full(&b, "sep", VAR_PARAM, false, false);
    int b0 = fb_block(&b), b1 = fb_block(&b), b2 = fb_block(&b), b3 = fb_block(&b), b4 = fb_block(&b);
    int lock = fb_local(&b, "lock");
    fb_assign(&b, b0, ir_ref_var(lock), ir_ref_var(main_conn));
    fb_branch(&b, b0, fb_cond(ir_ref_var(sep), CMP_NE, 0), "sep", b1, b2);
    int k = fb_call(&b, b1, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b1, ir_ref_var(lock), ir_ref_call(k));
    fb_jump(&b, b1, b2);
    fb_call(&b, b2, "db_exec", 1, ir_ref_var(lock));
    IrCond c = guarded ? fb_pair_cond(ir_ref_var(lock), CMP_NE, ir_ref_var(main_conn)) : fb_unknown_cond();
    fb_branch(&b, b2, c, "lock != main_conn", b3, b4);
    fb_call(&b, b3, "PQfinish", 1, ir_ref_var(lock));
    fb_jump(&b, b3, b4);
    fb_return_implicit(&b, b4);
    CHECK(run_count(&b, LEAK, NULL) == (guarded ? 0 : 1));
    ir_unit_free(b.u);
}


/* if (close(c) == OK) c = NULL; other(); close(c);  — a release that can
 * refuse, retried: no double-release. Without the test of the first result:
 * a double-release. */
static void test_release_that_can_refuse(bool tested)
{
    Fb b = fb_new("refuse");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b), nul = fb_block(&b), b2 = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    int r = fb_call(&b, b1, "PQfinish", 1, ir_ref_var(c));
    if (tested) fb_branch(&b, b1, fb_cond(ir_ref_call(r), CMP_EQ, 0), "PQfinish(c) == OK", nul, b2);
    else fb_jump(&b, b1, b2);
    fb_assign(&b, nul, ir_ref_var(c), ir_ref_const(0));
    fb_jump(&b, nul, b2);
    fb_call(&b, b2, "other", 0);
    fb_call(&b, b2, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, b2, ir_ref_const(0));
    int total;
    CHECK(run_count(&b, RULE_DOUBLE_RELEASE, &total) == (tested ? 0 : 1));
    CHECK(total == (tested ? 0 : 1));
    ir_unit_free(b.u);
}


/* switch with 40 cases, each making a different alias of c: more distinct
 * states than a block keeps (32), merged without losing the handle. */
static void test_many_states_merge(bool release)
{
    Fb b = fb_new("many");
    enum { N = 40 };
    b.fn->blocks = arena_alloc(b.u->arena, (N + 8) * sizeof(IrBlock));
    b.fn->vars = arena_alloc(b.u->arena, (N + 8) * sizeof(IrVar));
    int k_var = fb_param(&b, "k");
    int b0 = fb_block(&b), fail = fb_block(&b), sw = fb_block(&b), join = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, sw);
    fb_return(&b, fail, ir_ref_const(-1));
    long long vals[N];
    int targets[N];
    static char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "a%d", i);
        int a = fb_local(&b, names[i]);
        int blk = fb_block(&b);
        fb_assign(&b, blk, ir_ref_var(a), ir_ref_var(c));
        fb_jump(&b, blk, join);
        vals[i] = i;
        targets[i] = blk;
    }
    fb_switch(&b, sw, ir_ref_var(k_var), N, vals, targets, join, -1);
    if (release) fb_call(&b, join, "PQfinish", 1, ir_ref_var(c));
    fb_return(&b, join, ir_ref_const(0));
    int total;
    CHECK(run_count(&b, LEAK, &total) == (release ? 0 : 1));
    CHECK(total == (release ? 0 : 1));
    ir_unit_free(b.u);
}

int main(void)
{
    packs = flow_test_packs();
    test_correlated_flag();
    test_same_var_tested_twice(true);
    test_same_var_tested_twice(false);
    test_constant_condition();
    test_switch_on_known_value();
    test_negative_kind(CMP_LT, 0, false);
    test_negative_kind(CMP_EQ, -1, false);
    test_negative_kind(CMP_GE, 0, true);
    test_negative_kind(CMP_NE, -1, true);
    test_status_kind(true);
    test_status_kind(false);
    test_never_kind();
    test_double_release(0);
    test_double_release(1);
    test_use_after_release(0);
    test_use_after_release(1);
    test_use_after_release(2);
    test_globals_across_calls(true);
    test_globals_across_calls(false);
    test_address_taken_has_no_facts();
    test_fresh_vs_borrowed_compare(true);
    test_fresh_vs_borrowed_compare(false);
    test_release_that_can_refuse(true);
    test_release_that_can_refuse(false);
    test_many_states_merge(true);
    test_many_states_merge(false);
    test_large_function();
    packset_free(&packs);
    UNIT_MAIN_END();
}
