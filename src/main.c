/* main.c — the pipeline: discover → parse → summarise → check → filter →
 * report (DESIGN.md). Each stage is a folder under src/
 * (docs/ARCHITECTURE.md); this file only wires them, one function per
 * stage, and decides the exit status (SPEC §2): 0 clean, 1 findings at or
 * above --fail-on, 2 usage, configuration, I/O or parse errors. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/bytes.h"
#include "cache/cache_deps.h"
#include "cache/cache_session.h"
#include "cache/cache_store.h"
#include "cache/ir_codec.h"
#include "cli/shard.h"
#include "cache/summary_cache.h"
#include "cache/summary_export.h"
#include "checks/registry.h"
#include "cli/cli.h"
#include "cli/compile_db.h"
#include "cli/config.h"
#include "cli/discover.h"
#include "prefilter/prefilter.h"
#include "prefilter/textscan.h"
#include "filter/filter.h"
#include "filter/filter_fingerprint.h"
#include "cli/glob.h"
#include "cli/project.h"
#include "ir/ir.h"
#include "ir/ir_coverage.h"
#include "flow/noreturn_infer.h"
#include "values/constants.h"
#include "values/fn_pointers.h"
#include "values/local_pointers.h"
#include "values/null_locals.h"
#include "values/unions.h"
#include "parse/parse.h"
#include "parse/parse_isolated.h"
#include "report/report.h"
#include "report/sarif_merge.h"
#include "cli/rulepack.h"
#include "flow/summary.h"
#include "common/util.h"
#include "common/version.h"
#include "cli/builtin_packs.h"
#include "cli/init.h"
#include "cli/derived_packs.h"

typedef VEC(ToolNotification) NoteVec;
typedef VEC(char *) StrVec;

typedef struct {
    char **files;
    int n_files;
    IrUnit **units;
    const CompileDb *db;
    char **extra_args;      /* config clang_args + -- args */
    int n_extra_args;
    CacheSession *cache;    /* NULL: no cache */
    const int *todo;        /* the files to parse (indexes), n_todo of them */
    int n_todo;
    ParseLimits limits;     /* the packs' noreturn names, the time and memory limits */
    atomic_int next;
    ParseWorker **workers;  /* one per thread, each with a process of its own */
    atomic_int next_worker;
    atomic_int done;
    atomic_int parsed;      /* files parsed (not taken from the cache) */
    int n_total;            /* the files of this parse_all, for the progress line */
    bool lookup_only;       /* this pass only takes units from the cache */
    bool *missed;           /* lookup_only: todo[k] is not in the cache */
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
    ParseWorker *worker = NULL;
    if (!job->lookup_only) worker = job->workers[atomic_fetch_add(&job->next_worker, 1)];
    for (;;) {
        int k = atomic_fetch_add(&job->next, 1);
        if (k >= job->n_todo) break;
        int i = job->todo[k];
        int n = 0;
        char **args = file_args(job, job->files[i], &n);
        IrUnit *u = job->cache && job->lookup_only ? cache_session_load_unit(job->cache, i, job->files[i], args, n)
                                                   : NULL;
        if (!u && job->lookup_only) {
            job->missed[k] = true;
            for (int a = 0; a < n; a++) free(args[a]);
            free(args);
            continue;
        }
        if (!u) {
            u = parse_worker_parse(worker, job->files[i], (const char *const *)args, n);
            atomic_fetch_add(&job->parsed, 1);
            if (job->cache) cache_session_store_unit(job->cache, i, u);
        }
        job->units[i] = u;
        for (int k = 0; k < n; k++) free(args[k]);
        free(args);
        int done = atomic_fetch_add(&job->done, 1) + 1;
        if (job->progress && now_seconds() - job->start > 1.0) {
            fprintf(stderr, "\rconnlint: parsed %d/%d files", done, job->n_total);
            fflush(stderr);
        }
    }
    return NULL;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* parse_worker on `jobs` threads (the calling one when jobs is 1). */
static void run_parse_threads(ParseJob *job, int jobs)
{
    atomic_store(&job->next, 0);
    if (jobs == 1) {
        parse_worker(job);
        return;
    }
    pthread_t *threads = xcalloc((size_t)jobs, sizeof(pthread_t));
    int started = 0;
    for (int i = 0; i < jobs; i++)
        if (pthread_create(&threads[i], NULL, parse_worker, job) == 0) started++;
    if (started == 0) parse_worker(job);
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
}

