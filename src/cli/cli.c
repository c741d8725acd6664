/* cli.c — the command line (SPEC §2) parsed into Options. Long options take
 * `--opt value` or `--opt=value`; short ones `-p DIR` or `-pDIR`; `--` ends
 * the options and hands the rest to the compiler. A usage error prints one
 * line plus a pointer to --help and gives 2. Does not read files, does not
 * check that paths exist and does not know rule ids (main does). */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/shard.h"
#include "cli/glob.h"
#include "common/util.h"
#include "common/version.h"

typedef enum {
    OPT_CONFIG, OPT_RULES, OPT_HANDLERS, OPT_EXCLUDE, OPT_COMPILE_COMMANDS, OPT_FORMAT,
    OPT_OUTPUT, OPT_JOBS, OPT_SRCROOT, OPT_BASELINE, OPT_WRITE_BASELINE, OPT_FAIL_ON,
    OPT_KEEP_GOING, OPT_LIST_RULES, OPT_LIST_PACKS, OPT_EXPLAIN, OPT_VERSION, OPT_HELP,
    OPT_DUMP_CFG, OPT_REPORT_UNUSED, OPT_CATEGORY, OPT_CACHE_DIR, OPT_NO_CACHE, OPT_NO_PROJECT, OPT_NO_PREFILTER, OPT_ATTRIBUTES,
    OPT_SHARD, OPT_EMIT_SUMMARY, OPT_VERBOSE, OPT_INIT, OPT_PARSE_TIMEOUT, OPT_PARSE_MEMORY,
} OptId;

typedef struct {
    const char *long_name;
    char short_name;  /* 0: none */
    bool takes_value;
    OptId id;
} OptDef;

static const OptDef opt_defs[] = {
    {"config", 0, true, OPT_CONFIG},
    {"rules", 0, true, OPT_RULES},
    {"handlers", 0, true, OPT_HANDLERS},
    {"exclude", 0, true, OPT_EXCLUDE},
    {"compile-commands", 'p', true, OPT_COMPILE_COMMANDS},
    {"format", 0, true, OPT_FORMAT},
    {"output", 'o', true, OPT_OUTPUT},
    {"jobs", 'j', true, OPT_JOBS},
    {"srcroot", 0, true, OPT_SRCROOT},
    {"baseline", 0, true, OPT_BASELINE},
    {"write-baseline", 0, true, OPT_WRITE_BASELINE},
    {"fail-on", 0, true, OPT_FAIL_ON},
    {"keep-going", 0, false, OPT_KEEP_GOING},
    {"list-rules", 0, false, OPT_LIST_RULES},
    {"list-packs", 0, false, OPT_LIST_PACKS},
    {"explain", 0, true, OPT_EXPLAIN},
    {"version", 0, false, OPT_VERSION},
    {"help", 'h', false, OPT_HELP},
    {"dump-cfg", 0, true, OPT_DUMP_CFG},
    {"report-unused-suppressions", 0, false, OPT_REPORT_UNUSED},
    {"category", 0, true, OPT_CATEGORY},
    {"cache-dir", 0, true, OPT_CACHE_DIR},
    {"no-cache", 0, false, OPT_NO_CACHE},
    {"no-project", 0, false, OPT_NO_PROJECT},
    {"no-prefilter", 0, false, OPT_NO_PREFILTER},
    {"attributes", 0, false, OPT_ATTRIBUTES},
    {"shard", 0, true, OPT_SHARD},
    {"emit-summary", 0, true, OPT_EMIT_SUMMARY},
    {"verbose", 'v', false, OPT_VERBOSE},
    {"init", 0, false, OPT_INIT},
    {"parse-timeout", 0, true, OPT_PARSE_TIMEOUT},
    {"parse-memory-limit", 0, true, OPT_PARSE_MEMORY},
};
#define N_OPTS ((int)(sizeof opt_defs / sizeof opt_defs[0]))

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fputs("connlint: error: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputs("\nTry 'connlint --help' for more information.\n", stderr);
    return 2;
}

static void push_string(char ***arr, int *n, const char *s)
{
    *arr = xrealloc(*arr, (size_t)(*n + 1) * sizeof(char *));
    (*arr)[(*n)++] = xstrdup(s);
}

static void set_string(char **slot, const char *s)
{
    free(*slot);
    *slot = xstrdup(s);
}

