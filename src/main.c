/* main.c — the pipeline: discover → parse → summarise → check → filter →
 * report (DESIGN.md). Each stage is a module; this file only wires them and
 * decides the exit status (SPEC §2): 0 clean, 1 findings at or above
 * --fail-on, 2 usage, configuration, I/O or parse errors. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checks/check.h"
#include "cli/cli.h"
#include "cli/compile_db.h"
#include "cli/config.h"
#include "cli/discover.h"
#include "cli/prefilter.h"
#include "cli/textscan.h"
#include "filter/filter.h"
#include "filter/filter_fingerprint.h"
#include "cli/glob.h"
#include "ir/ir.h"
#include "flow/noreturn_infer.h"
#include "parse/parse.h"
#include "report/report.h"
#include "checks/rule_info.h"
#include "cli/rulepack.h"
#include "flow/summary.h"
#include "common/util.h"
#include "common/version.h"
#include "cli/builtin_packs.h"

typedef VEC(ToolNotification) NoteVec;

typedef struct {
    char **files;
    int n_files;
    IrUnit **units;
    const CompileDb *db;
    char **extra_args;      /* config clang_args + -- args */
    int n_extra_args;
    const bool *want;       /* NULL: every file; else only these (pre-filter) */
    atomic_int next;
    atomic_int done;
    bool progress;
    double start;
} ParseJob;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The compiler arguments for one file: compile_commands.json's flags when it
 * has the file, else the config's clang_args and `-- ARGS`, plus -I of the
 * file's own folder. */
static char **file_args(const ParseJob *job, const char *file, int *n)
{
    VEC(char *) args = {0};
    int n_db = 0;
    char **db_flags = job->db ? compile_db_flags(job->db, file, &n_db) : NULL;
    for (int i = 0; i < n_db; i++) VEC_PUSH(args, xstrdup(db_flags[i]));
    if (!db_flags) {
        for (int i = 0; i < job->n_extra_args; i++) VEC_PUSH(args, xstrdup(job->extra_args[i]));
    }
    const char *slash = strrchr(file, '/');
    if (slash) VEC_PUSH(args, xasprintf("-I%.*s", (int)(slash - file), file));
    *n = args.len;
    return args.items;
}

static void *parse_worker(void *arg)
{
    ParseJob *job = arg;
    ParseSession *s = parse_session_new();
    for (;;) {
        int i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n_files) break;
        if (job->want && (!job->want[i] || job->units[i])) continue;
        int n = 0;
        char **args = file_args(job, job->files[i], &n);
        job->units[i] = parse_unit(s, job->files[i], (const char *const *)args, n);
        for (int k = 0; k < n; k++) free(args[k]);
        free(args);
        int done = atomic_fetch_add(&job->done, 1) + 1;
        if (job->progress && now_seconds() - job->start > 1.0) {
            fprintf(stderr, "\rconnlint: parsed %d/%d files", done, job->n_files);
            fflush(stderr);
        }
    }
    parse_session_free(s);
    return NULL;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void parse_all(ParseJob *job, int jobs)
{
    atomic_store(&job->next, 0);
    atomic_store(&job->done, 0);
    if (jobs < 1) jobs = default_jobs();
    if (jobs > job->n_files) jobs = job->n_files > 0 ? job->n_files : 1;
    job->start = now_seconds();
    if (jobs == 1) {
        parse_worker(job);
    } else {
        pthread_t *threads = xcalloc((size_t)jobs, sizeof(pthread_t));
        int started = 0;
        for (int i = 0; i < jobs; i++)
            if (pthread_create(&threads[i], NULL, parse_worker, job) == 0) started++;
        if (started == 0) parse_worker(job);
        for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
        free(threads);
    }
    if (job->progress && now_seconds() - job->start > 1.0) fputs("\r\033[K", stderr);
}

/* A function defined in a header is seen by every unit that includes it:
 * analyse it once (first unit in sorted file order wins). */
typedef struct {
    const char *file;
    const char *name;
    int line;
} FnKey;

static int fnkey_cmp(const void *a, const void *b)
{
    const FnKey *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool fn_seen(FnKey **seen, int *n, int *cap, const IrFunction *fn)
{
    FnKey key = {fn->file, fn->name, fn->loc.line};
    for (int i = 0; i < *n; i++)
        if (fnkey_cmp(&(*seen)[i], &key) == 0) return true;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *seen = xrealloc(*seen, (size_t)*cap * sizeof(FnKey));
    }
    (*seen)[(*n)++] = key;
    return false;
}