static int clamp_jobs(int jobs, int n)
{
    if (jobs < 1) jobs = default_jobs();
    return jobs > n ? (n > 0 ? n : 1) : jobs;
}

/* With a cache, the units it holds are taken first (decoded on threads),
 * and parse workers are forked only for the files it does not hold, as
 * many as there are such files up to -j: a warm run forks none. */
static void parse_all(ParseJob *job, int jobs)
{
    atomic_store(&job->done, 0);
    job->start = now_seconds();
    const int *all_todo = job->todo;
    int n_all = job->n_todo;
    job->n_total = n_all;
    int *misses = NULL;
    if (job->cache && n_all > 0) {
        job->missed = xcalloc((size_t)n_all, sizeof(bool));
        job->lookup_only = true;
        run_parse_threads(job, clamp_jobs(jobs, n_all));
        job->lookup_only = false;
        misses = xcalloc((size_t)n_all, sizeof(int));
        int n_miss = 0;
        for (int k = 0; k < n_all; k++)
            if (job->missed[k]) misses[n_miss++] = all_todo[k];
        free(job->missed);
        job->missed = NULL;
        job->todo = misses;
        job->n_todo = n_miss;
    }
    if (job->n_todo > 0) {
        jobs = clamp_jobs(jobs, job->n_todo);
        /* the workers' processes are forked here, while no thread of ours
         * runs (the lookup threads have been joined) */
        job->workers = xcalloc((size_t)jobs, sizeof(ParseWorker *));
        atomic_store(&job->next_worker, 0);
        for (int i = 0; i < jobs; i++) {
            job->workers[i] = parse_worker_new(&job->limits);
            parse_worker_start(job->workers[i]);
        }
        run_parse_threads(job, jobs);
        for (int i = 0; i < jobs; i++) parse_worker_free(job->workers[i]);
        free(job->workers);
        job->workers = NULL;
    }
    job->todo = all_todo;
    job->n_todo = n_all;
    free(misses);
    if (job->progress && now_seconds() - job->start > 1.0) fputs("\r\033[K", stderr);
}

/* Functions of the unit's file skipped whole because of parse errors in
 * their bodies: a SARIF notification (a warning: the rest of the file was
 * analysed), and with --verbose a line on stderr. The message is kept in
 * `texts` until the run ends. */
static void notify_skipped_functions(IrUnit *u, const char *cwd, bool verbose, NoteVec *notes, StrVec *texts)
{
    if (u->parse_failed || !u->has_errors) return;
    int n = 0;
    char *names = ir_unit_skipped_functions(u, &n);
    if (n > 0) {
        char *msg = xasprintf("%d function%s not analysed (parse errors in %s body): %s", n, n == 1 ? "" : "s",
                              n == 1 ? "its" : "their", names);
        VEC_PUSH(*texts, msg);
        ToolNotification note = {u->main_file, 0, 0, msg, false};
        VEC_PUSH(*notes, note);
        if (verbose) {
            char *shown = path_display(u->main_file, cwd, false);
            tool_warning(shown, 0, 0, "%s", msg);
            free(shown);
        }
    }
    free(names);
}

/* A function the depth limit cut short (a warning diagnostic of the parse
 * stage) was not analysed: said on stderr and in SARIF, and the run counts
 * as not clean (like a parse error: exit 2 without --keep-going). */
static void notify_truncations(IrUnit *u, const char *cwd, NoteVec *notes, bool *parse_error)
{
    for (int d = 0; d < u->n_diags; d++) {
        if (u->diags[d].is_error) continue;
        const char *file = u->diags[d].file ? u->diags[d].file : u->main_file;
        char *shown_path = path_display(file, cwd, false);
        tool_warning(shown_path, u->diags[d].line, u->diags[d].col, "%s", u->diags[d].message);
        free(shown_path);
        ToolNotification n = {file, u->diags[d].line, u->diags[d].col, u->diags[d].message, false};
        VEC_PUSH(*notes, n);
        *parse_error = true;
    }
}

/* Parse errors go to stderr (files named relative to `cwd` when below it)
 * and into `notes` for SARIF's notifications. */
