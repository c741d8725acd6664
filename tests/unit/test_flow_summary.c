/* test_flow_summary.c — function summaries built with the flow engine:
 * returns-acquire (by return and through *out), parameter releases / maybe
 * releases / transfers / borrows, wrappers of wrappers (fixpoint), static
 * lookup, and the checks using them across functions. */
#include "flow_builder.h"
#include "flow_testpack.h"
#include "flow/match.h"
#include "checks/registry.h"
#include "flow/summary.h"
#include "unit.h"

static PackSet packs;

static Fb fn_in(const char *name, const char *file)
{
    Fb b = fb_new(name);
    b.fn->file = file;
    b.u->main_file = file;
    b.fn->returns_pointer = true;
    b.fn->return_type = "PGconn *";
    return b;
}

/* PGconn *open_conn(void) { c = PQconnectdb(); if (!c) return NULL; return c; } */
static Fb make_open_conn(void)
{
    Fb b = fn_in("open_conn", "/src/a.c");
    int b0 = fb_block(&b), fail = fb_block(&b), ok = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, ok);
    fb_return(&b, fail, ir_ref_const(0));
    fb_return(&b, ok, ir_ref_var(c));
    return b;
}

/* PGconn *a_open(void) { return open_conn(); }  — sorts before open_conn */
static Fb make_a_open(void)
{
    Fb b = fn_in("a_open", "/src/a.c");
    int b0 = fb_block(&b);
    int k = fb_call(&b, b0, "open_conn", 0);
    fb_return(&b, b0, ir_ref_call(k));
    return b;
}

/* int open_out(PGconn **out) { c = PQconnectdb(); if (!c) return -1; *out = c; return 0; } */
static Fb make_open_out(void)
{
    Fb b = fn_in("open_out", "/src/a.c");
    b.fn->returns_pointer = false;
    b.fn->return_type = "int";
    int out = fb_param(&b, "out");
    int b0 = fb_block(&b), fail = fb_block(&b), ok = fb_block(&b);
    int c = fb_local(&b, "c");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, ok);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_assign(&b, ok, fb_deref(out), ir_ref_var(c));
    fb_return(&b, ok, ir_ref_const(0));
    return b;
}

/* void NAME(PGconn *c, int x) { shape } */
static Fb make_param_fn(const char *name, int shape, bool is_static)
{
    Fb b = fn_in(name, "/src/a.c");
    b.fn->return_type = "void";
    b.fn->returns_pointer = false;
    b.fn->is_static = is_static;
    int c = fb_param(&b, "c"), x = fb_var_full(&b, "x", VAR_PARAM, false, false);
    int g = fb_global(&b, "g_conn");
    int b0 = fb_block(&b), t = fb_block(&b), end = fb_block(&b);
    switch (shape) {
    case 0: /* releases: if (!c) return; PQfinish(c); */
        fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", end, t);
        fb_call(&b, t, "PQfinish", 1, ir_ref_var(c));
        fb_jump(&b, t, end);
        break;
    case 1: /* maybe: if (x) PQfinish(c); */
        fb_branch(&b, b0, fb_cond(ir_ref_var(x), CMP_NE, 0), "x", t, end);
        fb_call(&b, t, "PQfinish", 1, ir_ref_var(c));
        fb_jump(&b, t, end);
        break;
    case 2: /* transfers: g_conn = c; */
        fb_assign(&b, b0, ir_ref_var(g), ir_ref_var(c));
        fb_jump(&b, b0, end);
        fb_jump(&b, t, end);
        break;
    default: /* borrows: db_exec(c); */
        fb_call(&b, b0, "db_exec", 1, ir_ref_var(c));
        fb_jump(&b, b0, end);
        fb_jump(&b, t, end);
        break;
    }
    fb_return_implicit(&b, end);
    return b;
}

