/* test_flow_alias.c — connection-leak on hand-built IR: aliases, local
 * struct holders and copies, the db_session shape (null-field failure and
 * field release), escapes (return, *out, global, req->conn, transfer), and
 * cleanup-attribute variables. */
#include "flow_builder.h"
#include "flow_testpack.h"
#include "checks/registry.h"
#include "unit.h"

static PackSet packs;

#define LEAK RULE_CONNECTION_LEAK

static int acquire_checked(Fb *b, int blk, int *next, const char *name)
{
    int c = fb_local(b, name);
    fb_line(b, 3);
    int k = fb_call(b, blk, "PQconnectdb", 1, ir_ref_other());
    fb_assign(b, blk, ir_ref_var(c), ir_ref_call(k));
    int fail = fb_block(b);
    *next = fb_block(b);
    fb_branch(b, blk, fb_cond(ir_ref_var(c), CMP_EQ, 0), "!c", fail, *next);
    fb_return(b, fail, ir_ref_const(-1));
    return c;
}

static int run_count(Fb *b, const char *rule)
{
    FindingList l = flow_check(&packs, NULL, b->fn);
    int n = count_rule(&l, rule);
    if (l.len != n) dump_findings(&l);
    findings_free(&l);
    return n;
}

/* c2 = c; PQfinish(c2);  — clean.   c2 = c; c = NULL; return;  — c2 leaks */
static void test_alias(void)
{
    Fb b = fb_new("alias");
    int b0 = fb_block(&b), b1;
    int c = acquire_checked(&b, b0, &b1, "c");
    int c2 = fb_local(&b, "c2");
    fb_assign(&b, b1, ir_ref_var(c2), ir_ref_var(c));
    fb_call(&b, b1, "PQfinish", 1, ir_ref_var(c2));
    fb_return(&b, b1, ir_ref_const(0));
    CHECK(run_count(&b, LEAK) == 0);
    ir_unit_free(b.u);

    b = fb_new("alias_leak");
    b0 = fb_block(&b);
    c = acquire_checked(&b, b0, &b1, "c");
    c2 = fb_local(&b, "c2");
    fb_assign(&b, b1, ir_ref_var(c2), ir_ref_var(c));
    fb_assign(&b, b1, ir_ref_var(c), ir_ref_const(0)); /* not the last holder: no overwrite */
    fb_line(&b, 9);
    fb_return(&b, b1, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 9);
    CHECK(f != NULL);
    if (f) CHECK(strncmp(f->message, "'c2' ", 5) == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* s.db = PQconnectdb(); if (!s.db) return; t = s; PQfinish(t.db); — clean */
static void test_local_struct_holder_and_copy(void)
{
    Fb b = fb_new("holder");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b);
    int s = fb_record(&b, "s"), t = fb_record(&b, "t");
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_field(s, "db", false), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_field(s, "db", false), CMP_EQ, 0), "!s.db", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_assign(&b, b1, ir_ref_var(t), ir_ref_var(s));
    fb_call(&b, b1, "PQfinish", 1, ir_ref_field(t, "db", false));
    fb_return(&b, b1, ir_ref_const(0));
    CHECK(run_count(&b, LEAK) == 0);
    ir_unit_free(b.u);

    /* the same without the release: the message names s.db */
    b = fb_new("holder_leak");
    b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b);
    s = fb_record(&b, "s");
    k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_field(s, "db", false), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_field(s, "db", false), CMP_EQ, 0), "!s.db", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_line(&b, 8);
    fb_return(&b, b1, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == 1);
    if (l.len == 1) CHECK(strncmp(l.items[0].message, "'s.db' (PostgreSQL connection)", 30) == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* struct db_session s = get_db(); if (s.db == NULL) return; ...; s.cleanup(&s); */
static void test_db_session(bool cleanup, bool via_pointer)
{
    Fb b = fb_new("handler");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b);
    int s = fb_record(&b, "s");
    fb_line(&b, 3);
    int k = fb_call(&b, b0, "get_db", 0);
    fb_assign(&b, b0, ir_ref_var(s), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_field(s, "db", false), CMP_EQ, 0), "s.db == NULL", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    fb_call(&b, b1, "db_query", 2, ir_ref_field(s, "db", false), ir_ref_other());
    if (cleanup && !via_pointer) {
        fb_member_call(&b, b1, "cleanup", ir_ref_var(s), 1, ir_ref_addr(s));
    } else if (cleanup) {
        int sp = fb_local(&b, "sp");
        fb_assign(&b, b1, ir_ref_var(sp), ir_ref_addr(s));
        fb_member_call(&b, b1, "cleanup", fb_via(sp), 1, ir_ref_var(sp));
    }
    fb_line(&b, 9);
    fb_return(&b, b1, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == (cleanup ? 0 : 1));
    if (!cleanup && l.len == 1)
        CHECK_STR(l.items[0].message, "'s' (database session) acquired at line 3 is not released when the function returns here");
    if (l.len != (cleanup ? 0 : 1)) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

typedef enum { ESC_BY_RETURN, ESC_BY_OUT, ESC_BY_GLOBAL, ESC_BY_REQ, ESC_BY_TRANSFER, ESC_BY_BORROW } EscapeShape;

static void test_escape(EscapeShape shape)
{
    Fb b = fb_new("esc");
    int out = fb_param(&b, "out");
    int g = fb_global(&b, "g_conn");
    int b0 = fb_block(&b), b1;
    int c = acquire_checked(&b, b0, &b1, "c");
    IrRef ret = ir_ref_const(0);
    switch (shape) {
    case ESC_BY_RETURN: ret = ir_ref_var(c); break;
    case ESC_BY_OUT: fb_assign(&b, b1, fb_deref(out), ir_ref_var(c)); break;
    case ESC_BY_GLOBAL: fb_assign(&b, b1, ir_ref_var(g), ir_ref_var(c)); break;
    case ESC_BY_REQ: fb_assign(&b, b1, ir_ref_field(out, "conn", true), ir_ref_var(c)); break;
    case ESC_BY_TRANSFER: fb_call(&b, b1, "pool_adopt", 1, ir_ref_var(c)); break;
    case ESC_BY_BORROW:
        fb_call(&b, b1, "db_exec", 2, ir_ref_var(c), ir_ref_other());
        fb_call(&b, b1, "refresh", 1, ir_ref_addr(c));
        break;
    }
    fb_return(&b, b1, ret);
    CHECK(run_count(&b, LEAK) == (shape == ESC_BY_BORROW ? 1 : 0));
    ir_unit_free(b.u);
}

/* __attribute__((cleanup(pq_cleanup))) PGconn *c = PQconnectdb(); — released at scope end */
static void test_cleanup_attribute(void)
{
    Fb b = fb_new("scoped");
    int b0 = fb_block(&b), b1 = fb_block(&b);
    int c = fb_local(&b, "c");
    b.fn->vars[c].cleanup_fn = "pq_cleanup";
    int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(c), ir_ref_call(k));
    fb_branch(&b, b0, fb_unknown_cond(), "early", b1, b1);
    fb_scope_end(&b, b1, c);
    fb_return(&b, b1, ir_ref_const(0));
    CHECK(run_count(&b, LEAK) == 0);
    ir_unit_free(b.u);
}

