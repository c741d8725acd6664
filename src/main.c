/* main.c — the pipeline: discover → parse → summarise → check → filter →
 * report (DESIGN.md). Each stage is a folder under src/
 * (docs/ARCHITECTURE.md); this file only wires them, one function per
 * stage, and decides the exit status (SPEC §2): 0 clean, 1 findings at or
 * above --fail-on, 2 usage, configuration, I/O or parse errors. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checks/registry.h"
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
#include "values/constants.h"
#include "values/local_pointers.h"
#include "values/unions.h"
#include "parse/parse.h"
#include "report/report.h"
#include "cli/rulepack.h"
#include "flow/summary.h"
#include "common/util.h"
#include "common/version.h"
#include "cli/builtin_packs.h"

typedef VEC(ToolNotification) NoteVec;
typedef VEC(char *) StrVec;

typedef struct {
    char **files;
    int n_files;
    IrUnit **units;
    const CompileDb *db;
    char **extra_args;      /* config clang_args + -- args */
    int n_extra_args;
    const bool *want;       /* NULL: every file; else only these (pre-filter) */
    NoreturnNames noreturn; /* the packs' noreturn names, for the parse */
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
    ParseSession *s = parse_session_new(&job->noreturn);
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

/* Parse errors go to stderr (files named relative to `cwd` when below it)
 * and into `notes` for SARIF's notifications. */
