/* test_rulepack.c — every built-in pack parses and is named after its file;
 * the fields of a user pack land where they should; bad packs (under
 * fixtures/config/bad_packs/) are rejected with FILE:LINE:COL; a resource id
 * defined by two packs and a pack loaded twice are refused. */
#include <stdlib.h>

#include "cli/builtin_packs.h"
#include "capture_stderr.h"
#include "cli/rulepack.h"
#include "unit.h"

static void test_builtins(void)
{
    CHECK(builtin_pack_count >= 8);
    PackSet set = {0};
    for (int i = 0; i < builtin_pack_count; i++) {
        RulePack p;
        bool ok = rulepack_parse(builtin_packs[i].json, builtin_packs[i].name, &p);
        CHECK(ok);
        CHECK_STR(p.name, builtin_packs[i].name);
        CHECK(p.description && p.description[0]);
        /* every pack describes resources, but the library pack (its knowledge only) */
        CHECK(p.n_resources > 0 || strcmp(p.name, LIBRARY_PACK_NAME) == 0);
        rulepack_free(&p);
        CHECK(packset_load(&set, builtin_packs[i].name)); /* no id clashes between built-ins */
    }
    CHECK(set.n_packs == builtin_pack_count);
    packset_free(&set);
}

static const Resource *find(const PackSet *s, const char *id)
{
    for (int i = 0; i < s->n_packs; i++)
        for (int r = 0; r < s->packs[i].n_resources; r++)
            if (strcmp(s->packs[i].resources[r].id, id) == 0) return &s->packs[i].resources[r];
    return NULL;
}

static void test_builtin_contents(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "libpq"));
    CHECK(packset_load(&set, "session"));
    CHECK(packset_load(&set, "sqlite"));
    const Resource *conn = find(&set, "pg-conn");
    CHECK(conn && conn->per_request && conn->failure == FAILURE_NULL);
    if (conn) {
        CHECK_STR(conn->shared_alternative, "get_db_instance");
        CHECK_STR(conn->release[0].name, "PQfinish");
        CHECK(conn->release[0].arg == 0);
        CHECK_STR(conn->pack, "libpq");
    }
    const Resource *res = find(&set, "pg-result");
    CHECK(res && !res->per_request && res->n_acquire >= 9);
    const Resource *sess = find(&set, "db-session");
    CHECK(sess && sess->failure == FAILURE_NULL_FIELD);
    if (sess) {
        CHECK_STR(sess->failure_field, "db");
        CHECK_STR(sess->release[0].field, "cleanup");
        CHECK(sess->release[0].name == NULL && sess->release[0].arg == -1);
        CHECK(sess->acquire[0].result_arg == -1);
    }
    const Resource *db = find(&set, "sqlite-db");
    CHECK(db && db->failure == FAILURE_NEVER && db->acquire[0].result_arg == 1);
    const Resource *stmt = find(&set, "sqlite-stmt");
    CHECK(stmt && stmt->failure == FAILURE_STATUS_NONZERO);
    packset_free(&set);
}

static void test_user_pack(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "fixtures/config/packs/our-db.json"));
    const Resource *r = find(&set, "our-conn");
    CHECK(r != NULL);
    if (r) {
        CHECK(r->n_acquire == 3);
        CHECK(r->acquire[1].kind == CALLEE_BY_MEMBER);
        CHECK_STR(r->acquire[1].name, "init");
        CHECK(r->acquire[2].result_arg == 1);
        CHECK(r->n_release == 2 && r->release[1].kind == CALLEE_BY_MEMBER);
        CHECK(r->n_transfer == 1 && r->transfer[0].arg == 1);
        CHECK(r->per_request);
        CHECK_STR(r->shared_alternative, "db_shared");
        CHECK(r->src_line == 7);
    }
    packset_free(&set);
}

static void expect_bad(const char *name, const char *where, const char *what)
{
    char *path = xasprintf("fixtures/config/bad_packs/%s", name);
    char *located = xasprintf("connlint: error: %s:%s: ", path, where);
    PackSet set = {0};
    capture_begin();
    bool ok = packset_load(&set, path);
    char *err = capture_end();
    CHECK(!ok);
    CHECK(set.n_packs == 0);
    CHECK(capture_has(err, located));
    CHECK(capture_has(err, what));
    packset_free(&set);
    free(err);
    free(located);
    free(path);
}

