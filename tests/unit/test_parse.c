/* test_parse.c — the parse stage on real files: bad input (missing, NUL
 * bytes, huge, syntax errors), project headers, global function tables,
 * the IR invariants over every golden fixture, and input that is deep or
 * wide (nesting beyond the limit, 10,000-term && chains, 2,000-case
 * switches, 10,000 statements) — no crash, no recursion blow-up, truncation
 * reported. Runs from the source root (ctest's working directory). */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rulepack.h"
#include "ir/ir.h"
#include "parse/parse.h"
#include "unit.h"
#include "common/util.h"

static char tmpdir[PATH_MAX];
static NoreturnNames libc_noreturn; /* the libc pack's, as a run passes them */

static char *write_temp(const char *name, const char *text, size_t len)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

static IrUnit *parse_text(ParseSession *s, const char *name, const char *text)
{
    char *path = write_temp(name, text, strlen(text));
    IrUnit *u = parse_unit(s, path, NULL, 0);
    free(path);
    return u;
}

static const IrFunction *find_fn(const IrUnit *u, const char *name)
{
    for (int i = 0; i < u->n_functions; i++)
        if (strcmp(u->functions[i].name, name) == 0) return &u->functions[i];
    return NULL;
}

/* Structural invariants every IrFunction must satisfy (ir.h). */
static int check_invariants(const IrFunction *fn)
{
    int bad = 0;
    char *seen = xcalloc((size_t)fn->n_calls + 1, 1);
    if (fn->n_blocks < 1) bad++;
    for (int i = 0; i < fn->n_params && i < fn->n_vars; i++)
        if (fn->vars[i].storage != VAR_PARAM || fn->vars[i].param_index != i) bad++;
    for (int b = 0; b < fn->n_blocks; b++) {
        const IrBlock *blk = &fn->blocks[b];
        if (blk->id != b) bad++;
        for (int k = 0; k < blk->n_succ; k++)
            if (blk->succ[k] < 0 || blk->succ[k] >= fn->n_blocks) bad++;
        switch (blk->term) {
        case TERM_JUMP: bad += blk->n_succ != 1; break;
        case TERM_BRANCH: bad += blk->n_succ != 2; break;
        case TERM_RETURN:
            bad += blk->n_succ != 0;
            bad += blk->n_events < 1 || blk->events[blk->n_events - 1].kind != EV_RETURN;
            break;
        case TERM_NORETURN: bad += blk->n_succ != 0; break;
        case TERM_SWITCH:
            for (int c = 0; c < blk->n_cases; c++)
                if (blk->cases[c].target < 0 || blk->cases[c].target >= fn->n_blocks) bad++;
            bad += blk->n_succ < 1;
            break;
        case TERM_INDIRECT: break;
        }
        for (int e = 0; e < blk->n_events; e++) {
            const IrEvent *ev = &blk->events[e];
            if (ev->kind == EV_RETURN && (e != blk->n_events - 1 || blk->term != TERM_RETURN)) bad++;
            if (ev->kind == EV_CALL) {
                int id = ev->u.call.id;
                if (id < 0 || id >= fn->n_calls || seen[id]) bad++;
                else seen[id] = 1;
                for (int a = 0; a < ev->u.call.nargs; a++) {
                    const IrRef *r = &ev->u.call.args[a];
                    if ((r->kind == REF_VAR || r->kind == REF_ADDR || r->kind == REF_FIELD ||
                         r->kind == REF_DEREF) && (r->var < 0 || r->var >= fn->n_vars))
                        bad++;
                }
                if (ev->u.call.noreturn && (e != blk->n_events - 1 || blk->term != TERM_NORETURN)) bad++;
            }
            if (ev->kind == EV_SCOPE_END && (ev->u.scope.var < 0 || ev->u.scope.var >= fn->n_vars ||
                                             fn->vars[ev->u.scope.var].storage != VAR_LOCAL))
                bad++;
        }
    }
    free(seen);
    if (bad) fprintf(stderr, "invariants broken %d times in %s\n", bad, fn->name);
    return bad;
}