static void notify_parse_problems(IrUnit *u, const char *cwd, NoteVec *notes, bool *parse_error)
{
    notify_truncations(u, cwd, notes, parse_error);
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
        printf("%-12s %s%s\n", builtin_packs[i].name, p.description ? p.description : "",
               p.used_by_default ? "" : " (off unless named)");
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

/* --dump-cfg prints names and literals of the source: one escaped line
 * per line of the dump. */
static void print_escaped_lines(const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, n);
        char *safe = escape_controls(line);
        fputs(safe, stdout);
        if (nl) fputc('\n', stdout);
        free(safe);
        free(line);
        p += n + (nl ? 1 : 0);
    }
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
        print_escaped_lines(text);
        free(text);
        printed++;
    }
    return printed;
}

/* What the parse of each file reads besides the file: the packs' noreturn
 * names; its time and memory limits: the command line's, else the
 * configuration's, else the defaults. */
static ParseLimits parse_limits(const Options *o, const Config *cfg, const PackSet *packs)
{
    ParseLimits l;
    l.noreturn.always = packset_noreturn_names(packs, false);
    l.noreturn.system_only = packset_noreturn_names(packs, true);
    l.timeout_seconds = o->parse_timeout >= 0    ? o->parse_timeout
                        : cfg->has_parse_timeout ? cfg->parse_timeout
                                                 : PARSE_DEFAULT_TIMEOUT_SECONDS;
    l.memory_mib = o->parse_memory_limit >= 0         ? o->parse_memory_limit
                   : cfg->has_parse_memory_limit ? cfg->parse_memory_limit
                                                 : PARSE_DEFAULT_MEMORY_MIB;
    return l;
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
    ParseLimits limits = parse_limits(o, cfg, packs);
    IrUnit *u = parse_unit_isolated(&limits, abs, (const char *const *)args, n);
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
    FileList files;            /* discover → parse: the files to check and the
                                  other files of the project */
    bool *checked;             /* files.files[i] is to be checked (given, and in
                                  this --shard); the others lend their summaries */
    int n_checked;
    int n_project_only;        /* files of the project that were not given */
    CacheSession *cache;       /* NULL: no cache */
    bool attributes;           /* packs derived from the sources' attributes */
    DerivedPack derived;
    int n_parsed;              /* files parsed rather than taken from the cache */
    bool prefilter;            /* parse only the files that can matter */
    bool *skipped;             /* files.files[i] was not reached by the pre-filter:
                                  units[i] is an empty unit, nothing checked */
    int n_skipped;
    IrUnit **units;            /* parse → summarise, check, filter */
    NoteVec notes;             /* parse problems, for SARIF's notifications */
    StrVec note_texts;         /* messages of notes made here, freed at the end */
    SummaryTable *summaries;   /* summarise → check */
    SummaryBuildStats summary_stats;
    int summaries_cached;      /* functions whose summary came from the cache */
    FindingList findings;      /* check → filter → report */
    double seconds[3];         /* --verbose: parse (with derive), summaries, checks */
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
    r->attributes = r->o->attributes || r->cfg.attributes;
    const char *db_path = r->o->compile_commands ? r->o->compile_commands : r->cfg.compile_commands;
    if (!db_path) return true;
    r->db = compile_db_load(db_path);
    return r->db != NULL;
}

/* Rule packs: the config's, then --rules; with neither, every built-in pack
 * that is on by default ("default": false packs only when named). The
 * library pack (libc) always, unless one of that name is loaded already (a
 * user's own replaces it). */