/* void caller(void) { c = ACQ(); if (!c) return; db_exec(c); [REL(c);] } */
static Fb make_caller(const char *name, const char *file, const char *acq, const char *rel)
{
    Fb b = fn_in(name, file);
    int b0 = fb_block(&b), fail = fb_block(&b), ok = fb_block(&b);
    int c = fb_local(&b, "conn");
    fb_line(&b, 4);
    int k = fb_call(&b, b0, acq, 0);
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!conn", fail, ok);
    fb_return(&b, fail, ir_ref_none());
    fb_call(&b, ok, "db_exec", 1, ir_ref_var(c));
    if (rel) fb_call(&b, ok, rel, 2, ir_ref_var(c), ir_ref_const(0));
    fb_line(&b, 9);
    fb_return_implicit(&b, ok);
    return b;
}

static void test_summaries(void)
{
    Fb fns[] = {
        make_open_conn(), make_a_open(), make_open_out(),
        make_param_fn("close_conn", 0, false), make_param_fn("maybe_close", 1, false),
        make_param_fn("stash", 2, false), make_param_fn("use_conn", 3, false),
        make_param_fn("local_close", 0, true),
    };
    int n = (int)(sizeof fns / sizeof fns[0]);
    IrUnit *units[16];
    for (int i = 0; i < n; i++) units[i] = fns[i].u;
    SummaryTable *t = summaries_build(units, n, &packs);
    const Resource *conn = &packs.packs[0].resources[0];

    const FunctionSummary *s = summary_lookup(t, "open_conn", "/src/b.c");
    CHECK(s && s->acquires == conn && s->acquire_result_arg == -1 && s->acquire_failure == FAILURE_NULL);
    if (s && s->chain) CHECK_STR(s->chain, "open_conn() which calls PQconnectdb()");
    CHECK(s && s->acquires_per_request);
    s = summary_lookup(t, "a_open", "/src/b.c");
    CHECK(s && s->acquires == conn);
    if (s && s->chain) CHECK_STR(s->chain, "a_open() which calls open_conn() which calls PQconnectdb()");
    s = summary_lookup(t, "open_out", "/src/b.c");
    CHECK(s && s->acquires == conn && s->acquire_result_arg == 0 && s->acquire_failure == FAILURE_STATUS_NONZERO);
    s = summary_lookup(t, "close_conn", "/src/b.c");
    CHECK(s && s->n_params == 2 && s->params[0] == PARAM_RELEASES && s->param_res[0] == conn);
    CHECK(s && s->params[1] == PARAM_BORROWS && !s->acquires);
    s = summary_lookup(t, "maybe_close", "/src/b.c");
    CHECK(s && s->params[0] == PARAM_MAYBE_RELEASES);
    CHECK(s && s->maybe[0].by == MAYBE_WHEN_PARAM_NONZERO && s->maybe[0].param == 1);
    s = summary_lookup(t, "stash", "/src/b.c");
    CHECK(s && s->params[0] == PARAM_TRANSFERS);
    s = summary_lookup(t, "use_conn", "/src/b.c");
    CHECK(s && s->params[0] == PARAM_BORROWS);
    CHECK(summary_lookup(t, "local_close", "/src/b.c") == NULL);
    CHECK(summary_lookup(t, "local_close", "/src/a.c") != NULL);
    CHECK(summary_lookup(t, "no_such", "/src/a.c") == NULL);

    /* callers in another file see the wrappers */
    struct {
        const char *acq, *rel;
        int leaks;
    } cases[] = {
        {"open_conn", NULL, 1}, {"a_open", NULL, 1},    {"open_conn", "close_conn", 0},
        {"a_open", "stash", 0},
        {"a_open", "maybe_close", 1}, /* maybe_close(c, 0): x == 0 decides it never releases */
        {"a_open", "use_conn", 1},
        {"open_conn", "local_close", 1}, /* static in another file: unknown, borrows */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Fb c = make_caller("handler", "/src/b.c", cases[i].acq, cases[i].rel);
        FindingList l = flow_check(&packs, t, c.fn);
        CHECK(count_rule(&l, RULE_CONNECTION_LEAK) == cases[i].leaks);
        if (cases[i].leaks == 1 && l.len == 1) {
            CHECK(l.items[0].loc.line == 9);
            CHECK_STR(l.items[0].message, "'conn' (PostgreSQL connection) acquired at line 4 is not released at the end of the function");
        }
        if (count_rule(&l, RULE_CONNECTION_LEAK) != cases[i].leaks)
            fprintf(stderr, "case %zu: %s / %s\n", i, cases[i].acq, cases[i].rel ? cases[i].rel : "-");
        findings_free(&l);
        ir_unit_free(c.u);
    }
    summaries_free(t);
    for (int i = 0; i < n; i++) ir_unit_free(units[i]);
}