/* A path as the user should read it in a message: relative to the current
 * directory when it lies below it. */
static char *display_path(const char *file)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return xstrdup(file);
    size_t n = strlen(cwd);
    if (strncmp(file, cwd, n) == 0 && file[n] == '/') return xstrdup(file + n + 1);
    return xstrdup(file);
}

static void notify_parse_problems(IrUnit *u, NoteVec *notes, bool *parse_error)
{
    if (!u->parse_failed && !u->has_errors) return;
    *parse_error = true;
    int shown = 0;
    for (int d = 0; d < u->n_diags && shown < 3; d++) {
        if (!u->diags[d].is_error) continue;
        const char *file = u->diags[d].file ? u->diags[d].file : u->main_file;
        char *shown_path = display_path(file);
        tool_error(shown_path, u->diags[d].line, u->diags[d].col, "%s", u->diags[d].message);
        free(shown_path);
        ToolNotification n = {file, u->diags[d].line, u->diags[d].col, u->diags[d].message, true};
        VEC_PUSH(*notes, n);
        shown++;
    }
    char *main_path = display_path(u->main_file);
    if (shown == 0) {
        const char *msg = u->parse_failed ? "could not be parsed" : "parsed with errors";
        tool_error(main_path, 0, 0, "%s", msg);
        ToolNotification n = {u->main_file, 0, 0, msg, true};
        VEC_PUSH(*notes, n);
    } else if (u->parse_failed) {
        tool_error(main_path, 0, 0, "not analysed: the file could not be parsed");
    }
    free(main_path);
}

static void list_library(const LibraryKnowledge *lib)
{
    const struct { const char *key; int n; } keys[] = {
        {"noreturn", lib->n_noreturn}, {"takes_ownership", lib->n_takes_ownership},
        {"returns_arg", lib->n_returns_arg}, {"deallocators", lib->n_deallocators},
    };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (keys[k].n) printf("  %-22s %d entr%s\n", keys[k].key, keys[k].n, keys[k].n == 1 ? "y" : "ies");
}

static int list_packs(void)
{
    for (int i = 0; i < builtin_pack_count; i++) {
        RulePack p;
        char source[512];
        snprintf(source, sizeof source, "<built-in>/%s.json", builtin_packs[i].name);
        if (!rulepack_parse(builtin_packs[i].json, source, &p)) return 2;
        printf("%-12s %s\n", builtin_packs[i].name, p.description ? p.description : "");
        for (int r = 0; r < p.n_resources; r++)
            printf("  %-22s %s%s\n", p.resources[r].id, p.resources[r].description,
                   p.resources[r].per_request ? " (per-request)" : "");
        list_library(&p.lib);
        rulepack_free(&p);
    }
    return 0;
}

static int list_rules(void)
{
    for (int i = 0; i < rule_info_count; i++)
        printf("%-28s %-8s %s\n", rule_infos[i].id, level_name(rule_infos[i].default_level),
               rule_infos[i].short_description);
    return 0;
}

static int explain_rule(const char *id)
{
    const RuleInfo *r = rule_info_find(id);
    if (!r) {
        fprintf(stderr, "connlint: error: unknown rule '%s' (see --list-rules)\n", id);
        return 2;
    }
    printf("%s (default level: %s)\n\n%s\n\n%s\n", r->id, level_name(r->default_level),
           r->full_description, r->help_text);
    return 0;
}