static void test_fixtures_invariants(ParseSession *s)
{
    DIR *d = opendir("fixtures/cfg");
    CHECK(d != NULL);
    if (!d) return;
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0) continue;
        char *rel = xasprintf("fixtures/cfg/%s", e->d_name);
        char *abs = realpath(rel, NULL);
        IrUnit *u = parse_unit(s, abs, NULL, 0);
        bool wants_errors = strncmp(e->d_name, "parse_error", 11) == 0; /* on purpose */
        if (u->has_errors != wants_errors)
            fprintf(stderr, "%s: %s\n", rel, u->n_diags ? u->diags[0].message : "no error");
        CHECK(u->has_errors == wants_errors && !u->parse_failed);
        CHECK(u->n_functions > 0);
        for (int i = 0; i < u->n_functions; i++) CHECK(check_invariants(&u->functions[i]) == 0);
        ir_unit_free(u);
        free(abs);
        free(rel);
        files++;
    }
    closedir(d);
    CHECK(files >= 30);
}

static void test_bad_files(ParseSession *s)
{
    char *missing = xasprintf("%s/does-not-exist.c", tmpdir);
    IrUnit *u = parse_unit(s, missing, NULL, 0);
    CHECK(u->parse_failed && u->n_diags == 1 && strstr(u->diags[0].message, "cannot read"));
    ir_unit_free(u);
    free(missing);

    char *nul = write_temp("nul.c", "int x;\0\1\2garbage", 17);
    u = parse_unit(s, nul, NULL, 0);
    CHECK(u->parse_failed && u->n_diags == 1 && strstr(u->diags[0].message, "NUL"));
    ir_unit_free(u);
    free(nul);

    size_t big_len = 21u * 1024 * 1024;
    char *big_text = xmalloc(big_len);
    memset(big_text, '\n', big_len);
    char *big = write_temp("big.c", big_text, big_len);
    free(big_text);
    u = parse_unit(s, big, NULL, 0);
    CHECK(u->parse_failed && u->n_diags == 1 && strstr(u->diags[0].message, "too large"));
    ir_unit_free(u);
    unlink(big);
    free(big);

    /* a project's -Werror does not make clang's warnings parse errors */
    const char *warn_src = "int f(int x) { int unused; if (x = 1) return x; return 0; }\n";
    char *warn = write_temp("warn.c", warn_src, strlen(warn_src));
    const char *werror[] = {"-Wall", "-Werror"};
    u = parse_unit(s, warn, werror, 2);
    CHECK(!u->parse_failed && !u->has_errors && u->n_functions == 1);
    ir_unit_free(u);
    free(warn);

    u = parse_text(s, "syntax.c", "int ok(void) { return 1; }\nint broken(void) { return 1 +; }\n");
    CHECK(!u->parse_failed && u->has_errors);
    CHECK(u->n_diags >= 1 && u->diags[0].is_error && u->diags[0].line == 2);
    CHECK(find_fn(u, "ok") != NULL); /* kept going */
    ir_unit_free(u);
}