/* f calls itself: the fixpoint terminates. */
static void test_recursion_terminates(void)
{
    Fb b = fn_in("rec", "/src/r.c");
    int p = fb_param(&b, "c");
    int b0 = fb_block(&b), t = fb_block(&b), e = fb_block(&b);
    fb_branch(&b, b0, fb_unknown_cond(), "more", t, e);
    fb_call(&b, t, "rec", 1, ir_ref_var(p));
    fb_jump(&b, t, e);
    fb_return_implicit(&b, e);
    IrUnit *units[] = {b.u};
    SummaryTable *st = summaries_build(units, 1, &packs);
    const FunctionSummary *s = summary_lookup(st, "rec", "/src/r.c");
    CHECK(s && s->params[0] == PARAM_BORROWS);
    summaries_free(st);
    ir_unit_free(b.u);
}


/* struct obj *obj_new(PGconn *c) { o = calloc(); if (!o) return NULL; o->conn = c; return o; }
 * and a wrapper of it: both transfer on success. */
static void test_transfer_on_success(void)
{
    Fb n = fn_in("obj_new", "/src/o.c");
    int c = fb_param(&n, "c");
    int b0 = fb_block(&n), fail = fb_block(&n), ok = fb_block(&n);
    int o = fb_local(&n, "o");
    int k = fb_call(&n, b0, "calloc", 2, ir_ref_const(1), ir_ref_const(16));
    fb_assign(&n, b0, ir_ref_var(o), ir_ref_call(k));
    fb_branch(&n, b0, fb_cond(ir_ref_var(o), CMP_EQ, 0), "!o", fail, ok);
    fb_return(&n, fail, ir_ref_const(0));
    fb_assign(&n, ok, ir_ref_field(o, "conn", true), ir_ref_var(c));
    fb_return(&n, ok, ir_ref_var(o));

    Fb w = fn_in("obj_wrap", "/src/o.c");
    int wc = fb_param(&w, "c");
    int w0 = fb_block(&w);
    int wk = fb_call(&w, w0, "obj_new", 1, ir_ref_var(wc));
    fb_return(&w, w0, ir_ref_call(wk));

    IrUnit *units[] = {n.u, w.u};
    SummaryTable *st = summaries_build(units, 2, &packs);
    const FunctionSummary *s = summary_lookup(st, "obj_new", "/src/x.c");
    CHECK(s && s->params[0] == PARAM_TRANSFERS_ON_SUCCESS);
    s = summary_lookup(st, "obj_wrap", "/src/x.c");
    CHECK(s && s->params[0] == PARAM_TRANSFERS_ON_SUCCESS);

    /* caller: conn = PQconnectdb(); if (!conn) return; o = obj_new(conn);
     * if (!o) return;  — leaks conn there (line 7); with PQfinish before it, clean */
    for (int fixed = 0; fixed < 2; fixed++) {
        Fb cl = fn_in("open_obj", "/src/x.c");
        int b0c = fb_block(&cl), f1 = fb_block(&cl), b1 = fb_block(&cl), f2 = fb_block(&cl), b2 = fb_block(&cl);
        int conn = fb_local(&cl, "conn"), ob = fb_local(&cl, "o");
        int kc = fb_call(&cl, b0c, "PQconnectdb", 1, ir_ref_other());
        fb_assign(&cl, b0c, ir_ref_var(conn), ir_ref_call(kc));
        fb_branch(&cl, b0c, fb_cond(ir_ref_var(conn), CMP_EQ, 0), "!conn", f1, b1);
        fb_return(&cl, f1, ir_ref_const(0));
        int ko = fb_call(&cl, b1, "obj_wrap", 1, ir_ref_var(conn));
        fb_assign(&cl, b1, ir_ref_var(ob), ir_ref_call(ko));
        fb_branch(&cl, b1, fb_cond(ir_ref_var(ob), CMP_EQ, 0), "!o", f2, b2);
        if (fixed) fb_call(&cl, f2, "PQfinish", 1, ir_ref_var(conn));
        fb_line(&cl, 7);
        fb_return(&cl, f2, ir_ref_const(0));
        fb_return(&cl, b2, ir_ref_var(ob));
        FindingList l = flow_check(&packs, st, cl.fn);
        CHECK(l.len == (fixed ? 0 : 1));
        if (!fixed && l.len == 1) CHECK(l.items[0].loc.line == 7);
        findings_free(&l);
        ir_unit_free(cl.u);
    }
    summaries_free(st);
    ir_unit_free(n.u);
    ir_unit_free(w.u);
}


