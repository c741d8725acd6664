/* cli.h — the command line (SPEC §2): parsed into Options and validated.
 * Errors print one line and a pointer to --help, and give exit status 2. */
#ifndef CONNLINT_CLI_H
#define CONNLINT_CLI_H

#include <stdbool.h>

#include "common/finding.h"

/* The range of the parse limits (a day; 256 MiB to 1 TiB), on the command
 * line and in the configuration. */
#define PARSE_MAX_TIMEOUT_SECONDS 86400
#define PARSE_MAX_MEMORY_MIB (1024 * 1024)
#define PARSE_MIN_MEMORY_MIB 256

typedef enum { FORMAT_TEXT, FORMAT_SARIF, FORMAT_GITHUB, FORMAT_JSON, FORMAT_CODECLIMATE, FORMAT_CHECKSTYLE } OutputFormat;

typedef enum {
    ACTION_RUN,
    ACTION_HELP,
    ACTION_VERSION,
    ACTION_LIST_RULES,
    ACTION_LIST_PACKS,
    ACTION_EXPLAIN,
    ACTION_DUMP_CFG,
    ACTION_MERGE,             /* connlint merge A.sarif B.sarif ... (paths = inputs) */
    ACTION_INIT,
} CliAction;

typedef struct {
    CliAction action;
    char *explain_rule;       /* --explain RULE */
    char *dump_cfg;           /* --dump-cfg FILE[:FUNCTION] */
    char *config;             /* --config FILE */
    char **rules;             /* --rules, repeatable */
    int n_rules;
    char **handlers;          /* --handlers, repeatable (relative to the cwd) */
    int n_handlers;
    char **exclude;           /* --exclude, repeatable */
    int n_exclude;
    char *compile_commands;   /* -p / --compile-commands */
    OutputFormat format;
    char *output;             /* -o */
    int jobs;                 /* -j; 0 = number of cores */
    int parse_timeout;        /* --parse-timeout seconds; 0 = none, -1 = not given */
    int parse_memory_limit;   /* --parse-memory-limit MiB; 0 = none, -1 = not given */
    char *srcroot;            /* --srcroot */
    char *baseline;           /* --baseline */
    char *write_baseline;     /* --write-baseline FILE (SARIF) */
    Level fail_on;            /* --fail-on; default LEVEL_WARNING */
    bool keep_going;
    bool verbose;           /* -v: coverage (analysed / skipped functions) on stderr */
    bool report_unused_suppressions;
    char *category;           /* --category: SARIF automationDetails.id */
    char *cache_dir;          /* --cache-dir */
    bool no_cache;            /* --no-cache */
    bool no_project;          /* --no-project: summaries from the given files only */
    bool no_prefilter;        /* --no-prefilter: parse every file (prefilter/prefilter.h) */
    bool attributes;          /* --attributes: packs derived from allocator attributes */
    int shard_k, shard_n;     /* --shard K/N; 0/0 = no sharding */
    char *emit_summary;       /* --emit-summary FILE */
    char **paths;             /* PATH... */
    int n_paths;
    char **clang_args;        /* after -- */
    int n_clang_args;
} Options;

/* Returns 0 on success, 2 on a usage error (message already printed). */
int cli_parse(int argc, char **argv, Options *out);
void cli_print_help(void);
void options_free(Options *o);

#endif
