/* test_per_request.c — the per-request-outside-handler rule
 * (rules/per_request.c) on hand-built IR: handler-file matching through
 * different path spellings and `**` globs, acquire calls in and outside
 * handler files, messages with and without a shared alternative, function
 * references in bodies and file-scope tables. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/registry.h"
#include "unit.h"
#include "common/util.h"

/* ---- a rule pack: a per-request PostgreSQL connection, and a non-per-request
 * file handle ---- */

static AcquireSpec pg_acquire[] = {{.kind = CALLEE_BY_FUNCTION, .name = "PQconnectdb", .result_arg = -1}};
static ReleaseSpec pg_release[] = {{.kind = CALLEE_BY_FUNCTION, .name = "PQfinish", .arg = 0}};
static AcquireSpec fd_acquire[] = {{.kind = CALLEE_BY_FUNCTION, .name = "fopen", .result_arg = -1}};
static ReleaseSpec fd_release[] = {{.kind = CALLEE_BY_FUNCTION, .name = "fclose", .arg = 0}};
static AcquireSpec q_acquire[] = {{.kind = CALLEE_BY_FUNCTION, .name = "redis_connect", .result_arg = -1}};
static ReleaseSpec q_release[] = {{.kind = CALLEE_BY_FUNCTION, .name = "redis_free", .arg = 0}};

static Resource resources[] = {
    {.id = "pg-conn", .description = "PostgreSQL connection", .pack = "libpq",
     .acquire = pg_acquire, .n_acquire = 1, .release = pg_release, .n_release = 1,
     .failure = FAILURE_NULL, .per_request = true, .shared_alternative = "get_db_instance"},
    {.id = "file", .description = "stdio file", .pack = "libc", .acquire = fd_acquire,
     .n_acquire = 1, .release = fd_release, .n_release = 1, .failure = FAILURE_NULL},
    {.id = "redis", .description = "Redis connection", .pack = "redis", .acquire = q_acquire,
     .n_acquire = 1, .release = q_release, .n_release = 1, .failure = FAILURE_NULL,
     .per_request = true},
};
static RulePack pack = {.name = "test", .description = "test pack", .source = "<test>",
                        .resources = resources, .n_resources = 3};
static PackSet packs = {&pack, 1, NULL};

/* ---- hand-built IR: one block of events ---- */

typedef struct {
    IrEvent events[8];
    int n;
    IrBlock block;
    IrFunction fn;
} OneBlockFn;

static void fn_init(OneBlockFn *f, const char *name, const char *file)
{
    memset(f, 0, sizeof *f);
    f->fn.name = name;
    f->fn.file = file;
    f->fn.loc = (IrLoc){1, 1, 1, 5};
}

static void fn_call(OneBlockFn *f, const char *callee, int line, int col)
{
    IrEvent *e = &f->events[f->n++];
    e->kind = EV_CALL;
    e->loc = (IrLoc){line, col, line, col + 10};
    e->u.call.id = f->fn.n_calls++;
    e->u.call.callee_kind = CALLEE_DIRECT;
    e->u.call.callee = callee;
    e->u.call.base = ir_ref_none();
    e->u.call.loc = e->loc;
}

static void fn_func_ref(OneBlockFn *f, const char *name, int line, int col)
{
    IrEvent *e = &f->events[f->n++];
    e->kind = EV_FUNC_REF;
    e->loc = (IrLoc){line, col, line, col + (int)strlen(name)};
    e->u.func_ref.name = name;
}

static const IrFunction *fn_done(OneBlockFn *f, int ret_line)
{
    IrEvent *e = &f->events[f->n++];
    e->kind = EV_RETURN;
    e->loc = (IrLoc){ret_line, 1, ret_line, 2};
    e->u.ret.value = ir_ref_none();
    e->u.ret.implicit = true;
    f->block.events = f->events;
    f->block.n_events = f->n;
    f->block.term = TERM_RETURN;
    f->fn.blocks = &f->block;
    f->fn.n_blocks = 1;
    return &f->fn;
}

/* ---- handler files ---- */

static char cwd[4096];

static void test_handler_globs_and_spellings(void)
{
    char *glob1 = xasprintf("%s/fixtures/per_request/handlers/**", cwd);
    char *glob2 = xasprintf("%s/api/*_handler.c", cwd);
    char *glob3 = xasprintf("%s/plain_folder", cwd);
    char *globs[] = {glob1, glob2, glob3};
    CheckContext ctx = {&packs, NULL, globs, 3, NULL};

    const char *inside[] = {
        "fixtures/per_request/handlers/thread.c",
        "./fixtures/per_request/handlers/thread.c",
        "fixtures/per_request/../per_request/handlers/thread.c",
        "fixtures//per_request/./handlers/v2/deep/thread.c",
        "api/user_handler.c",
        "plain_folder/x.c",
        "plain_folder/sub/y.c",
    };
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        char *abs = xasprintf("%s/%s", cwd, inside[i]);
        CHECK(is_handler_file(&ctx, inside[i]));  /* relative: against the cwd */
        CHECK(is_handler_file(&ctx, abs));
        free(abs);
    }
    const char *outside[] = {
        "fixtures/per_request/repositories/thread.c",
        "fixtures/per_request/handlers/../repositories/thread.c",
        "fixtures/per_request/handlers_old/thread.c",
        "api/v2/user_handler.c",   /* `*` stays within one segment */
        "plain_folder_2/x.c",
    };
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        char *abs = xasprintf("%s/%s", cwd, outside[i]);
        CHECK(!is_handler_file(&ctx, outside[i]));
        CHECK(!is_handler_file(&ctx, abs));
        free(abs);
    }
    CheckContext none = {&packs, NULL, NULL, 0, NULL};
    CHECK(!is_handler_file(&none, "fixtures/per_request/handlers/thread.c"));
    free(glob1);
    free(glob2);
    free(glob3);
}

