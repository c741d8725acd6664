/* test_flow_outparam.c — connection-leak on hand-built IR for a handle
 * stored through an out-parameter (`*conn = PQconnectdb(...)` with
 * `PGconn **conn` a parameter): `*conn` holds it until the function exits,
 * so overwriting it (NULL, a second acquire) while it is the last holder is
 * a leak, a release through `*conn` releases it, and the exits hand it to
 * the caller. Passing the pointer itself, indexing it (`conn[i]`) or
 * storing into `(*m)->f` keeps the old escape at the store (no report).
 * The builder events carry the source ranges the parse stage gives a plain
 * `*conn`: its use spans the name and the star, and the store starts there. */
#include "flow_builder.h"
#include "flow_testpack.h"
#include "checks/registry.h"
#include "unit.h"

static PackSet packs;

#define LEAK RULE_CONNECTION_LEAK

static int out_param(Fb *b, const char *name)
{
    int p = fb_param(b, name);
    b->fn->vars[p].type = "PGconn **";
    return p;
}

/* the EV_USE of a plain `*p` at column 5 */
static void star_use(Fb *b, int blk, int p)
{
    IrEvent *e = fb_event(b, blk, EV_USE);
    e->u.use.ref = ir_ref_var(p);
    e->loc = fb_loc(b, 5, (int)strlen(b->fn->vars[p].name) + 1);
}

/* `*p = rhs` (a call, if any, is emitted by the caller between the two) */
static void star_store(Fb *b, int blk, int p, IrRef rhs)
{
    fb_assign(b, blk, fb_deref(p), rhs);
    IrBlock *bl = &b->fn->blocks[blk];
    bl->events[bl->n_events - 1].loc = fb_loc(b, 5, 20);
}

/* *p = PQconnectdb(...); at the current line */
static void store_acquire(Fb *b, int blk, int p)
{
    star_use(b, blk, p);
    int k = fb_call(b, blk, "PQconnectdb", 1, ir_ref_other());
    star_store(b, blk, p, ir_ref_call(k));
}

/* if (PQstatus(*p) != 0) -> yes, no (the parse stage reduces it to the call) */
static void status_branch(Fb *b, int blk, int p, IrCmp op, const char *text, int yes, int no)
{
    star_use(b, blk, p);
    int k = fb_call(b, blk, "PQstatus", 1, fb_deref(p));
    fb_branch(b, blk, fb_cond(ir_ref_call(k), op, 0), text, yes, no);
}

static FindingList run(Fb *b) { return flow_check(&packs, NULL, b->fn); }

/* *conn = PQconnectdb(dsn); if (bad) { *conn = NULL; return -1; } return 0; */
static void test_overwrite_with_null(void)
{
    Fb b = fb_new("reconnect_leaky");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b), bad = fb_block(&b), ok = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    status_branch(&b, b0, conn, CMP_NE, "PQstatus(*conn) != CONNECTION_OK", bad, ok);
    fb_line(&b, 5);
    star_use(&b, bad, conn);
    star_store(&b, bad, conn, ir_ref_const(0));
    fb_return(&b, bad, ir_ref_const(-1));
    fb_line(&b, 8);
    fb_return(&b, ok, ir_ref_const(0));
    FindingList l = run(&b);
    CHECK(l.len == 1);
    const Finding *f = finding_at(&l, LEAK, 5);
    CHECK(f != NULL);
    if (f) CHECK(strncmp(f->message, "'*conn' ", 8) == 0);
    if (l.len != 1) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* *conn = PQconnectdb(a); if (ok) return 0; *conn = PQconnectdb(b); return 0; */
static void test_overwrite_with_second_acquire(void)
{
    Fb b = fb_new("connect_twice");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b), done = fb_block(&b), again = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    status_branch(&b, b0, conn, CMP_EQ, "PQstatus(*conn) == CONNECTION_OK", done, again);
    fb_line(&b, 4);
    fb_return(&b, done, ir_ref_const(0));
    fb_line(&b, 6);
    store_acquire(&b, again, conn);
    fb_line(&b, 7);
    fb_return(&b, again, ir_ref_const(0));
    FindingList l = run(&b);
    CHECK(l.len == 1);
    CHECK(finding_at(&l, LEAK, 6) != NULL);
    if (l.len != 1) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* *conn = PQconnectdb(dsn); if (bad) { PQfinish(*conn); *conn = NULL;
 * return -1; } return 0;  — clean: no leak, no use after release */