static void test_headers_and_globals(ParseSession *s)
{
    const char *header = "static inline int helper(int x) { return x + 1; }\nint PQx(void);\n";
    char *h = write_temp("proj.h", header, strlen(header));
    const char *src =
        "#include <stdio.h>\n"
        "#include \"proj.h\"\n"
        "int get_db(void);\n"
        "struct ops { int (*open)(void); };\n"
        "static struct ops table = { .open = get_db };\n"
        "int (*fps[])(void) = { PQx, &get_db };\n"
        "int main_fn(void) { return helper(2); }\n";
    IrUnit *u = parse_text(s, "globals.c", src);
    CHECK(!u->has_errors);
    const IrFunction *helper = find_fn(u, "helper");
    const IrFunction *main_fn = find_fn(u, "main_fn");
    CHECK(helper && helper->in_header && strstr(helper->file, "proj.h"));
    CHECK(main_fn && !main_fn->in_header && strstr(main_fn->file, "globals.c"));
    CHECK(find_fn(u, "printf") == NULL);
    int n = 0;
    for (int i = 0; i < u->n_global_refs; i++) {
        const IrGlobalRef *g = &u->global_refs[i];
        if (!strcmp(g->name, "get_db") && g->loc.line == 5) n++;
        if (!strcmp(g->name, "PQx") && g->loc.line == 6) n++;
        if (!strcmp(g->name, "get_db") && g->loc.line == 6) n++;
    }
    CHECK(n == 3);
    ir_unit_free(u);
    free(h);
}

static void test_cleanup_and_members(ParseSession *s)
{
    const char *src =
        "void fin(void **p);\n"
        "#define AUTO __attribute__((cleanup(fin)))\n"
        "struct r { void (*cleanup)(struct r *); };\n"
        "void f(struct r *sp) {\n"
        "  AUTO void *a = 0;\n"
        "  __attribute__((__cleanup__(fin))) void *b = 0;\n"
        "  sp->cleanup(sp);\n"
        "}\n";
    IrUnit *u = parse_text(s, "cleanup.c", src);
    const IrFunction *f = find_fn(u, "f");
    CHECK(f && f->n_vars == 3);
    if (f && f->n_vars == 3) {
        CHECK_STR(f->vars[1].cleanup_fn, "fin");
        CHECK_STR(f->vars[2].cleanup_fn, "fin");
        const IrEvent *call = NULL;
        for (int e = 0; e < f->blocks[0].n_events; e++)
            if (f->blocks[0].events[e].kind == EV_CALL) call = &f->blocks[0].events[e];
        CHECK(call && call->u.call.callee_kind == CALLEE_MEMBER);
        CHECK(call && call->u.call.base.kind == REF_VAR && call->u.call.base.var == 0 &&
              call->u.call.base.via_pointer);
    }
    ir_unit_free(u);
}

/* Deep and wide input: built as text, parsed, checked for shape. */
static void test_limits(ParseSession *s)
{
    StrBuf sb;
    sb_init(&sb);
    /* 4,100 nested unbraced ifs (clang's own bracket limit is 256): over
     * our depth limit of 4,000 */
    sb_append(&sb, "int deep(int x) {\n");
    for (int i = 0; i < 4100; i++) sb_append(&sb, "if (x)\n");
    sb_append(&sb, "x++;\nreturn x; }\n");
    sb_append(&sb, "int shallow(int x) {\n");
    for (int i = 0; i < 100; i++) sb_append(&sb, "{ x++;\n");
    for (int i = 0; i < 100; i++) sb_append(&sb, "}\n");
    sb_append(&sb, "return x; }\n");
    IrUnit *u = parse_text(s, "deep.c", sb.data);
    CHECK(!u->has_errors);
    const IrFunction *f = find_fn(u, "deep");
    CHECK(f && f->truncated && check_invariants(f) == 0);
    f = find_fn(u, "shallow");
    CHECK(f && !f->truncated && f->n_blocks == 1);
    bool warned = false;
    for (int i = 0; i < u->n_diags; i++) warned |= !u->diags[i].is_error && strstr(u->diags[i].message, "deep");
    CHECK(warned);
    ir_unit_free(u);

    sb_free(&sb);
    sb_init(&sb);
    sb_append(&sb, "void g(void); int chain(int *p) {\n if (p[0] == 0");
    for (int i = 1; i < 10000; i++) sb_printf(&sb, " && p[%d] == 0", i);
    sb_append(&sb, ") g();\n return 0; }\n");
    u = parse_text(s, "chain.c", sb.data);
    f = find_fn(u, "chain");
    CHECK(f && !f->truncated && f->n_blocks >= 10000);
    int branches = 0;
    for (int b = 0; f && b < f->n_blocks; b++) branches += f->blocks[b].term == TERM_BRANCH;
    CHECK(branches == 10000);
    ir_unit_free(u);

    sb_free(&sb);
    sb_init(&sb);
    sb_append(&sb, "int sw(int x) { int r = 0;\n switch (x) {\n");
    for (int i = 0; i < 2000; i++) sb_printf(&sb, " case %d: r = %d; break;\n", i, i);
    sb_append(&sb, " }\n return r; }\n");
    u = parse_text(s, "switch.c", sb.data);
    f = find_fn(u, "sw");
    CHECK(f && !f->truncated);
    CHECK(f && f->blocks[0].term == TERM_SWITCH && f->blocks[0].n_cases == 2000 &&
          f->blocks[0].default_target == -1 && f->blocks[0].n_succ == 2001);
    ir_unit_free(u);

    sb_free(&sb);
    sb_init(&sb);
    sb_append(&sb, "int g2(int); int many(int x) {\n");
    for (int i = 0; i < 10000; i++) sb_printf(&sb, " if (g2(x) < %d) x++;\n", i);
    sb_append(&sb, " return x; }\n");
    u = parse_text(s, "many.c", sb.data);
    f = find_fn(u, "many");
    CHECK(f && !f->truncated && f->n_calls == 10000);
    CHECK(f && check_invariants(f) == 0);
    ir_unit_free(u);
    sb_free(&sb);
}