static void test_bad_packs(void)
{
    expect_bad("arg_out_of_range.json", "5:43", "'arg' must be an argument index from 0 to 31");
    expect_bad("negative_arg.json", "6:44", "'arg' must be an argument index");
    expect_bad("result_arg_without_arg.json", "5:36", "\"result\": \"arg\" needs \"arg\"");
    expect_bad("both_function_member.json", "5:36", "has both 'function' and 'member'");
    expect_bad("neither_function_member.json", "5:18", "needs 'function' or 'member'");
    expect_bad("bad_failure.json", "7:17", "'failure' must be one of");
    expect_bad("bad_result.json", "5:46", "'result' must be \"return\" or \"arg\"");
    expect_bad("duplicate_id.json", "5:6", "duplicate resource id 'r'");
    expect_bad("unknown_resource_key.json", "5:6", "unknown key 'per-request'");
    expect_bad("in_place_with_arg_result.json", "5:94", "'in_place_arg' is only meaningful with");
    expect_bad("negative_out_param.json", "8:6", "use \"status-negative\"");
    expect_bad("error_field_no_field.json", "5:82", "missing required key 'field'");
    expect_bad("null_arg_negative.json", "4:79", "'null_arg' must be an argument index from 0 to 31");
    /* rejected combinations say what to write instead */
    expect_bad("status_on_returned_handle.json", "5:131", "use \"null\" here if it returns NULL on failure");
    expect_bad("status_on_returned_handle.json", "5:131", "or split the resource");
    expect_bad("arg_with_return.json", "5:78", "add \"result\": \"arg\" if the handle is written through");
    expect_bad("field_release_with_function.json", "5:93", "write the function release as an entry of its own");
    expect_bad("in_place_with_arg_result.json", "5:94", "drop 'in_place_arg'");
    expect_bad("both_function_member.json", "5:36", "write two entries to match both");
    expect_bad("default_not_bool.json", "4:14", "'default' must be true or false");
    expect_bad("noreturn_empty_name.json", "5:17", "'function' must not be empty");
    expect_bad("noreturn_bad_flag.json", "5:58", "'system_header_only' must be");
    expect_bad("takes_ownership_no_arg.json", "5:23", "missing required key 'arg'");
    expect_bad("deallocator_both.json", "5:43", "has both 'function' and 'suffix'");
    expect_bad("returns_arg_not_array.json", "5:18", "'returns_arg' must be an array of objects");
}

static bool has_pack(const PackSet *set, const char *name)
{
    for (int i = 0; i < set->n_packs; i++)
        if (strcmp(set->packs[i].name, name) == 0) return true;
    return false;
}

/* Without packs named, the built-in packs whose "default" is not false are
 * used: the library-specific ones, not posix, libc-memory, kamailio or
 * opensips (generic names); a "default": false pack still loads by name. */
static void test_default_packs(void)
{
    PackSet set = {0};
    CHECK(packset_load_defaults(&set));
    CHECK(has_pack(&set, "libpq") && has_pack(&set, "libmongoc") && has_pack(&set, "freeradius"));
    CHECK(!has_pack(&set, "posix") && !has_pack(&set, "libc-memory"));
    CHECK(!has_pack(&set, "kamailio") && !has_pack(&set, "opensips"));
    CHECK(packset_load(&set, "posix") && has_pack(&set, "posix"));
    CHECK(packset_load_defaults(&set)); /* loading the defaults twice is harmless */
    packset_free(&set);
}

/* The library pack: what the engine knows about the C library is data, and a
 * user's pack named "libc" replaces the built-in one. */
static void test_library_pack(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "libpq"));
    CHECK(packset_load_library(&set));
    CHECK(set.n_packs == 2);
    CHECK(packset_is_noreturn(&set, "exit", false));
    CHECK(packset_is_noreturn(&set, "err", true));
    CHECK(!packset_is_noreturn(&set, "err", false)); /* a project's own err() */
    CHECK(!packset_is_noreturn(&set, "PQfinish", true));
    CHECK(packset_is_deallocator(&set, "free") && packset_is_deallocator(&set, "my_free"));
    CHECK(!packset_is_deallocator(&set, "freeze"));
    int n = 0;
    const CalleeSpec *c = packset_specs(&set, "pthread_create", &n);
    CHECK(n == 1 && c && c[0].role == SPEC_TAKES_OWNERSHIP && c[0].arg == 3 && c[0].res == NULL);
    c = packset_specs(&set, "realloc", &n);
    CHECK(n == 1 && c && c[0].role == SPEC_RETURNS_ARG && c[0].arg == 0);
    CHECK(packset_load_library(&set) && set.n_packs == 2); /* once */
    packset_free(&set);

    CHECK(packset_load(&set, "fixtures/config/packs/my-libc.json"));
    CHECK(packset_load_library(&set));
    CHECK(set.n_packs == 1); /* the user's replaces the built-in one */
    CHECK(packset_is_noreturn(&set, "die", false) && !packset_is_noreturn(&set, "exit", false));
    CHECK(packset_is_noreturn(&set, "fatal", true) && !packset_is_noreturn(&set, "fatal", false));
    CHECK(packset_is_deallocator(&set, "pool_release_storage") && packset_is_deallocator(&set, "x_dispose"));
    CHECK(!packset_is_deallocator(&set, "free"));
    c = packset_specs(&set, "spawn_worker", &n);
    CHECK(n == 1 && c && c[0].arg == 1);
    packset_free(&set);
}

/* The index keeps the reading order of the nested loops it replaces: a name
 * named by two resources (or twice by one) lists them first to last. */