/* ---- calls ---- */

static int count_rule(const FindingList *l, const char *rule)
{
    int n = 0;
    for (int i = 0; i < l->len; i++)
        if (strcmp(l->items[i].rule, rule) == 0) n++;
    return n;
}

static void test_calls(void)
{
    char *glob = xasprintf("%s/src/handlers/**", cwd);
    CheckContext ctx = {&packs, NULL, &glob, 1, NULL};
    char *repo = xasprintf("%s/src/repositories/thread.c", cwd);
    char *handler = xasprintf("%s/src/handlers/thread.c", cwd);
    FindingList out = {0};

    OneBlockFn a;
    fn_init(&a, "load_thread", repo);
    fn_call(&a, "PQconnectdb", 12, 17);
    fn_call(&a, "fopen", 13, 5);         /* not per-request */
    fn_call(&a, "redis_connect", 14, 9); /* per-request, no shared alternative */
    check_per_request_function(&ctx, fn_done(&a, 20), &out);
    CHECK(out.len == 2);
    if (out.len == 2) {
        const Finding *f = &out.items[0];
        CHECK_STR(f->rule, RULE_PER_REQUEST);
        CHECK(f->level == LEVEL_ERROR);
        CHECK_STR(f->loc.file, repo);
        CHECK(f->loc.line == 12 && f->loc.col == 17);
        CHECK_STR(f->function, "load_thread");
        CHECK_STR(f->identity, "per-request-outside-handler:load_thread:PQconnectdb");
        CHECK_STR(f->message,
                  "per-request PostgreSQL connection acquired outside a request handler by "
                  "PQconnectdb(); use get_db_instance() (the shared PostgreSQL connection) here");
        CHECK_STR(out.items[1].message,
                  "per-request Redis connection acquired outside a request handler by redis_connect()");
        CHECK(out.items[1].loc.line == 14);
    }

    OneBlockFn h;
    fn_init(&h, "handle_thread", handler);
    fn_call(&h, "PQconnectdb", 30, 17);
    check_per_request_function(&ctx, fn_done(&h, 40), &out);
    CHECK(count_rule(&out, RULE_PER_REQUEST) == 2); /* nothing new in the handler */

    /* an inline function of a header counts where the header is */
    char *header = xasprintf("%s/src/include/db_inline.h", cwd);
    OneBlockFn in;
    fn_init(&in, "db_open_inline", header);
    in.fn.in_header = true;
    fn_call(&in, "PQconnectdb", 5, 12);
    check_per_request_function(&ctx, fn_done(&in, 6), &out);
    CHECK(out.len == 3);
    if (out.len == 3) CHECK_STR(out.items[2].loc.file, header);

    findings_free(&out);
    free(glob);
    free(repo);
    free(handler);
    free(header);
}

/* ---- function references ---- */

static void test_function_references(void)
{
    char *glob = xasprintf("%s/src/handlers/**", cwd);
    CheckContext ctx = {&packs, NULL, &glob, 1, NULL};
    char *repo = xasprintf("%s/src/repositories/ops.c", cwd);
    char *handler = xasprintf("%s/src/handlers/ops.c", cwd);
    FindingList out = {0};

    OneBlockFn a;
    fn_init(&a, "install_ops", repo);
    fn_func_ref(&a, "PQconnectdb", 8, 20);
    fn_func_ref(&a, "fopen", 9, 20);
    check_per_request_function(&ctx, fn_done(&a, 10), &out);
    CHECK(out.len == 1);
    if (out.len == 1) {
        CHECK(out.items[0].loc.line == 8 && out.items[0].loc.col == 20);
        CHECK_STR(out.items[0].identity, "per-request-outside-handler:install_ops:PQconnectdb");
        CHECK(strstr(out.items[0].message, "'PQconnectdb' acquires a per-request PostgreSQL connection") != NULL);
    }

    IrUnit *u = ir_unit_new(repo);
    IrGlobalRef refs[] = {
        {"PQconnectdb", repo, {3, 34, 3, 45}},
        {"fopen", repo, {4, 34, 4, 39}},
        {"PQconnectdb", handler, {5, 34, 5, 45}},
    };
    u->global_refs = refs;
    u->n_global_refs = 3;
    check_per_request_global_refs(&ctx, u, &out);
    check_per_request_global_refs(&ctx, u, &out); /* a header table seen twice: once */
    CHECK(out.len == 2);
    if (out.len == 2) {
        CHECK(out.items[1].loc.line == 3);
        CHECK(out.items[1].function == NULL);
        CHECK_STR(out.items[1].identity, "per-request-outside-handler:<file-scope ops.c>:PQconnectdb");
    }
    u->global_refs = NULL;
    u->n_global_refs = 0;
    ir_unit_free(u);
    findings_free(&out);
    free(glob);
    free(repo);
    free(handler);
}

int main(void)
{
    if (!getcwd(cwd, sizeof cwd)) return 2;
    packset_build_index(&packs);
    test_handler_globs_and_spellings();
    test_calls();
    test_function_references();
    pack_index_free(packs.index);
    UNIT_MAIN_END();
}