typedef struct {
    const char *path;
    int n_functions;
} ThreadJob;

static void *parse_in_thread(void *arg)
{
    ThreadJob *job = arg;
    ParseSession *s = parse_session_new(&libc_noreturn);
    for (int i = 0; i < 3; i++) {
        IrUnit *u = parse_unit(s, job->path, NULL, 0);
        job->n_functions += u->n_functions;
        ir_unit_free(u);
    }
    parse_session_free(s);
    return NULL;
}

static void test_threads(void)
{
    char *a = realpath("fixtures/cfg/if_else.c", NULL);
    char *b = realpath("fixtures/cfg/short_circuit.c", NULL);
    ThreadJob ja = {a, 0}, jb = {b, 0};
    pthread_t ta, tb;
    CHECK(pthread_create(&ta, NULL, parse_in_thread, &ja) == 0);
    CHECK(pthread_create(&tb, NULL, parse_in_thread, &jb) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(ja.n_functions == 3 && jb.n_functions == 3);
    free(a);
    free(b);
}

/* CONNLINT_PARSE_CORPUS="a.c b.c ...": also check the IR invariants on
 * those files (a way to run the parse stage over a real code base). */
static void test_corpus(ParseSession *s)
{
    const char *env = getenv("CONNLINT_PARSE_CORPUS");
    if (!env) return;
    char *list = xstrdup(env);
    int files = 0, fns = 0;
    for (char *p = strtok(list, " \n"); p; p = strtok(NULL, " \n")) {
        char *abs = realpath(p, NULL);
        if (!abs) continue;
        IrUnit *u = parse_unit(s, abs, NULL, 0);
        for (int i = 0; i < u->n_functions; i++) {
            int bad = check_invariants(&u->functions[i]);
            if (bad) fprintf(stderr, "  in %s\n", abs);
            CHECK(bad == 0);
            fns++;
        }
        ir_unit_free(u);
        free(abs);
        files++;
    }
    printf("corpus: %d files, %d functions\n", files, fns);
    free(list);
}

/* has_errors: set only for definitions that hold an error themselves
 * (body or signature, also through a macro used there), not for errors in
 * an included header or in another function. */
static void test_function_errors(ParseSession *s)
{
    const char *header = "int hdr_ok(void);\nunknown_hdr_t hdr_bad;\n";
    char *h = write_temp("errs.h", header, strlen(header));
    const char *src =
        "#include \"errs.h\"\n"
        "#define MAKE(x) make_thing_t *x = 0\n"
        "int clean_before(int a) { return a + 1; }\n"
        "int bad_body(int a) { unknown_t *p = get(a); return 0; }\n"
        "int bad_macro(void) { MAKE(t); return 1; }\n"
        "int bad_param(mystery_t *m) { return m != 0; }\n"
        "int clean_after(int a) { return a - 1; }\n";
    IrUnit *u = parse_text(s, "errs.c", src);
    CHECK(u->has_errors);
    const IrFunction *before = find_fn(u, "clean_before"), *after = find_fn(u, "clean_after");
    const IrFunction *body = find_fn(u, "bad_body"), *macro = find_fn(u, "bad_macro");
    CHECK(before && !before->has_errors);
    CHECK(after && !after->has_errors);
    CHECK(body && body->has_errors);
    CHECK(macro && macro->has_errors);
    const IrFunction *param = find_fn(u, "bad_param");
    CHECK(param && param->has_errors);
    ir_unit_free(u);
    free(h);
}

static bool ends_in_noreturn(const IrUnit *u)
{
    for (int f = 0; f < u->n_functions; f++)
        for (int b = 0; b < u->functions[f].n_blocks; b++)
            if (u->functions[f].blocks[b].term == TERM_NORETURN) return true;
    return false;
}

/* What never returns is the session's input (the packs' "noreturn"), not
 * a list in the parser: without names stop_now() is an ordinary call, with
 * it as a name its calls end the path, and other calls do not. */
static void test_noreturn_names(void)
{
    const char *text = "void go_on(int);\nvoid stop_now(void);\n"
                       "int f(int x) { if (x) go_on(1); return 0; }\n"
                       "int g(int x) { if (x) stop_now(); return 0; }\n";
    ParseSession *none = parse_session_new(NULL);
    IrUnit *u = parse_text(none, "noreturn_names.c", text);
    CHECK(!ends_in_noreturn(u));
    ir_unit_free(u);
    parse_session_free(none);

    StrMap mine = {0};
    *strmap_slot(&mine, "stop_now") = (void *)1;
    NoreturnNames names = {&mine, NULL};
    ParseSession *s = parse_session_new(&names);
    u = parse_text(s, "noreturn_names.c", text);
    CHECK(ends_in_noreturn(u));
    bool exit_ends = false, stop_ends = false;
    for (int f = 0; f < u->n_functions; f++) {
        bool ends = false;
        for (int b = 0; b < u->functions[f].n_blocks; b++) ends |= u->functions[f].blocks[b].term == TERM_NORETURN;
        if (strcmp(u->functions[f].name, "f") == 0) exit_ends = ends;
        if (strcmp(u->functions[f].name, "g") == 0) stop_ends = ends;
    }
    CHECK(!exit_ends && stop_ends);
    ir_unit_free(u);
    parse_session_free(s);
    strmap_free(&mine);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/connlint-test-parse-%d", (int)getpid());
    char *mk = xasprintf("mkdir -p %s", tmpdir);
    if (system(mk) != 0) return 2;
    free(mk);
    PackSet libc = {0};
    if (!packset_load_library(&libc)) return 2;
    libc_noreturn.always = packset_noreturn_names(&libc, false);
    libc_noreturn.system_only = packset_noreturn_names(&libc, true);
    test_noreturn_names();
    ParseSession *s = parse_session_new(&libc_noreturn);
    test_fixtures_invariants(s);
    test_bad_files(s);
    test_headers_and_globals(s);
    test_function_errors(s);
    test_cleanup_and_members(s);
    test_limits(s);
    test_corpus(s);
    parse_session_free(s);
    test_threads();
    packset_free(&libc);
    char *rm = xasprintf("rm -rf %s", tmpdir);
    if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    free(rm);
    UNIT_MAIN_END();
}