/* db_handle h = dbf.init(url); ... dbf.close(h);  (member acquire/release) */
static void test_member_acquire(bool close)
{
    Fb b = fb_new("member");
    int b0 = fb_block(&b), fail = fb_block(&b), b1 = fb_block(&b);
    int dbf = fb_record(&b, "dbf");
    int h = fb_local(&b, "h");
    int k = fb_member_call(&b, b0, "init", ir_ref_var(dbf), 1, ir_ref_other());
    fb_assign(&b, b0, ir_ref_var(h), ir_ref_call(k));
    fb_branch(&b, b0, fb_cond(ir_ref_var(h), CMP_EQ, 0), "!h", fail, b1);
    fb_return(&b, fail, ir_ref_const(-1));
    if (close) fb_member_call(&b, b1, "close", ir_ref_var(dbf), 1, ir_ref_var(h));
    fb_return(&b, b1, ir_ref_const(0));
    CHECK(run_count(&b, LEAK) == (close ? 0 : 1));
    ir_unit_free(b.u);
}


/* mysql_init(&m) initialises m in place (pack: "in_place_arg": 0):
 * the handle is m; mysql_init(e->con) initialises someone else's object. */
static void test_in_place_init(int shape)
{
    Resource *my = &packs.packs[0].resources[7];
    my->acquire[0].in_place = true;
    my->acquire[0].in_place_arg = 0;
    Fb b = fb_new("in_place");
    int e = fb_param(&b, "e");
    int b0 = fb_block(&b), t = fb_block(&b), f = fb_block(&b);
    int m = fb_record(&b, "m");
    fb_line(&b, 4);
    if (shape == 2) fb_call(&b, b0, "mysql_init", 1, ir_ref_field(e, "con", true));
    else fb_call(&b, b0, "mysql_init", 1, ir_ref_addr(m));
    int k = fb_call(&b, b0, "mysql_real_connect", 1, ir_ref_addr(m));
    fb_branch(&b, b0, fb_cond(ir_ref_call(k), CMP_EQ, 0), "!mysql_real_connect(&m, ...)", t, f);
    if (shape == 0) fb_call(&b, t, "mysql_close", 1, ir_ref_addr(m));
    fb_line(&b, 7);
    fb_return(&b, t, ir_ref_const(-1));
    fb_call(&b, f, "mysql_close", 1, ir_ref_addr(m));
    fb_return(&b, f, ir_ref_const(0));
    FindingList l = flow_check(&packs, NULL, b.fn);
    CHECK(l.len == (shape == 1 ? 1 : 0));
    if (shape == 1 && l.len == 1) CHECK(l.items[0].loc.line == 7 && strncmp(l.items[0].message, "'m' ", 4) == 0);
    if (l.len != (shape == 1 ? 1 : 0)) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
    my->acquire[0].in_place = false;
}

int main(void)
{
    packs = flow_test_packs();
    test_alias();
    test_local_struct_holder_and_copy();
    test_db_session(true, false);
    test_db_session(true, true);
    test_db_session(false, false);
    for (int s = ESC_BY_RETURN; s <= ESC_BY_BORROW; s++) test_escape((EscapeShape)s);
    test_cleanup_attribute();
    test_member_acquire(true);
    test_member_acquire(false);
    test_in_place_init(0);
    test_in_place_init(1);
    test_in_place_init(2);
    packset_free(&packs);
    UNIT_MAIN_END();
}