static bool parse_format(const char *s, OutputFormat *out)
{
    static const struct { const char *name; OutputFormat f; } names[] = {
        {"text", FORMAT_TEXT}, {"sarif", FORMAT_SARIF}, {"github", FORMAT_GITHUB}, {"json", FORMAT_JSON},
        {"codeclimate", FORMAT_CODECLIMATE}, {"checkstyle", FORMAT_CHECKSTYLE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].f;
            return true;
        }
    }
    return false;
}

static bool parse_jobs(const char *s, int *out)
{
    if (*s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 4096) return false;
    *out = (int)v;
    return true;
}

/* A non-negative integer up to `max` (0 = no limit); for the parse limits. */
static bool parse_limit(const char *s, long max, int *out)
{
    if (*s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > max) return false;
    *out = (int)v;
    return true;
}

/* `--exclude ''` would skip the whole tree and `--handlers ''` make every
 * file a handler: such patterns (relative to the cwd) are usage errors. */
static bool pattern_matches_everything(const char *v, bool is_exclude)
{
    char *cwd = path_normalize(".", NULL);
    bool all = glob_pattern_matches_everything(v, cwd, is_exclude);
    free(cwd);
    return all;
}

static void set_action(Options *o, CliAction a)
{
    /* --help and --version win over everything; otherwise the first one given */
    if (a == ACTION_HELP || (a == ACTION_VERSION && o->action != ACTION_HELP) ||
        o->action == ACTION_RUN)
        o->action = a;
}

/* Applies one option; returns 0 or 2 (message printed). */
static int apply_option(Options *o, const OptDef *d, const char *v, const char *spelled)
{
    switch (d->id) {
    case OPT_CONFIG: set_string(&o->config, v); break;
    case OPT_RULES: push_string(&o->rules, &o->n_rules, v); break;
    case OPT_HANDLERS:
    case OPT_EXCLUDE:
        if (pattern_matches_everything(v, d->id == OPT_EXCLUDE))
            return usage_error("%s '%s' matches every file (an empty or match-all pattern)", spelled, v);
        if (d->id == OPT_HANDLERS) push_string(&o->handlers, &o->n_handlers, v);
        else push_string(&o->exclude, &o->n_exclude, v);
        break;
    case OPT_COMPILE_COMMANDS: set_string(&o->compile_commands, v); break;
    case OPT_FORMAT:
        if (!parse_format(v, &o->format))
            return usage_error("invalid value '%s' for %s (expected text, sarif, github, json, codeclimate or checkstyle)", v, spelled);
        break;
    case OPT_OUTPUT: set_string(&o->output, v); break;
    case OPT_JOBS:
        if (!parse_jobs(v, &o->jobs))
            return usage_error("invalid number '%s' for %s (expected a positive integer)", v, spelled);
        break;
    case OPT_SRCROOT: set_string(&o->srcroot, v); break;
    case OPT_BASELINE: set_string(&o->baseline, v); break;
    case OPT_WRITE_BASELINE: set_string(&o->write_baseline, v); break;
    case OPT_FAIL_ON:
        if (!level_parse(v, &o->fail_on))
            return usage_error("invalid value '%s' for %s (expected error, warning, note or none)", v, spelled);
        break;
    case OPT_KEEP_GOING: o->keep_going = true; break;
    case OPT_VERBOSE: o->verbose = true; break;
    case OPT_LIST_RULES: set_action(o, ACTION_LIST_RULES); break;
    case OPT_LIST_PACKS: set_action(o, ACTION_LIST_PACKS); break;
    case OPT_INIT: set_action(o, ACTION_INIT); break;
    case OPT_EXPLAIN:
        set_string(&o->explain_rule, v);
        set_action(o, ACTION_EXPLAIN);
        break;
    case OPT_VERSION: set_action(o, ACTION_VERSION); break;
    case OPT_HELP: set_action(o, ACTION_HELP); break;
    case OPT_DUMP_CFG:
        set_string(&o->dump_cfg, v);
        set_action(o, ACTION_DUMP_CFG);
        break;
    case OPT_REPORT_UNUSED: o->report_unused_suppressions = true; break;
    case OPT_CATEGORY: set_string(&o->category, v); break;
    case OPT_CACHE_DIR: set_string(&o->cache_dir, v); break;
    case OPT_NO_CACHE: o->no_cache = true; break;
    case OPT_NO_PROJECT: o->no_project = true; break;
    case OPT_NO_PREFILTER: o->no_prefilter = true; break;
    case OPT_ATTRIBUTES: o->attributes = true; break;
    case OPT_SHARD:
        if (!shard_parse(v, &o->shard_k, &o->shard_n))
            return usage_error("invalid value '%s' for %s (expected K/N with 1 <= K <= N)", v, spelled);
        break;
    case OPT_EMIT_SUMMARY: set_string(&o->emit_summary, v); break;
    case OPT_PARSE_TIMEOUT:
        if (!parse_limit(v, PARSE_MAX_TIMEOUT_SECONDS, &o->parse_timeout))
            return usage_error("invalid value '%s' for %s (expected seconds, 0 for no limit)", v, spelled);
        break;
    case OPT_PARSE_MEMORY:
        if (!parse_limit(v, PARSE_MAX_MEMORY_MIB, &o->parse_memory_limit) ||
            (o->parse_memory_limit > 0 && o->parse_memory_limit < PARSE_MIN_MEMORY_MIB))
            return usage_error("invalid value '%s' for %s (expected MiB, at least 256, or 0 for no limit)", v, spelled);
        break;
    }
    return 0;
}