/* --dump-cfg FILE[:FUNCTION] */
static int dump_cfg(const Options *o, const Config *cfg, const CompileDb *db)
{
    char *spec = xstrdup(o->dump_cfg);
    char *fn_name = NULL;
    char *colon = strrchr(spec, ':');
    if (colon && colon != spec && strchr(colon, '/') == NULL) {
        *colon = '\0';
        fn_name = colon + 1;
    }
    char *abs = path_normalize(spec, NULL);
    if (access(abs, R_OK) != 0) {
        tool_error(spec, 0, 0, "cannot read file: %s", strerror(errno));
        free(abs);
        free(spec);
        return 2;
    }
    ParseJob job = {0};
    job.db = db;
    VEC(char *) extra = {0};
    for (int i = 0; i < cfg->n_clang_args; i++) VEC_PUSH(extra, cfg->clang_args[i]);
    for (int i = 0; i < o->n_clang_args; i++) VEC_PUSH(extra, o->clang_args[i]);
    job.extra_args = extra.items;
    job.n_extra_args = extra.len;
    int n = 0;
    char **args = file_args(&job, abs, &n);
    ParseSession *s = parse_session_new();
    IrUnit *u = parse_unit(s, abs, (const char *const *)args, n);
    int status = 0;
    NoteVec notes = {0};
    bool parse_error = false;
    notify_parse_problems(u, &notes, &parse_error); /* a dump of code with errors may miss statements */
    VEC_FREE(notes);
    int printed = 0;
    for (int i = 0; i < u->n_functions; i++) {
        const IrFunction *fn = &u->functions[i];
        if (fn->in_header) continue;
        if (fn_name && strcmp(fn->name, fn_name) != 0) continue;
        char *text = ir_dump_function(fn);
        fputs(text, stdout);
        free(text);
        printed++;
    }
    if (u->parse_failed) status = 2;
    if (fn_name && printed == 0) {
        tool_error(spec, 0, 0, "no function '%s' defined in this file", fn_name);
        status = 2;
    }
    ir_unit_free(u);
    parse_session_free(s);
    for (int k = 0; k < n; k++) free(args[k]);
    free(args);
    VEC_FREE(extra);
    free(abs);
    free(spec);
    return status;
}

typedef struct {
    ParseJob *job;
    int jobs;
} SubsetParse;

static void parse_subset(void *data, const bool *want, IrUnit **units)
{
    SubsetParse *sp = data;
    sp->job->want = want;
    sp->job->units = units;
    parse_all(sp->job, sp->jobs);
    sp->job->want = NULL;
}

/* The parse stage: every file, or (by default) only the files the
 * pre-filter reaches (cli/prefilter.h); job->units[i] stays NULL for a file
 * left out. Returns how many files were parsed. */
static int parse_stage(ParseJob *job, const Options *o, const PackSet *packs, const char *cwd)
{
    if (o->no_prefilter) {
        parse_all(job, o->jobs);
        return job->n_files;
    }
    char ***args = xcalloc((size_t)(job->n_files ? job->n_files : 1), sizeof(char **));
    int *nargs = xcalloc((size_t)(job->n_files ? job->n_files : 1), sizeof(int));
    for (int i = 0; i < job->n_files; i++) args[i] = file_args(job, job->files[i], &nargs[i]);
    TextIndex *text = textindex_build(job->files, job->n_files, args, nargs, cwd);
    SubsetParse sp = {job, o->jobs};
    int parsed = prefilter_parse_closure(text, job->n_files, packs, parse_subset, &sp, job->units);
    textindex_free(text);
    for (int i = 0; i < job->n_files; i++) {
        for (int k = 0; k < nargs[i]; k++) free(args[i][k]);
        free(args[i]);
    }
    free(args);
    free(nargs);
    return parsed;
}

static void verbose_note(const Options *o, const char *what, double since)
{
    if (o->verbose) fprintf(stderr, "connlint: %s (%.3f s)\n", what, now_seconds() - since);
}