/* int lookup(PGconn **out) { c = PQconnectdb(); if (!c) return 0; *out = c; return 1; }
 * 1 means stored: the status's meaning is not "nonzero = failure". Callers
 * that test it and then the handle are clean; one that never tests leaks. */
static void test_out_param_status_polarity(void)
{
    Fb w = fn_in("lookup", "/src/l.c");
    w.fn->returns_pointer = false;
    w.fn->return_type = "int";
    int out = fb_param(&w, "out");
    int b0 = fb_block(&w), fail = fb_block(&w), ok = fb_block(&w);
    int c = fb_local(&w, "c");
    int k = fb_call(&w, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&w, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&w, b0, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, ok);
    fb_return(&w, fail, ir_ref_const(0));
    fb_assign(&w, ok, fb_deref(out), ir_ref_var(c));
    fb_return(&w, ok, ir_ref_const(1));
    IrUnit *units[] = {w.u, make_open_out().u};
    SummaryTable *st = summaries_build(units, 2, &packs);
    const FunctionSummary *s = summary_lookup(st, "lookup", "/src/x.c");
    CHECK(s && s->acquire_result_arg == 0 && s->acquire_failure == FAILURE_STATUS_UNKNOWN);
    s = summary_lookup(st, "open_out", "/src/x.c");
    CHECK(s && s->acquire_failure == FAILURE_STATUS_NONZERO);
    for (int shape = 0; shape < 2; shape++) {
        Fb cl = fn_in("caller", "/src/x.c");
        int b0c = fb_block(&cl), f1 = fb_block(&cl), b1 = fb_block(&cl), f2 = fb_block(&cl), b2 = fb_block(&cl);
        int conn = fb_local(&cl, "conn");
        int kc = fb_call(&cl, b0c, "lookup", 1, ir_ref_addr(conn));
        if (shape == 0) {
            fb_branch(&cl, b0c, fb_cond(ir_ref_call(kc), CMP_EQ, 0), "lookup(&conn) == 0", f1, b1);
            fb_return(&cl, f1, ir_ref_const(-1));
            fb_branch(&cl, b1, fb_cond(ir_ref_var(conn), CMP_EQ, 0), "conn == NULL", f2, b2);
            fb_return(&cl, f2, ir_ref_const(0));
            fb_call(&cl, b2, "PQfinish", 1, ir_ref_var(conn));
            fb_return(&cl, b2, ir_ref_const(1));
        } else {
            fb_call(&cl, b0c, "db_exec", 1, ir_ref_var(conn));
            fb_return(&cl, b0c, ir_ref_const(1));
        }
        FindingList l = flow_check(&packs, st, cl.fn);
        CHECK(l.len == (shape == 0 ? 0 : 1));
        findings_free(&l);
        ir_unit_free(cl.u);
    }
    summaries_free(st);
    ir_unit_free(units[0]);
    ir_unit_free(units[1]);
}