static const OptDef *find_long(const char *name, size_t len)
{
    for (int i = 0; i < N_OPTS; i++)
        if (strlen(opt_defs[i].long_name) == len && strncmp(opt_defs[i].long_name, name, len) == 0)
            return &opt_defs[i];
    return NULL;
}

static const OptDef *find_short(char c)
{
    for (int i = 0; i < N_OPTS; i++)
        if (opt_defs[i].short_name == c) return &opt_defs[i];
    return NULL;
}

/* `--name`, `--name=value` or `--name value`; *i is advanced past a value. */
static int parse_long(Options *o, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const OptDef *d = find_long(arg, len);
    char spelled[80];
    snprintf(spelled, sizeof spelled, "--%.*s", (int)(len < 60 ? len : 60), arg);
    if (!d) return usage_error("unrecognized option '%s'%s", spelled, "");
    if (!d->takes_value) {
        if (eq) return usage_error("option '%s' takes no value%s", spelled, "");
        return apply_option(o, d, NULL, spelled);
    }
    if (eq) return apply_option(o, d, eq + 1, spelled);
    if (*i + 1 >= argc) return usage_error("option '%s' requires a value%s", spelled, "");
    return apply_option(o, d, argv[++*i], spelled);
}

/* `-p DIR`, `-pDIR`, `-j4`, `-h`. */
static int parse_short(Options *o, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const OptDef *d = find_short(arg[1]);
    char spelled[3] = {'-', arg[1], '\0'};
    if (!d) return usage_error("unrecognized option '%s'%s", arg, "");
    if (!d->takes_value) {
        if (arg[2]) return usage_error("unrecognized option '%s'%s", arg, "");
        return apply_option(o, d, NULL, spelled);
    }
    if (arg[2]) return apply_option(o, d, arg + 2, spelled);
    if (*i + 1 >= argc) return usage_error("option '%s' requires a value%s", spelled, "");
    return apply_option(o, d, argv[++*i], spelled);
}

/* `connlint merge A.sarif B.sarif ... [-o OUT]`: the SARIF files of the
 * shards of one run (--shard) into one. */
static int parse_merge(int argc, char **argv, Options *out)
{
    out->action = ACTION_MERGE;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) return usage_error("option '%s' requires a value%s", a, "");
            set_string(&out->output, argv[++i]);
        } else if (strncmp(a, "--output=", 9) == 0) {
            set_string(&out->output, a + 9);
        } else if (strncmp(a, "-o", 2) == 0 && a[2]) {
            set_string(&out->output, a + 2);
        } else if (a[0] == '-' && a[1]) {
            return usage_error("merge: unrecognized option '%s'%s", a, "");
        } else {
            push_string(&out->paths, &out->n_paths, a);
        }
    }
    if (out->n_paths == 0) return usage_error("merge: give the SARIF files of the shards%s%s", "", "");
    return 0;
}