static bool load_packs(Run *r)
{
    const Config *cfg = &r->cfg;
    const Options *o = r->o;
    bool ok = true;
    for (int i = 0; ok && i < cfg->n_rules; i++) ok = packset_load(&r->packs, cfg->rules[i]);
    for (int i = 0; ok && i < o->n_rules; i++) ok = packset_load(&r->packs, o->rules[i]);
    if (ok && cfg->n_rules == 0 && o->n_rules == 0) ok = packset_load_defaults(&r->packs);
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

/* The given files, less those of other shards, are checked; the rest of
 * the project's files (and, when sharding, the other shards' files) are
 * parsed or taken from the cache for their summaries only. */
static void stage_discover(Run *r)
{
    const Options *o = r->o;
    StrVec excludes = absolute_patterns(r->cfg.exclude, r->cfg.n_exclude, o->exclude, o->n_exclude, r->cwd);
    char *default_path[] = {"."};
    FileList given = {0}, project = {0};
    bool discovered = discover_files(o->n_paths ? o->paths : default_path, o->n_paths ? o->n_paths : 1,
                                     excludes.items, excludes.len, &given);
    r->io_error = !discovered || given.n_errors > 0;
    if (!o->no_project) project_files(&r->cfg, r->db, excludes.items, excludes.len, &project);
    filelist_union(&given, &project, &r->files, &r->checked);
    bool *in_shard = xcalloc((size_t)given.n_files + 1, sizeof(bool));
    if (o->shard_n > 0) {
        long long *sizes = shard_file_sizes(given.files, given.n_files);
        shard_select(given.files, sizes, given.n_files, o->shard_k, o->shard_n, in_shard);
        free(sizes);
    }
    /* given and r->files are both sorted: walk them together */
    for (int i = 0, g = 0; i < r->files.n_files; i++) {
        if (!r->checked[i]) {
            r->n_project_only++;
            continue;
        }
        while (g < given.n_files && strcmp(given.files[g], r->files.files[i]) != 0) g++;
        if (o->shard_n > 0 && g < given.n_files && !in_shard[g]) r->checked[i] = false;
        if (r->checked[i]) r->n_checked++;
    }
    free(in_shard);
    filelist_free(&given);
    filelist_free(&project);
    strvec_free(&excludes);
}

/* --cache-dir, else the config's cache_dir, else the default folder of
 * the project (the configuration's folder); none with --no-cache. */
static void open_cache(Run *r)
{
    if (r->o->no_cache) return;
    char *dir = r->o->cache_dir ? path_normalize(r->o->cache_dir, r->cwd)
                : r->cfg.cache_dir ? xstrdup(r->cfg.cache_dir)
                                   : cache_default_dir(r->cfg.dir);
    if (!dir) return;
    /* the IR depends on the libclang in use and on connlint's own code: a
     * rebuilt connlint with the same version number must not trust what
     * the previous build stored, so the executable's content is in the key */
    char *libclang = parse_libclang_version();
    size_t exe_len = 0;
    char *exe = read_file_all("/proc/self/exe", &exe_len);
    char exe_hash[SHA256_HEX_LEN + 1] = "";
    if (exe) sha256_hex_of(exe, exe_len, exe_hash);
    free(exe);
    /* the parse reads the packs' noreturn names (a user's libc pack may
     * change them): they are part of what a unit entry depends on */
    Sha256 nr;
    sha256_init(&nr);
    for (int p = 0; p < r->packs.n_packs; p++) {
        const LibraryKnowledge *lib = &r->packs.packs[p].lib;
        for (int i = 0; i < lib->n_noreturn; i++) {
            sha256_update_str(&nr, lib->noreturn[i].name);
            sha256_update_str(&nr, lib->noreturn[i].system_header_only ? "S" : "A");
        }
    }
    char nr_hex[SHA256_HEX_LEN + 1];
    sha256_final_hex(&nr, nr_hex);
    /* with attributes on, units also record the allocator attributes */
    char *clang = xasprintf("%s|%s|%s|attributes=%d", libclang, exe_hash, nr_hex, r->attributes ? 1 : 0);
    free(libclang);
    /* what configures the checks: the packs (their resources, by content)
     * and the handler globs */
    Sha256 h;
    sha256_init(&h);
    for (int p = 0; p < r->packs.n_packs; p++) {
        const RulePack *pack = &r->packs.packs[p];
        sha256_update_str(&h, pack->source);
        size_t len = 0;
        char *text = strncmp(pack->source, "<built-in>/", 11) == 0 ? NULL : read_file_all(pack->source, &len);
        if (text) sha256_update(&h, text, len);
        free(text);
    }
    StrVec handlers = absolute_patterns(r->cfg.handlers, r->cfg.n_handlers, r->o->handlers, r->o->n_handlers, r->cwd);
    for (int i = 0; i < handlers.len; i++) sha256_update_str(&h, handlers.items[i]);
    /* levels can turn checks on (CheckEntry.enabled reads the config) */
    for (int i = 0; i < r->cfg.n_levels; i++) {
        sha256_update_str(&h, r->cfg.levels[i].rule);
        sha256_update_str(&h, level_name(r->cfg.levels[i].level));
    }
    strvec_free(&handlers);
    char check_salt[SHA256_HEX_LEN + 1];
    sha256_final_hex(&h, check_salt);
    r->cache = cache_session_new(dir, clang, check_salt);
    if (r->cache) cache_session_reserve(r->cache, r->files.n_files);
    free(clang);
    free(dir);
}

/* The summaries the run would compute on the parsed units so far, for the
 * pre-filter: on copies (the values stage rewrites the IR it is given). */
static void prefilter_learn_from(Run *r, Prefilter *pf)
{
    int n_files = r->files.n_files;
    IrUnit **copies = xcalloc((size_t)(n_files ? n_files : 1), sizeof(IrUnit *));
    int n = 0;
    for (int i = 0; i < n_files; i++) {
        if (!r->units[i]) continue;
        ByteBuf buf = {0};
        ir_unit_encode(&buf, r->units[i]);
        ByteReader rd;
        reader_init(&rd, buf.data, buf.len);
        IrUnit *copy = ir_unit_decode(&rd);
        bytes_free(&buf);
        if (!copy) {
            prefilter_reach_all(pf); /* the summaries would miss it: parse everything */
            continue;
        }
        copies[n++] = copy;
    }
    values_fold_constants(copies, n);
    values_follow_local_pointers(copies, n);
    values_fold_null_locals(copies, n);
    values_merge_union_members(copies, n);
    values_resolve_fn_pointers(copies, n);
    noreturn_refine(copies, n);
    SummaryTable *t = summaries_build(copies, n, &r->packs);
    prefilter_learn(pf, r->units, t);
    summaries_free(t);
    for (int i = 0; i < n; i++) ir_unit_free(copies[i]);
    free(copies);
}

/* The pre-filter (prefilter/prefilter.h): parse what the text reaches, learn
 * from it, until nothing new is reached; the files never reached get an
 * empty unit and are marked skipped. */
static void parse_reached(Run *r, ParseJob *job)
{
    int n_files = r->files.n_files;
    char ***args = xcalloc((size_t)(n_files ? n_files : 1), sizeof(char **));
    int *nargs = xcalloc((size_t)(n_files ? n_files : 1), sizeof(int));
    for (int i = 0; i < n_files; i++) args[i] = file_args(job, r->files.files[i], &nargs[i]);
    TextIndex *text = textindex_build(r->files.files, n_files, args, nargs, r->cwd);
    for (int i = 0; i < n_files; i++) {
        for (int k = 0; k < nargs[i]; k++) free(args[i][k]);
        free(args[i]);
    }
    free(args);
    free(nargs);
    CheckContext cctx = {.packs = &r->packs, .config = &r->cfg};
    Prefilter *pf = prefilter_new(text, n_files, &r->packs, check_global_handles_enabled(&cctx));
    int *todo = xcalloc((size_t)(n_files ? n_files : 1), sizeof(int));
    for (;;) {
        int n = prefilter_pending(pf, r->units, todo);
        if (n == 0) break;
        job->todo = todo;
        job->n_todo = n;
        parse_all(job, r->o->jobs);
        prefilter_learn_from(r, pf);
    }
    r->skipped = xcalloc((size_t)(n_files ? n_files : 1), sizeof(bool));
    for (int i = 0; i < n_files; i++) {
        if (prefilter_reached(pf, i)) continue;
        r->skipped[i] = true;
        r->n_skipped++;
        r->units[i] = ir_unit_new(r->files.files[i]);
    }
    free(todo);
    prefilter_free(pf);
    textindex_free(text);
}

/* The pre-filter is on unless turned off, or the run needs every file:
 * derived packs read every file's attributes, --emit-summary and
 * --report-unused-suppressions report on every checked file. */
static bool prefilter_wanted(const Run *r)
{
    const Options *o = r->o;
    return !o->no_prefilter && !r->cfg.no_prefilter && !r->attributes && !o->emit_summary &&
           !o->report_unused_suppressions;
}

static void stage_parse(Run *r)
{
    int n_files = r->files.n_files;
    StrVec extra = extra_clang_args(r->o, &r->cfg);
    ParseJob job = {.files = r->files.files, .n_files = n_files, .db = r->db, .cache = r->cache};
    job.limits = parse_limits(r->o, &r->cfg, &r->packs);
    job.limits.attributes = r->attributes;
    job.units = r->units = xcalloc((size_t)(n_files ? n_files : 1), sizeof(IrUnit *));
    job.extra_args = extra.items;
    job.n_extra_args = extra.len;
    job.progress = isatty(STDERR_FILENO) && getenv("CI") == NULL;
    r->prefilter = prefilter_wanted(r);
    if (r->prefilter) {
        parse_reached(r, &job);
    } else {
        int *all = xcalloc((size_t)(n_files ? n_files : 1), sizeof(int));
        for (int i = 0; i < n_files; i++) all[i] = i;
        job.todo = all;
        job.n_todo = n_files;
        parse_all(&job, r->o->jobs);
        free(all);
    }
    r->n_parsed = job.parsed;
    VEC_FREE(extra);
    /* the problems of the files checked; a project file that does not
     * parse only lends no summaries, as in a whole-tree run */
    IrUnit **checked_units = xcalloc(n_files ? n_files : 1, sizeof *checked_units);
    int n_checked_units = 0;
    for (int i = 0; i < n_files; i++) {
        if (!r->checked[i]) continue;
        checked_units[n_checked_units++] = r->units[i];
        notify_parse_problems(r->units[i], r->cwd, &r->notes, &r->parse_error);
        notify_skipped_functions(r->units[i], r->cwd, r->o->verbose, &r->notes, &r->note_texts);
    }
    if (r->o->verbose) {
        IrCoverage c = ir_coverage(checked_units, n_checked_units);
        fprintf(stderr,
                "connlint: %d function%s analysed; skipped: %d with parse errors in the body, "
                "%d nested too deeply; %d file%s not parsed\n",
                c.analysed, c.analysed == 1 ? "" : "s", c.skipped_errors, c.skipped_depth, c.files_not_parsed,
                c.files_not_parsed == 1 ? "" : "s");
    }
    free(checked_units);
}

/* With attributes on, the pack derived from the allocator attributes of
 * every parsed file (the project's other files included, so a one-file
 * run derives what a whole-tree run does) joins the packs; the result
 * entries of the cache depend on it. False when the set rejects it. */
static bool stage_derive_packs(Run *r)
{
    if (!r->attributes) return true;
    derived_pack_build(r->units, r->files.n_files, &r->packs, r->cwd, &r->derived);
    if (!derived_pack_add(&r->derived, &r->packs)) return false;
    cache_session_add_check_salt(r->cache, r->derived.json ? r->derived.json : "");
    return true;
}

/* -j, or one thread per processor. */
static int run_jobs(const Run *r)
{
    return r->o->jobs < 1 ? default_jobs() : r->o->jobs;
}

/* First the calls that never return although nothing declares it (a
 * project's die()), then what functions do to resources. */
static void stage_summarise(Run *r)
{
    values_fold_constants(r->units, r->files.n_files);
    values_follow_local_pointers(r->units, r->files.n_files);
    values_fold_null_locals(r->units, r->files.n_files);
    values_merge_union_members(r->units, r->files.n_files);
    values_resolve_fn_pointers(r->units, r->files.n_files);
    noreturn_refine(r->units, r->files.n_files);
    if (!r->cache) {
        r->summaries = summaries_build_with(r->units, r->files.n_files, &r->packs, NULL, run_jobs(r), &r->summary_stats);
        return;
    }
    /* from the cache where a component's inputs are unchanged */
    SummaryCache *sc = summary_cache_new(r->cache, &r->packs, r->files.n_files);
    SummaryHooks hooks = summary_cache_hooks(sc);
    r->summaries = summaries_build_with(r->units, r->files.n_files, &r->packs, &hooks, run_jobs(r), &r->summary_stats);
    summary_cache_store(sc, r->summaries);
    r->summaries_cached = summary_cache_hits(sc);
    summary_cache_free(sc);
}

/* --emit-summary FILE: the summaries of the checked files' functions. */
static bool emit_summaries(Run *r)
{
    if (!r->o->emit_summary) return true;
    char *srcroot = r->o->srcroot ? path_normalize(r->o->srcroot, r->cwd) : xstrdup(r->cwd);
    char *json = summary_export_json(r->units, r->files.n_files, r->checked, r->summaries, srcroot);
    bool ok = output_write_atomic(r->o->emit_summary, json, strlen(json));
    free(json);
    free(srcroot);
    return ok;
}

/* Whole-program rules read every unit of the project; of their findings,
 * those in the files checked are kept (and those in headers), so a subset
 * or a shard reports what the whole-tree run reports for its files. */
static void check_program(Run *r, const CheckContext *cctx)
{
    FindingList all = {0};
    checks_run_program(cctx, r->units, r->files.n_files, &all);
    for (int k = 0; k < all.len; k++) {
        Finding *f = &all.items[k];
        int owner = -1;
        for (int i = 0; f->loc.file && i < r->files.n_files && owner < 0; i++)
            if (r->units[i]->main_file && strcmp(r->units[i]->main_file, f->loc.file) == 0) owner = i;
        if (owner < 0 || r->checked[owner]) findings_add(&r->findings, f);
        else finding_free(f);
    }
    free(all.items);
}

/* The findings of a unit's own functions: from the cache when neither the
 * unit nor anything its checks read has changed, else checked (and
 * stored). */
static void check_unit_own(Run *r, const CheckContext *cctx, int i, FindingList *out)
{
    const IrUnit *u = r->units[i];
    char deps[SHA256_HEX_LEN + 1];
    if (r->cache && !u->parse_failed && !u->has_errors) {
        cache_deps_digest(u, r->summaries, deps);
        if (cache_session_load_results(r->cache, i, deps, out)) return;
    }
    int before = out->len;
    checks_run_own(cctx, u, out);
    if (r->cache && !u->parse_failed && !u->has_errors)
        cache_session_store_results(r->cache, i, deps, out->len > before ? out->items + before : NULL,
                                    out->len - before);
}

typedef struct {
    Run *r;
    const CheckContext *cctx;
} OwnChecks;

/* checks_run_files' `own`: check_unit_own (the result cache is thread-safe). */
static void check_own_task(void *arg, int i, FindingList *out)
{
    OwnChecks *oc = arg;
    check_unit_own(oc->r, oc->cctx, i, out);
}

/* The checked files on -j threads (src/checks/check_parallel.c: the
 * findings are those of -j1, in the same order), then the whole-program
 * rules. */
static void stage_check(Run *r)
{
    const Options *o = r->o;
    StrVec handlers = absolute_patterns(r->cfg.handlers, r->cfg.n_handlers, o->handlers, o->n_handlers, r->cwd);
    CheckContext cctx = {&r->packs, r->summaries, handlers.items, handlers.len, &r->cfg};
    int *files = xcalloc((size_t)r->files.n_files + 1, sizeof(int)), n = 0;
    for (int i = 0; i < r->files.n_files; i++)
        if (r->checked[i] && !(r->skipped && r->skipped[i])) files[n++] = i; /* a skipped file has no finding */
    OwnChecks oc = {r, &cctx};
    checks_run_files(&cctx, r->units, files, n, run_jobs(r), check_own_task, &oc, &r->findings);
    free(files);
    check_program(r, &cctx);
    strvec_free(&handlers);
}

/* Suppression comments of every file that parsed, applied; unused ones
 * become findings of their own. */
static void apply_suppressions(Run *r)
{
    StrVec parsed = {0};
    for (int i = 0; i < r->files.n_files; i++)
        if (r->checked[i] && !r->units[i]->parse_failed) VEC_PUSH(parsed, r->files.files[i]);
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

/* Issue 13: `-o x.c`, `-o .connlint.json` or `--write-baseline pack.json`
 * must not replace what the run reads. */
static bool outputs_spare_inputs(const Run *r)
{
    VEC(const char *) inputs = {0};
    for (int i = 0; i < r->files.n_files; i++) VEC_PUSH(inputs, r->files.files[i]);
    if (r->cfg.path) VEC_PUSH(inputs, r->cfg.path);
    for (int i = 0; i < r->packs.n_packs; i++) VEC_PUSH(inputs, r->packs.packs[i].source);
    const char *db_path = r->o->compile_commands ? r->o->compile_commands : r->cfg.compile_commands;
    char *db_file = db_path ? xasprintf("%s/compile_commands.json", db_path) : NULL;
    if (db_path) VEC_PUSH(inputs, db_path);
    if (db_file) VEC_PUSH(inputs, db_file);
    bool ok = true;
    if (r->o->output) ok = output_target_allowed(r->o->output, inputs.items, inputs.len);
    if (ok && r->o->write_baseline) ok = output_target_allowed(r->o->write_baseline, inputs.items, inputs.len);
    free(db_file);
    VEC_FREE(inputs);
    return ok;
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
    rctx.n_files = r->n_checked;
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
    for (int i = 0; i < r->note_texts.len; i++) free(r->note_texts.items[i]);
    VEC_FREE(r->note_texts);
    for (int i = 0; r->units && i < r->files.n_files; i++) ir_unit_free(r->units[i]);
    free(r->units);
    filelist_free(&r->files);
    free(r->checked);
    free(r->skipped);
    cache_session_free(r->cache);
    derived_pack_free(&r->derived);
    packset_free(&r->packs);
    compile_db_free(r->db);
    if (r->cfg_loaded) config_free(&r->cfg);
}

/* --verbose: what was checked, what only lent summaries, what came from
 * the cache. */
static void report_progress(const Run *r, double seconds)
{
    fprintf(stderr, "connlint: %d files checked, %d more files of the project for their summaries\n",
            r->n_checked, r->n_project_only);
    if (r->prefilter)
        fprintf(stderr, "connlint: pre-filter: %d of %d files reached, %d skipped\n", r->files.n_files - r->n_skipped,
                r->files.n_files, r->n_skipped);
    else
        fprintf(stderr, "connlint: pre-filter off: every file parsed\n");
    fprintf(stderr, "connlint: %d files parsed in %.2f s (parse, summaries and checks)\n", r->n_parsed, seconds);
    fprintf(stderr, "connlint: %.2f s parse, %.2f s summaries, %.2f s checks\n", r->seconds[0], r->seconds[1],
            r->seconds[2]);
    if (!r->cache) {
        fprintf(stderr, "connlint: cache off\n");
        return;
    }
    CacheStats st = cache_session_stats(r->cache);
    fprintf(stderr, "connlint: cache %s: units %d from cache, %d new, %d rebuilt; results %d from cache, %d new, %d rebuilt\n",
            cache_session_dir(r->cache), st.unit_hits, st.unit_misses, st.unit_invalid, st.result_hits,
            st.result_misses, st.result_invalid);
    fprintf(stderr, "connlint: summaries: %d functions from cache, %d computations (%d entries rebuilt)\n",
            r->summaries_cached, r->summary_stats.computed, st.summary_invalid);
}

/* --list-packs with attributes on: the pack derived from PATHs (and the
 * project's other files), after the built-in packs. */
static int list_derived_packs(Run *r)
{
    if (!r->attributes) return 0;
    stage_discover(r);
    open_cache(r);
    stage_parse(r);
    bool ok = stage_derive_packs(r);
    printf("%s", r->derived.listing ? r->derived.listing : "");
    return ok && !r->io_error ? 0 : 2;
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
    } else if (o->action == ACTION_LIST_PACKS) {
        status = list_derived_packs(&r);
    } else {
        stage_discover(&r);
        if (!outputs_spare_inputs(&r)) {
            run_free(&r);
            return 2;
        }
        open_cache(&r);
        double t0 = now_seconds();
        stage_parse(&r);
        if (!stage_derive_packs(&r)) {
            run_free(&r);
            return 2;
        }
        double t1 = now_seconds();
        stage_summarise(&r);
        double t2 = now_seconds();
        if (!emit_summaries(&r)) r.io_error = true;
        stage_check(&r);
        r.seconds[0] = t1 - t0, r.seconds[1] = t2 - t1, r.seconds[2] = now_seconds() - t2;
        if (o->verbose) report_progress(&r, now_seconds() - t0);
        stage_filter(&r);
        bool written = stage_report(&r);
        status = exit_status(&r, written);
    }
    run_free(&r);
    return status;
}

/* A closed standard stream would be reused by the next open(): the report
 * could land in a temporary file. A closed stdout becomes /dev/full, so
 * that writing the output fails (exit 2) instead of vanishing; a closed
 * stdin or stderr becomes /dev/null. */
static void reopen_closed_std_streams(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int nfd = open(fd == 1 ? "/dev/full" : "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (nfd < 0 && fd == 1) nfd = open("/dev/null", O_WRONLY);
        if (nfd >= 0 && nfd != fd) {
            dup2(nfd, fd);
            close(nfd);
        }
    }
}

/* Every action's output is checked: a full disk, /dev/full or a closed
 * stdout gives exit 2, never a silent 0. */
static int finish_stdout(int status)
{
    bool failed = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !failed) {
        failed = true;
        err = errno;
    }
    if (!failed) return status;
    tool_error(NULL, 0, 0, "cannot write to standard output: %s", strerror(err));
    return 2;
}

int main(int argc, char **argv)
{
    int worker = parse_worker_main_if_asked(argc, argv);
    if (worker >= 0) return worker;
    reopen_closed_std_streams();
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
    case ACTION_LIST_PACKS:
        st = list_packs();
        if (st == 0) st = run(&o); /* with attributes on, the derived pack */
        break;
    case ACTION_INIT: st = init_write_config(o.paths, o.n_paths); break;
    case ACTION_EXPLAIN: st = explain_rule(o.explain_rule); break;
    case ACTION_MERGE: st = sarif_merge_files(o.paths, o.n_paths, o.output); break;
    case ACTION_DUMP_CFG:
    case ACTION_RUN: st = run(&o); break;
    }
    options_free(&o);
    return finish_stdout(st);
}