static int run(const Options *o)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        tool_error(NULL, 0, 0, "cannot determine the current directory: %s", strerror(errno));
        return 2;
    }

    Config cfg;
    if (!config_load(o->config, &cfg)) return 2;

    CompileDb *db = NULL;
    const char *db_path = o->compile_commands ? o->compile_commands : cfg.compile_commands;
    if (db_path) {
        db = compile_db_load(db_path);
        if (!db) {
            config_free(&cfg);
            return 2;
        }
    }

    if (o->action == ACTION_DUMP_CFG) {
        int st = dump_cfg(o, &cfg, db);
        compile_db_free(db);
        config_free(&cfg);
        return st;
    }

    /* Rule packs: the config's, then --rules; with neither, every built-in
     * pack. The library pack (libc) always, unless one of that name is
     * loaded already (a user's own replaces it). */
    PackSet packs = {0};
    bool ok = true;
    for (int i = 0; ok && i < cfg.n_rules; i++) ok = packset_load(&packs, cfg.rules[i]);
    for (int i = 0; ok && i < o->n_rules; i++) ok = packset_load(&packs, o->rules[i]);
    if (ok && cfg.n_rules == 0 && o->n_rules == 0)
        for (int i = 0; ok && i < builtin_pack_count; i++) ok = packset_load(&packs, builtin_packs[i].name);
    if (ok) ok = packset_load_library(&packs);
    if (!ok) {
        packset_free(&packs);
        compile_db_free(db);
        config_free(&cfg);
        return 2;
    }

    /* discover */
    VEC(char *) excludes = {0};
    for (int i = 0; i < cfg.n_exclude; i++) VEC_PUSH(excludes, xstrdup(cfg.exclude[i]));
    for (int i = 0; i < o->n_exclude; i++) VEC_PUSH(excludes, path_normalize(o->exclude[i], cwd));
    char *default_path[] = {"."};
    FileList files = {0};
    bool discovered = discover_files(o->n_paths ? o->paths : default_path, o->n_paths ? o->n_paths : 1,
                                     excludes.items, excludes.len, &files);
    bool io_error = !discovered || files.n_errors > 0;

    /* parse */
    ParseJob job = {0};
    job.files = files.files;
    job.n_files = files.n_files;
    job.units = xcalloc((size_t)(files.n_files ? files.n_files : 1), sizeof(IrUnit *));
    job.db = db;
    VEC(char *) extra = {0};
    for (int i = 0; i < cfg.n_clang_args; i++) VEC_PUSH(extra, cfg.clang_args[i]);
    for (int i = 0; i < o->n_clang_args; i++) VEC_PUSH(extra, o->clang_args[i]);
    job.extra_args = extra.items;
    job.n_extra_args = extra.len;
    job.progress = isatty(STDERR_FILENO) && getenv("CI") == NULL;
    double t0 = now_seconds();
    int n_parsed = parse_stage(&job, o, &packs, cwd);
    if (o->verbose) {
        char *what = o->no_prefilter ? xasprintf("parsed %d of %d files (pre-filter off)", n_parsed, files.n_files)
                                     : xasprintf("parsed %d of %d files, %d skipped by the pre-filter", n_parsed,
                                                 files.n_files, files.n_files - n_parsed);
        verbose_note(o, what, t0);
        free(what);
    }
    /* the parsed files and their units, in file order */
    IrUnit **units = xcalloc((size_t)(n_parsed ? n_parsed : 1), sizeof(IrUnit *));
    char **unit_files = xcalloc((size_t)(n_parsed ? n_parsed : 1), sizeof(char *));
    int n_units = 0;
    for (int i = 0; i < files.n_files; i++) {
        if (!job.units[i]) continue;
        unit_files[n_units] = files.files[i];
        units[n_units++] = job.units[i];
    }

    NoteVec notes = {0};
    bool parse_error = false;
    for (int i = 0; i < n_units; i++) notify_parse_problems(units[i], &notes, &parse_error);

    /* summarise: first the calls that never return although nothing
     * declares it (a project's die()), then what functions do to resources */
    t0 = now_seconds();
    noreturn_refine(units, n_units);
    SummaryTable *summaries = summaries_build(units, n_units, &packs);
    verbose_note(o, "summarised", t0);
    t0 = now_seconds();

    /* check */
    VEC(char *) handlers = {0};
    for (int i = 0; i < cfg.n_handlers; i++) VEC_PUSH(handlers, xstrdup(cfg.handlers[i]));
    for (int i = 0; i < o->n_handlers; i++) VEC_PUSH(handlers, path_normalize(o->handlers[i], cwd));
    CheckContext cctx = {&packs, summaries, handlers.items, handlers.len};
    /* per-request-outside-handler needs to know where handlers are: with no
     * handler designated (config "handlers" or --handlers) it stays off
     * rather than flag every per-request acquire of the tree. */
    bool per_request = handlers.len > 0;
    FindingList findings = {0};
    FnKey *seen = NULL;
    int n_seen = 0, cap_seen = 0;
    for (int i = 0; i < n_units; i++) {
        IrUnit *u = units[i];
        if (u->parse_failed) continue;
        for (int f = 0; f < u->n_functions; f++) {
            const IrFunction *fn = &u->functions[f];
            if (fn->in_header && fn_seen(&seen, &n_seen, &cap_seen, fn)) continue;
            check_resource_flow(&cctx, fn, &findings);
            if (per_request) check_per_request_function(&cctx, fn, &findings);
        }
        if (per_request) check_per_request_global_refs(&cctx, u, &findings);
    }
    free(seen);
    verbose_note(o, "checked", t0);

    /* filter: fingerprints first (they must not depend on levels or
     * suppressions), then suppressions, then the configured levels, so that
     * a rule set to "none" neither reports nor makes its comments unused. */
    char *srcroot = o->srcroot ? path_normalize(o->srcroot, cwd) : xstrdup(cwd);
    fingerprint_assign_rooted(&findings, srcroot);
    VEC(char *) parsed = {0};
    for (int i = 0; i < n_units; i++)
        if (!units[i]->parse_failed) VEC_PUSH(parsed, unit_files[i]);
    suppressions_scan_files(parsed.items, parsed.len);
    VEC_FREE(parsed);
    FindingList unused = {0};
    suppressions_apply(&findings, o->report_unused_suppressions, &unused);
    for (int i = 0; i < unused.len; i++) findings_add(&findings, &unused.items[i]);
    free(unused.items);
    levels_apply(&findings, &cfg);
    utf16_columns_assign(&findings);
    if (o->baseline && !baseline_apply(&findings, o->baseline)) io_error = true;
    findings_sort(&findings);

    /* report */
    ReportContext rctx = {0};
    rctx.srcroot = srcroot;
    rctx.cwd = cwd;
    rctx.category = o->category;
    rctx.output_path = o->output;
    rctx.use_color = !o->output && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
    rctx.execution_successful = !parse_error && !io_error;
    rctx.notifications = notes.items;
    rctx.n_notifications = notes.len;
    rctx.n_files = files.n_files;
    char *text = report_render(o->format, &findings, &rctx);
    bool written;
    if (o->output) {
        written = output_write_atomic(o->output, text, strlen(text));
    } else {
        written = fputs(text, stdout) >= 0 && fflush(stdout) == 0;
        if (!written) tool_error(NULL, 0, 0, "cannot write to standard output");
    }
    free(text);
    if (written && o->write_baseline) {
        char *sarif = report_render(FORMAT_SARIF, &findings, &rctx);
        written = output_write_atomic(o->write_baseline, sarif, strlen(sarif));
        free(sarif);
    }

    int status = 0;
    if (o->fail_on != LEVEL_NONE) {
        for (int i = 0; i < findings.len; i++) {
            const Finding *f = &findings.items[i];
            if (f->suppressed || f->baseline == BASELINE_UNCHANGED || f->baseline == BASELINE_ABSENT)
                continue;
            if (f->level != LEVEL_NONE && f->level >= o->fail_on) status = 1;
        }
    }
    if (!written || io_error || (parse_error && !o->keep_going)) status = 2;

    free(srcroot);
    findings_free(&findings);
    for (int i = 0; i < handlers.len; i++) free(handlers.items[i]);
    VEC_FREE(handlers);
    summaries_free(summaries);
    VEC_FREE(notes);
    for (int i = 0; i < n_units; i++) ir_unit_free(units[i]);
    free(units);
    free(unit_files);
    free(job.units);
    VEC_FREE(extra);
    for (int i = 0; i < excludes.len; i++) free(excludes.items[i]);
    VEC_FREE(excludes);
    filelist_free(&files);
    packset_free(&packs);
    compile_db_free(db);
    config_free(&cfg);
    return status;
}

int main(int argc, char **argv)
{
    Options o;
    int st = cli_parse(argc, argv, &o);
    if (st != 0) return st;
    switch (o.action) {
    case ACTION_HELP: cli_print_help(); break;
    case ACTION_VERSION: {
        char *clang = parse_libclang_version();
        printf("connlint %s\nlibclang: %s\n", CONNLINT_VERSION, clang);
        free(clang);
        break;
    }
    case ACTION_LIST_RULES: st = list_rules(); break;
    case ACTION_LIST_PACKS: st = list_packs(); break;
    case ACTION_EXPLAIN: st = explain_rule(o.explain_rule); break;
    case ACTION_DUMP_CFG:
    case ACTION_RUN: st = run(&o); break;
    }
    options_free(&o);
    return st;
}