static void notify_parse_problems(IrUnit *u, const char *cwd, NoteVec *notes, bool *parse_error)
{
    if (!u->parse_failed && !u->has_errors) return;
    *parse_error = true;
    int shown = 0;
    for (int d = 0; d < u->n_diags && shown < 3; d++) {
        if (!u->diags[d].is_error) continue;
        const char *file = u->diags[d].file ? u->diags[d].file : u->main_file;
        char *shown_path = path_display(file, cwd, false);
        tool_error(shown_path, u->diags[d].line, u->diags[d].col, "%s", u->diags[d].message);
        free(shown_path);
        ToolNotification n = {file, u->diags[d].line, u->diags[d].col, u->diags[d].message, true};
        VEC_PUSH(*notes, n);
        shown++;
    }
    char *main_path = path_display(u->main_file, cwd, false);
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

/* The compiler arguments every file gets when compile_commands.json does
 * not have it: the config's clang_args, then `-- ARGS`. Borrowed strings. */
static StrVec extra_clang_args(const Options *o, const Config *cfg)
{
    StrVec extra = {0};
    for (int i = 0; i < cfg->n_clang_args; i++) VEC_PUSH(extra, cfg->clang_args[i]);
    for (int i = 0; i < o->n_clang_args; i++) VEC_PUSH(extra, o->clang_args[i]);
    return extra;
}

/* Prints the CFG of every function of `u` defined in its main file (or
 * only `fn_name`); returns how many it printed. */
static int print_cfgs(const IrUnit *u, const char *fn_name)
{
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
    return printed;
}

/* --dump-cfg FILE[:FUNCTION] */
static int dump_cfg(const Options *o, const Config *cfg, const CompileDb *db, const char *cwd,
                    const PackSet *packs)
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
    StrVec extra = extra_clang_args(o, cfg);
    ParseJob job = {.db = db, .extra_args = extra.items, .n_extra_args = extra.len};
    int n = 0;
    char **args = file_args(&job, abs, &n);
    NoreturnNames noreturn = {packset_noreturn_names(packs, false), packset_noreturn_names(packs, true)};
    ParseSession *s = parse_session_new(&noreturn);
    IrUnit *u = parse_unit(s, abs, (const char *const *)args, n);
    NoteVec notes = {0};
    bool parse_error = false;
    notify_parse_problems(u, cwd, &notes, &parse_error); /* a dump of code with errors may miss statements */
    VEC_FREE(notes);
    int printed = print_cfgs(u, fn_name);
    int status = u->parse_failed ? 2 : 0;
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

/* ---- a run: one function per stage ------------------------------------- */

/* Everything a run holds, handed from stage to stage. */
typedef struct {
    const Options *o;
    char cwd[PATH_MAX];
    bool cfg_loaded;
    Config cfg;
    CompileDb *db;
    PackSet packs;
    FileList files;            /* discover → parse */
    IrUnit **units;            /* parse → summarise, check, filter: the files
                                  parsed (all, or those the pre-filter
                                  reached), in file order */
    char **unit_files;         /* units[i]'s file (borrowed from `files`) */
    int n_units;
    NoteVec notes;             /* parse problems, for SARIF's notifications */
    SummaryTable *summaries;   /* summarise → check */
    FindingList findings;      /* check → filter → report */
    char *srcroot;
    bool parse_error;
    bool io_error;
} Run;

/* The current directory, the configuration and the compilation database. */
static bool load_settings(Run *r)
{
    if (!getcwd(r->cwd, sizeof r->cwd)) {
        tool_error(NULL, 0, 0, "cannot determine the current directory: %s", strerror(errno));
        return false;
    }
    if (!config_load(r->o->config, &r->cfg)) return false;
    r->cfg_loaded = true;
    const char *db_path = r->o->compile_commands ? r->o->compile_commands : r->cfg.compile_commands;
    if (!db_path) return true;
    r->db = compile_db_load(db_path);
    return r->db != NULL;
}

/* Rule packs: the config's, then --rules; with neither, every built-in
 * pack. The library pack (libc) always, unless one of that name is loaded
 * already (a user's own replaces it). */
static bool load_packs(Run *r)
{
    const Config *cfg = &r->cfg;
    const Options *o = r->o;
    bool ok = true;
    for (int i = 0; ok && i < cfg->n_rules; i++) ok = packset_load(&r->packs, cfg->rules[i]);
    for (int i = 0; ok && i < o->n_rules; i++) ok = packset_load(&r->packs, o->rules[i]);
    if (ok && cfg->n_rules == 0 && o->n_rules == 0)
        for (int i = 0; ok && i < builtin_pack_count; i++)
            ok = packset_load(&r->packs, builtin_packs[i].name);
    return ok && packset_load_library(&r->packs);
}

/* The config's patterns (already absolute), then the command line's made
 * absolute against the current directory. Owned strings. */
static StrVec absolute_patterns(char **cfg_patterns, int n_cfg, char **cli_patterns, int n_cli,
                                const char *cwd)
{
    StrVec v = {0};
    for (int i = 0; i < n_cfg; i++) VEC_PUSH(v, xstrdup(cfg_patterns[i]));
    for (int i = 0; i < n_cli; i++) VEC_PUSH(v, path_normalize(cli_patterns[i], cwd));
    return v;
}

static void strvec_free(StrVec *v)
{
    for (int i = 0; i < v->len; i++) free(v->items[i]);
    VEC_FREE(*v);
}

static void stage_discover(Run *r)
{
    const Options *o = r->o;
    StrVec excludes = absolute_patterns(r->cfg.exclude, r->cfg.n_exclude, o->exclude, o->n_exclude, r->cwd);
    char *default_path[] = {"."};
    bool discovered = discover_files(o->n_paths ? o->paths : default_path, o->n_paths ? o->n_paths : 1,
                                     excludes.items, excludes.len, &r->files);
    r->io_error = !discovered || r->files.n_errors > 0;
    strvec_free(&excludes);
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

/* Every file, or (by default) only the files the pre-filter reaches
 * (cli/prefilter.h); job->units[i] stays NULL for a file left out. */
static void parse_files(ParseJob *job, const Options *o, const PackSet *packs, const char *cwd)
{
    if (o->no_prefilter) {
        parse_all(job, o->jobs);
        return;
    }
    int n = job->n_files ? job->n_files : 1;
    char ***args = xcalloc((size_t)n, sizeof(char **));
    int *nargs = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < job->n_files; i++) args[i] = file_args(job, job->files[i], &nargs[i]);
    TextIndex *text = textindex_build(job->files, job->n_files, args, nargs, cwd);
    SubsetParse sp = {job, o->jobs};
    prefilter_parse_closure(text, job->n_files, packs, parse_subset, &sp, job->units);
    textindex_free(text);
    for (int i = 0; i < job->n_files; i++) {
        for (int k = 0; k < nargs[i]; k++) free(args[i][k]);
        free(args[i]);
    }
    free(args);
    free(nargs);
}

static void verbose_note(const Run *r, const char *what, double since)
{
    if (r->o->verbose) fprintf(stderr, "connlint: %s (%.3f s)\n", what, now_seconds() - since);
}

static void stage_parse(Run *r)
{
    int n_files = r->files.n_files;
    double t0 = now_seconds();
    StrVec extra = extra_clang_args(r->o, &r->cfg);
    ParseJob job = {.files = r->files.files, .n_files = n_files, .db = r->db};
    job.noreturn.always = packset_noreturn_names(&r->packs, false);
    job.noreturn.system_only = packset_noreturn_names(&r->packs, true);
    job.units = xcalloc((size_t)(n_files ? n_files : 1), sizeof(IrUnit *));
    job.extra_args = extra.items;
    job.n_extra_args = extra.len;
    job.progress = isatty(STDERR_FILENO) && getenv("CI") == NULL;
    parse_files(&job, r->o, &r->packs, r->cwd);
    VEC_FREE(extra);
    r->units = xcalloc((size_t)(n_files ? n_files : 1), sizeof(IrUnit *));
    r->unit_files = xcalloc((size_t)(n_files ? n_files : 1), sizeof(char *));
    for (int i = 0; i < n_files; i++) {
        if (!job.units[i]) continue;
        r->unit_files[r->n_units] = r->files.files[i];
        r->units[r->n_units++] = job.units[i];
    }
    free(job.units);
    for (int i = 0; i < r->n_units; i++) notify_parse_problems(r->units[i], r->cwd, &r->notes, &r->parse_error);
    if (r->o->verbose) {
        char *what = r->o->no_prefilter
                         ? xasprintf("parsed %d of %d files (pre-filter off)", r->n_units, n_files)
                         : xasprintf("parsed %d of %d files, %d skipped by the pre-filter", r->n_units, n_files,
                                     n_files - r->n_units);
        verbose_note(r, what, t0);
        free(what);
    }
}

/* First the calls that never return although nothing declares it (a
 * project's die()), then what functions do to resources. */
static void stage_summarise(Run *r)
{
    double t0 = now_seconds();
    values_fold_constants(r->units, r->n_units);
    values_follow_local_pointers(r->units, r->n_units);
    values_merge_union_members(r->units, r->n_units);
    noreturn_refine(r->units, r->n_units);
    r->summaries = summaries_build(r->units, r->n_units, &r->packs);
    verbose_note(r, "summarised", t0);
}

static void stage_check(Run *r)
{
    const Options *o = r->o;
    StrVec handlers = absolute_patterns(r->cfg.handlers, r->cfg.n_handlers, o->handlers, o->n_handlers, r->cwd);
    CheckContext cctx = {&r->packs, r->summaries, handlers.items, handlers.len, &r->cfg};
    double t0 = now_seconds();
    checks_run(&cctx, r->units, r->n_units, r->o->jobs >= 1 ? r->o->jobs : default_jobs(), &r->findings);
    verbose_note(r, "checked", t0);
    strvec_free(&handlers);
}

/* Suppression comments of every file that parsed, applied; unused ones
 * become findings of their own. */
static void apply_suppressions(Run *r)
{
    StrVec parsed = {0};
    for (int i = 0; i < r->n_units; i++)
        if (!r->units[i]->parse_failed) VEC_PUSH(parsed, r->unit_files[i]);
    Suppressions *sup = suppressions_new();
    suppressions_scan_files(sup, parsed.items, parsed.len);
    VEC_FREE(parsed);
    FindingList unused = {0};
    suppressions_apply(sup, &r->findings, r->o->report_unused_suppressions, &unused);
    suppressions_free(sup);
    for (int i = 0; i < unused.len; i++) findings_add(&r->findings, &unused.items[i]);
    free(unused.items);
}

/* Fingerprints first (they must not depend on levels or suppressions),
 * then suppressions, then the configured levels, so that a rule set to
 * "none" neither reports nor makes its comments unused. */
static void stage_filter(Run *r)
{
    r->srcroot = r->o->srcroot ? path_normalize(r->o->srcroot, r->cwd) : xstrdup(r->cwd);
    fingerprint_assign_rooted(&r->findings, r->srcroot);
    apply_suppressions(r);
    levels_apply(&r->findings, &r->cfg);
    utf16_columns_assign(&r->findings);
    if (r->o->baseline && !baseline_apply(&r->findings, r->o->baseline)) r->io_error = true;
    findings_sort(&r->findings);
}

static bool write_report(const Options *o, const char *text)
{
    if (o->output) return output_write_atomic(o->output, text, strlen(text));
    bool written = fputs(text, stdout) >= 0 && fflush(stdout) == 0;
    if (!written) tool_error(NULL, 0, 0, "cannot write to standard output");
    return written;
}

/* The report in the chosen format, then the --write-baseline SARIF; false
 * when an output could not be written. */
static bool stage_report(Run *r)
{
    const Options *o = r->o;
    ReportContext rctx = {0};
    rctx.srcroot = r->srcroot;
    rctx.cwd = r->cwd;
    rctx.category = o->category;
    rctx.output_path = o->output;
    rctx.use_color = !o->output && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
    rctx.execution_successful = !r->parse_error && !r->io_error;
    rctx.notifications = r->notes.items;
    rctx.n_notifications = r->notes.len;
    rctx.n_files = r->files.n_files;
    char *text = report_render(o->format, &r->findings, &rctx);
    bool written = write_report(o, text);
    free(text);
    if (written && o->write_baseline) {
        char *sarif = report_render(FORMAT_SARIF, &r->findings, &rctx);
        written = output_write_atomic(o->write_baseline, sarif, strlen(sarif));
        free(sarif);
    }
    return written;
}

/* SPEC §2: 1 when a shown finding is at or above --fail-on, 2 when an
 * output, a file or (without --keep-going) a parse failed. */
static int exit_status(const Run *r, bool written)
{
    const Options *o = r->o;
    int status = 0;
    if (o->fail_on != LEVEL_NONE) {
        for (int i = 0; i < r->findings.len; i++) {
            const Finding *f = &r->findings.items[i];
            if (f->suppressed || f->baseline == BASELINE_UNCHANGED || f->baseline == BASELINE_ABSENT)
                continue;
            if (f->level != LEVEL_NONE && f->level >= o->fail_on) status = 1;
        }
    }
    if (!written || r->io_error || (r->parse_error && !o->keep_going)) status = 2;
    return status;
}

static void run_free(Run *r)
{
    free(r->srcroot);
    findings_free(&r->findings);
    summaries_free(r->summaries);
    VEC_FREE(r->notes);
    for (int i = 0; i < r->n_units; i++) ir_unit_free(r->units[i]);
    free(r->units);
    free(r->unit_files);
    filelist_free(&r->files);
    packset_free(&r->packs);
    compile_db_free(r->db);
    if (r->cfg_loaded) config_free(&r->cfg);
}

static int run(const Options *o)
{
    Run r = {.o = o};
    int status = 2;
    if (!load_settings(&r)) {
        /* nothing more to do: the message is printed */
    } else if (!load_packs(&r)) {
        /* the message is printed */
    } else if (o->action == ACTION_DUMP_CFG) {
        status = dump_cfg(o, &r.cfg, r.db, r.cwd, &r.packs); /* the packs say what never returns */
    } else {
        stage_discover(&r);
        stage_parse(&r);
        stage_summarise(&r);
        stage_check(&r);
        stage_filter(&r);
        bool written = stage_report(&r);
        status = exit_status(&r, written);
    }
    run_free(&r);
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