int cli_parse(int argc, char **argv, Options *out)
{
    memset(out, 0, sizeof *out);
    out->action = ACTION_RUN;
    out->format = FORMAT_TEXT;
    out->fail_on = LEVEL_WARNING;
    out->jobs = 0;
    out->parse_timeout = -1;
    out->parse_memory_limit = -1;
    if (argc > 1 && strcmp(argv[1], "merge") == 0) {
        int st = parse_merge(argc, argv, out);
        if (st != 0) options_free(out);
        return st;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int st = 0;
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) push_string(&out->clang_args, &out->n_clang_args, argv[i]);
            break;
        } else if (a[0] == '-' && a[1] == '-') {
            st = parse_long(out, argc, argv, &i);
        } else if (a[0] == '-' && a[1] != '\0') {
            st = parse_short(out, argc, argv, &i);
        } else {
            push_string(&out->paths, &out->n_paths, a);
        }
        if (st != 0) {
            options_free(out);
            return st;
        }
    }
    return 0;
}

static const char help_text[] =
    "Usage: connlint [OPTIONS] [PATH...]\n"
    "\n"
    "Finds database connections and other resources that C code acquires and\n"
    "does not release on some path, releases twice or uses after release, and\n"
    "per-request connections opened outside the designated handler files.\n"
    "\n"
    "PATH is a file or a directory (searched recursively for *.c; headers are\n"
    "analysed through the files that include them). Default: the current\n"
    "directory.\n"
    "\n"
    "Rules and configuration:\n"
    "  --config FILE            project configuration (default: the nearest\n"
    "                           .connlint.json in the current directory or above)\n"
    "  --rules FILE_OR_NAME     add a rule pack: a JSON file or a built-in pack\n"
    "                           name (see --list-packs); repeatable. Without any\n"
    "                           pack from the configuration or the command line,\n"
    "                           every built-in pack is used\n"
    "  --handlers GLOB          add a designated-handler glob (files where\n"
    "                           per-request acquires belong); repeatable\n"
    "  --exclude GLOB           skip matching files and folders; repeatable\n"
    "  -p, --compile-commands DIR_OR_FILE\n"
    "                           take per-file compiler flags from\n"
    "                           compile_commands.json (a folder holding it, or\n"
    "                           the file)\n"
    "  --attributes             also derive rule packs from the allocator pairs\n"
    "                           the sources declare (clang ownership_returns/\n"
    "                           takes/holds, GCC malloc(dealloc[, N])); see\n"
    "                           --list-packs\n"
    "  -- ARGS...               extra compiler arguments for every file\n"
    "                           (e.g. -- -Iinclude -DNDEBUG)\n"
    "\n"
    "Output:\n"
    "  --format FORMAT          text (default), sarif, github, json, codeclimate\n"
    "                           (GitLab Code Quality) or checkstyle (XML)\n"
    "  -o, --output FILE        write the report to FILE (whole or not at all)\n"
    "  --srcroot DIR            folder that SARIF's %SRCROOT% is (default: the\n"
    "                           current directory)\n"
    "  --category ID            SARIF automationDetails id (one per analysis\n"
    "                           when several upload to the same repository)\n"
    "  --baseline FILE          a SARIF file from an earlier run: results found\n"
    "                           in it are unchanged, not new, and do not fail\n"
    "  --write-baseline FILE    also write the results as SARIF to FILE, for a\n"
    "                           later --baseline\n"
    "  --fail-on LEVEL          lowest level that makes the exit status 1:\n"
    "                           error, warning (default), note or none\n"
    "  --report-unused-suppressions\n"
    "                           report suppression comments that match nothing\n"
    "                           (rule unused-suppression, level note)\n"
    "\n"
    "Running:\n"
    "  -j, --jobs N             parallel workers (default: number of cores)\n"
    "  --keep-going             a file that fails to parse is reported but does\n"
    "                           not by itself make the exit status 2\n"
    "  --parse-timeout SECONDS  give up parsing a file after SECONDS (default\n"
    "                           300; 0: no limit); the file is a parse failure\n"
    "  --parse-memory-limit MIB each file is parsed in a worker process that may\n"
    "                           grow by at most MIB of address space (default\n"
    "                           4096; 0: no limit); over it, a parse failure\n"
    "  --cache-dir DIR          keep the cache (parsed files, results) in DIR\n"
    "                           (default: $XDG_CACHE_HOME/connlint/<project>,\n"
    "                           or ~/.cache/connlint/<project>)\n"
    "  --no-cache               neither read nor write the cache\n"
    "  --no-project             use only the given files' functions for the\n"
    "                           summaries (by default, the summaries of every\n"
    "                           file of the project count, as in a whole-tree\n"
    "                           run)\n"
    "  --no-prefilter           parse every file (by default, files whose text\n"
    "                           shows they cannot change any finding are not\n"
    "                           parsed)\n"
    "  --shard K/N              check the K-th of N parts of the files (split\n"
    "                           by size, the same on every machine); merge\n"
    "                           the parts' SARIF with 'connlint merge'\n"
    "  --emit-summary FILE      write the summaries of the checked files'\n"
    "                           functions as JSON to FILE\n"
    "  -v, --verbose            say on standard error what was parsed, taken\n"
    "                           from the cache and checked, how many functions\n"
    "                           were analysed and which were skipped (parse\n"
    "                           errors, depth)\n"
    "\n"
    "Information:\n"
    "  --list-rules             print the rule ids and their descriptions\n"
    "  --list-packs [PATH...]   print the built-in rule packs; with --attributes\n"
    "                           (or \"attributes\": true) also the packs derived\n"
    "                           from the declarations of PATHs' sources\n"
    "  --init                   write a starter .connlint.json for the tree below the\n"
    "                           current directory (or PATHs): packs whose headers\n"
    "                           are included, handler folders, the compile database;\n"
    "                           never replaces an existing file\n"
    "  --explain RULE           print the full help of a rule\n"
    "  --dump-cfg FILE[:FUNCTION]\n"
    "                           print the control-flow graph connlint builds for\n"
    "                           the functions of FILE (or only FUNCTION)\n"
    "  -h, --help               print this help\n"
    "  --version                print the version\n"
    "\n"
    "Long options accept --option=value as well as --option value.\n"
    "\n"
    "Configuration:\n"
    "  Without --config, connlint looks for .connlint.json in the current\n"
    "  directory, then in each parent directory, and uses the first found:\n"
    "    {\"version\": 1, \"rules\": [\"libpq\", \"rules/our-db.json\"],\n"
    "     \"handlers\": [\"src/handlers/**\"], \"exclude\": [\"third_party/**\"],\n"
    "     \"compile_commands\": \"build\", \"clang_args\": [\"-Iinclude\"],\n"
    "     \"levels\": {\"double-release\": \"error\"}}\n"
    "  Paths and globs in it are relative to its folder; those given on the\n"
    "  command line are relative to the current directory. Globs: * within a\n"
    "  path segment, ** across segments, ? one character. Unknown keys are an\n"
    "  error.\n"
    "\n"
    "Suppressions:\n"
    "  // connlint-ignore[RULE] on the line of a finding or the line above it,\n"
    "  NOLINT(connlint-RULE), NOLINTNEXTLINE(connlint-RULE) and\n"
    "  NOLINTBEGIN(connlint-RULE) ... NOLINTEND(connlint-RULE).\n"
    "\n"
    "Exit status:\n"
    "  0  no finding at or above the --fail-on level\n"
    "  1  findings at or above the --fail-on level\n"
    "  2  usage, configuration or I/O error, or a file that did not parse\n"
    "     (unless --keep-going)\n"
    "\n"
    "Merging shards:\n"
    "  connlint merge A.sarif B.sarif ... [-o OUT.sarif]\n"
    "                           one SARIF log from the logs of --shard runs,\n"
    "                           equal to the log of an unsharded run\n"
    "\n"
    "Examples:\n"
    "  connlint src/\n"
    "  connlint --rules libpq --handlers 'src/handlers/**' src/\n"
    "  connlint -p build --format sarif -o connlint.sarif\n"
    "  connlint --format github --fail-on error .\n"
    "  connlint --explain connection-leak\n"
    "  connlint src/db.c -- -Iinclude -DNDEBUG\n"
    "\n"
    "Report bugs at " CONNLINT_INFORMATION_URI "/issues\n";

void cli_print_help(void)
{
    fputs(help_text, stdout);
}

static void free_strings(char **arr, int n)
{
    for (int i = 0; i < n; i++) free(arr[i]);
    free(arr);
}

void options_free(Options *o)
{
    free(o->explain_rule);
    free(o->dump_cfg);
    free(o->config);
    free_strings(o->rules, o->n_rules);
    free_strings(o->handlers, o->n_handlers);
    free_strings(o->exclude, o->n_exclude);
    free(o->compile_commands);
    free(o->output);
    free(o->srcroot);
    free(o->baseline);
    free(o->write_baseline);
    free(o->category);
    free(o->cache_dir);
    free(o->emit_summary);
    free_strings(o->paths, o->n_paths);
    free_strings(o->clang_args, o->n_clang_args);
    memset(o, 0, sizeof *o);
}