/* int cache_add(PGconn *c) { n = malloc(); if (!n) return 1; n->c = c; g_head = n; return 0; }
 * stores its parameter when it returns 0. The caller that tests the status
 * and returns on failure without releasing leaks; one that releases there
 * is clean. */
static void test_transfer_on_zero(void)
{
    Fb a = fn_in("cache_add", "/src/c.c");
    a.fn->returns_pointer = false;
    a.fn->return_type = "int";
    int c = fb_param(&a, "c");
    int g = fb_global(&a, "g_head");
    int b0 = fb_block(&a), fail = fb_block(&a), ok = fb_block(&a);
    int n = fb_local(&a, "n");
    int k = fb_call(&a, b0, "malloc", 1, ir_ref_const(16));
    fb_assign(&a, b0, ir_ref_var(n), ir_ref_call(k));
    fb_branch(&a, b0, fb_cond(ir_ref_var(n), CMP_EQ, 0), "!n", fail, ok);
    fb_return(&a, fail, ir_ref_const(1));
    fb_assign(&a, ok, ir_ref_field(n, "c", true), ir_ref_var(c));
    fb_assign(&a, ok, ir_ref_var(g), ir_ref_var(n));
    fb_return(&a, ok, ir_ref_const(0));
    IrUnit *units[] = {a.u};
    SummaryTable *st = summaries_build(units, 1, &packs);
    const FunctionSummary *s = summary_lookup(st, "cache_add", "/src/x.c");
    CHECK(s && s->params[0] == PARAM_TRANSFERS_ON_ZERO);
    for (int fixed = 0; fixed < 2; fixed++) {
        Fb cl = fn_in("define", "/src/x.c");
        int b0c = fb_block(&cl), f1 = fb_block(&cl), b1 = fb_block(&cl), f2 = fb_block(&cl), b2 = fb_block(&cl);
        int conn = fb_local(&cl, "conn"), ret = fb_int(&cl, "ret");
        int kc = fb_call(&cl, b0c, "PQconnectdb", 1, ir_ref_other());
        fb_assign(&cl, b0c, ir_ref_var(conn), ir_ref_call(kc));
        fb_branch(&cl, b0c, fb_cond(ir_ref_var(conn), CMP_EQ, 0), "!conn", f1, b1);
        fb_return(&cl, f1, ir_ref_const(-1));
        int ka = fb_call(&cl, b1, "cache_add", 1, ir_ref_var(conn));
        fb_assign(&cl, b1, ir_ref_var(ret), ir_ref_call(ka));
        fb_branch(&cl, b1, fb_cond(ir_ref_var(ret), CMP_NE, 0), "ret != OK", f2, b2);
        if (fixed) fb_call(&cl, f2, "PQfinish", 1, ir_ref_var(conn));
        fb_line(&cl, 9);
        fb_return(&cl, f2, ir_ref_var(ret));
        fb_return(&cl, b2, ir_ref_const(0));
        FindingList l = flow_check(&packs, st, cl.fn);
        CHECK(l.len == (fixed ? 0 : 1));
        if (!fixed && l.len == 1) CHECK(l.items[0].loc.line == 9);
        findings_free(&l);
        ir_unit_free(cl.u);
    }
    summaries_free(st);
    ir_unit_free(a.u);
}

int main(void)
{
    packs = flow_test_packs();
    test_summaries();
    test_recursion_terminates();
    test_transfer_on_success();
    test_out_param_status_polarity();
    test_transfer_on_zero();
    packset_free(&packs);
    UNIT_MAIN_END();
}