static void test_index_order(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "hiredis"));
    int n = 0;
    const CalleeSpec *c = packset_specs(&set, "freeReplyObject", &n);
    CHECK(n == 2 && c);
    if (n == 2) {
        CHECK(c[0].role == SPEC_RELEASE && c[1].role == SPEC_RELEASE);
        CHECK_STR(c[0].res->id, "redis-reply");
        CHECK_STR(c[1].res->id, "redis-reply-out");
        CHECK(c[0].order < c[1].order);
    }
    c = packset_specs(&set, "freeObject", &n);
    CHECK(n == 2 && c && c[0].kind == CALLEE_BY_MEMBER);
    c = packset_specs(&set, "redisConnect", &n);
    CHECK(n == 1 && c && c[0].role == SPEC_ACQUIRE && c[0].index == 0);
    CHECK(packset_specs(&set, "nothing", &n) == NULL && n == 0);
    CHECK_STR(packset_first_resource(&set)->id, "redis-conn");
    packset_free(&set);
    CHECK(packset_load(&set, "session"));
    c = packset_specs(&set, "cleanup", &n);
    CHECK(n == 1 && c && c[0].role == SPEC_FIELD_RELEASE && c[0].arg == -1);
    packset_free(&set);
}

/* hiredis reports a failed command through the context's err field: the
 * pack says so with error_field, no code knows hiredis by name. */
static void test_error_field(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "hiredis"));
    const Resource *r = find(&set, "redis-reply");
    CHECK(r && r->acquire[0].error_arg == 0 && r->acquire[0].error_field &&
          strcmp(r->acquire[0].error_field, "err") == 0);
    const Resource *c = find(&set, "redis-conn");
    CHECK(c && c->acquire[0].error_arg == -1 && c->acquire[0].error_field == NULL);
    packset_free(&set);
}

/* realloc(NULL, n) allocates: the libc-memory pack says so with null_arg. */
static void test_null_arg(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "libc-memory"));
    const Resource *r = find(&set, "heap-block");
    bool seen = false;
    for (int i = 0; r && i < r->n_acquire; i++) {
        if (strcmp(r->acquire[i].name, "realloc") == 0) seen = r->acquire[i].when_null && r->acquire[i].null_arg == 0;
        else if (strcmp(r->acquire[i].name, "malloc") == 0) CHECK(!r->acquire[i].when_null);
    }
    CHECK(seen);
    packset_free(&set);
}

/* mysql_init(&m) initialises m in place: the pack says so with in_place_arg. */
static void test_in_place(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "mysql"));
    const Resource *r = find(&set, "mysql-conn");
    CHECK(r && r->acquire[0].in_place && r->acquire[0].in_place_arg == 0 && r->acquire[0].result_arg == -1);
    packset_free(&set);
}

static void test_cross_pack_clash(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "libpq"));
    capture_begin();
    bool ok = packset_load(&set, "fixtures/config/bad_packs/clash_pg_conn.json");
    bool same_again = packset_load(&set, "libpq");  /* the same pack twice: loaded once */
    bool twice = packset_load(&set, "fixtures/config/bad_packs/named_libpq.json");
    char *err = capture_end();
    CHECK(!ok);
    CHECK(same_again);
    CHECK(!twice);
    CHECK(set.n_packs == 1);
    CHECK(capture_has(err, "clash_pg_conn.json:4:6: resource id 'pg-conn' is already defined by pack 'libpq'"));
    CHECK(capture_has(err, "named_libpq.json: a rule pack named 'libpq' is already loaded (from <built-in>/libpq.json)"));
    free(err);
    packset_free(&set);
}

static void test_same_file_twice(void)
{
    PackSet set = {0};
    CHECK(packset_load(&set, "fixtures/config/packs/our-db.json"));
    CHECK(packset_load(&set, "fixtures/config/packs/../packs/our-db.json"));
    CHECK(set.n_packs == 1);
    packset_free(&set);
}

static void test_unknown_name(void)
{
    PackSet set = {0};
    capture_begin();
    bool ok = packset_load(&set, "postgres");
    char *err = capture_end();
    CHECK(!ok);
    CHECK(capture_has(err, "unknown rule pack 'postgres' (built-in packs: "));
    CHECK(capture_has(err, "libpq"));
    free(err);
    packset_free(&set);
}

static void test_syntax_error(void)
{
    RulePack p;
    capture_begin();
    bool ok = rulepack_parse("{\n  \"version\": 1,\n  \"name\": \"x\" \"resources\": []\n}\n", "inline.json", &p);
    char *err = capture_end();
    CHECK(!ok);
    CHECK(capture_has(err, "inline.json:3:15: invalid JSON"));
    free(err);
    rulepack_free(&p);
}

int main(void)
{
    test_library_pack();
    test_index_order();
    test_in_place();
    test_null_arg();
    test_error_field();
    test_builtins();
    test_builtin_contents();
    test_user_pack();
    test_bad_packs();
    test_default_packs();
    test_cross_pack_clash();
    test_same_file_twice();
    test_unknown_name();
    test_syntax_error();
    UNIT_MAIN_END();
}