static void test_release_then_overwrite(void)
{
    Fb b = fb_new("reconnect_fixed");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b), bad = fb_block(&b), ok = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    status_branch(&b, b0, conn, CMP_NE, "PQstatus(*conn) != CONNECTION_OK", bad, ok);
    fb_line(&b, 5);
    star_use(&b, bad, conn);
    fb_call(&b, bad, "PQfinish", 1, fb_deref(conn));
    fb_line(&b, 6);
    star_use(&b, bad, conn);
    star_store(&b, bad, conn, ir_ref_const(0));
    fb_return(&b, bad, ir_ref_const(-1));
    fb_return(&b, ok, ir_ref_const(0));
    FindingList l = run(&b);
    CHECK(l.len == 0);
    if (l.len) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* PQfinish(*conn); PQfinish(*conn); — released through *conn twice */
static void test_double_release_through_deref(void)
{
    Fb b = fb_new("close_twice");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    fb_line(&b, 4);
    star_use(&b, b0, conn);
    fb_call(&b, b0, "PQfinish", 1, fb_deref(conn));
    fb_line(&b, 5);
    star_use(&b, b0, conn);
    fb_call(&b, b0, "PQfinish", 1, fb_deref(conn));
    fb_return(&b, b0, ir_ref_const(0));
    FindingList l = run(&b);
    CHECK(count_rule(&l, RULE_DOUBLE_RELEASE) == 1);
    CHECK(finding_at(&l, RULE_DOUBLE_RELEASE, 5) != NULL);
    CHECK(count_rule(&l, LEAK) == 0);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* *conn = PQconnectdb(dsn); [if (*conn == NULL) return -1;] return 0; —
 * handed to the caller; also: *conn = PQconnectdb(a); if (!*conn)
 * *conn = PQconnectdb(b); return 0; — the NULL way held nothing */
static void test_store_and_return(int shape)
{
    Fb b = fb_new("hand_over");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    if (shape == 0) {
        fb_return(&b, b0, ir_ref_const(0));
    } else {
        int null_way = fb_block(&b), ok = fb_block(&b);
        star_use(&b, b0, conn);
        fb_branch(&b, b0, fb_cond(fb_deref(conn), CMP_EQ, 0), "*conn == NULL", null_way, ok);
        fb_line(&b, 5);
        if (shape == 1) {
            fb_return(&b, null_way, ir_ref_const(-1));
        } else {
            store_acquire(&b, null_way, conn);
            fb_jump(&b, null_way, ok);
        }
        fb_return(&b, ok, ir_ref_const(0));
    }
    FindingList l = run(&b);
    CHECK(l.len == 0);
    if (l.len) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* *conn = PQconnectdb(a); if (<text>) *conn = PQconnectdb(b); return 0;
 * — the parse stage leaves tests of `*conn` unreduced (known is false); the
 * text says which way is NULL. `leaks`: the yes way overwrites a handle. */
static void test_text_test(const char *text, int leaks)
{
    Fb b = fb_new("text_test");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b), yes = fb_block(&b), end = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    fb_line(&b, 4);
    star_use(&b, b0, conn);
    fb_branch(&b, b0, fb_unknown_cond(), text, yes, end);
    fb_line(&b, 5);
    store_acquire(&b, yes, conn);
    fb_jump(&b, yes, end);
    fb_line(&b, 6);
    fb_return(&b, end, ir_ref_const(0));
    FindingList l = run(&b);
    CHECK(l.len == leaks);
    if (leaks) CHECK(finding_at(&l, LEAK, 5) != NULL);
    if (l.len != leaks) {
        fprintf(stderr, "  condition text: %s\n", text);
        dump_findings(&l);
    }
    findings_free(&l);
    ir_unit_free(b.u);
}

typedef enum {
    NOT_FOLLOWED_HELPER,  /* setup(conn); after the store */
    NOT_FOLLOWED_INDEXED, /* conn[i] = ...: the use spans "conn[i]" */
    NOT_FOLLOWED_MEMBER,  /* (*conn)->f = 0: the store starts before the `*conn` */
    NOT_FOLLOWED_COPY,    /* PGconn *c = *conn; */
} NotFollowed;

/* *conn = PQconnectdb(dsn); <shape>; *conn = NULL; return -1; — the
 * out-parameter is not followed: no report, as before */
static void test_not_followed(NotFollowed shape)
{
    Fb b = fb_new("not_followed");
    int conn = out_param(&b, "conn");
    int c = fb_local(&b, "c");
    int b0 = fb_block(&b);
    fb_line(&b, 3);
    if (shape == NOT_FOLLOWED_INDEXED) {
        IrEvent *e = fb_event(&b, b0, EV_USE);
        e->u.use.ref = ir_ref_var(conn);
        e->loc = fb_loc(&b, 5, 7); /* conn[i] */
        int k = fb_call(&b, b0, "PQconnectdb", 1, ir_ref_other());
        star_store(&b, b0, conn, ir_ref_call(k));
    } else {
        store_acquire(&b, b0, conn);
    }
    fb_line(&b, 4);
    switch (shape) {
    case NOT_FOLLOWED_HELPER: fb_call(&b, b0, "setup", 1, ir_ref_var(conn)); break;
    case NOT_FOLLOWED_MEMBER: {
        IrEvent *e = fb_event(&b, b0, EV_USE);
        e->u.use.ref = ir_ref_var(conn);
        e->loc = fb_loc(&b, 6, 5); /* the `*conn` inside `(*conn)->f` */
        star_store(&b, b0, conn, ir_ref_const(0)); /* starts at column 5 */
        break;
    }
    case NOT_FOLLOWED_COPY:
        star_use(&b, b0, conn);
        fb_assign(&b, b0, ir_ref_var(c), fb_deref(conn));
        break;
    case NOT_FOLLOWED_INDEXED: break;
    }
    fb_line(&b, 5);
    star_use(&b, b0, conn);
    star_store(&b, b0, conn, ir_ref_const(0));
    fb_return(&b, b0, ir_ref_const(-1));
    FindingList l = run(&b);
    CHECK(l.len == 0);
    if (l.len) dump_findings(&l);
    findings_free(&l);
    ir_unit_free(b.u);
}

/* The same function with a followed out-parameter does report (so the
 * not-followed checks above can fail). */
static void test_followed_control(void)
{
    Fb b = fb_new("followed");
    int conn = out_param(&b, "conn");
    int b0 = fb_block(&b);
    fb_line(&b, 3);
    store_acquire(&b, b0, conn);
    fb_line(&b, 5);
    star_use(&b, b0, conn);
    star_store(&b, b0, conn, ir_ref_const(0));
    fb_return(&b, b0, ir_ref_const(-1));
    FindingList l = run(&b);
    CHECK(l.len == 1 && finding_at(&l, LEAK, 5) != NULL);
    findings_free(&l);
    ir_unit_free(b.u);
}

int main(void)
{
    packs = flow_test_packs();
    test_overwrite_with_null();
    test_overwrite_with_second_acquire();
    test_release_then_overwrite();
    test_double_release_through_deref();
    for (int s = 0; s < 3; s++) test_store_and_return(s);
    test_followed_control();
    /* the yes way is the NULL way: nothing to overwrite */
    test_text_test("*conn == NULL", 0);
    test_text_test("!*conn", 0);
    test_text_test("NULL == (*conn)", 0);
    test_text_test("! ( *conn != 0 )", 0);
    test_text_test("(*conn = PQconnectdb(b)) == NULL", 0);
    /* the yes way holds it */
    test_text_test("*conn", 1);
    test_text_test("(*conn) != NULL", 1);
    test_text_test("!!*conn", 1);
    /* read in a way not understood: quiet */
    test_text_test("(*conn)->status == 3", 0);
    test_text_test("*conn == other", 0);
    test_text_test("(*conn == other) == 0", 0);
    test_text_test("(*conn = make(a == b)) == NULL", 0);
    /* not a test of *conn at all: both ways possible, the yes way leaks */
    test_text_test("retries > 3", 1);
    test_text_test("*connection == NULL", 1);
    for (int s = NOT_FOLLOWED_HELPER; s <= NOT_FOLLOWED_COPY; s++) test_not_followed((NotFollowed)s);
    packset_free(&packs);
    UNIT_MAIN_END();
}
