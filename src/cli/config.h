/* config.h — the project configuration `.connlint.json` (SPEC §3): found by
 * walking up from the current directory or named with --config, parsed with
 * cJSON and validated strictly (unknown keys, wrong types and bad values
 * are errors with FILE:LINE:COL). Paths and globs in it are made absolute
 * against the configuration file's folder. */
#ifndef CONNLINT_CONFIG_H
#define CONNLINT_CONFIG_H

#include <stdbool.h>

#include "common/finding.h"

typedef struct {
    char *rule;
    Level level;
} LevelOverride;

typedef struct {
    char *path;              /* absolute path of the file, NULL when none was found */
    char *dir;               /* its folder (absolute); the cwd when none */
    int version;
    char **rules;            /* pack names or absolute paths, in order */
    int n_rules;
    char **handlers;         /* absolute glob patterns */
    int n_handlers;
    char **exclude;          /* absolute glob patterns */
    int n_exclude;
    char *compile_commands;  /* absolute path (folder or file), or NULL */
    char *cache_dir;         /* absolute: where the cache lives, or NULL (default) */
    char **clang_args;
    int n_clang_args;
    bool has_parse_timeout, has_parse_memory_limit; /* the keys were given */
    int parse_timeout;       /* seconds; 0 = none */
    int parse_memory_limit;  /* MiB; 0 = none */
    LevelOverride *levels;
    int n_levels;
    bool attributes;         /* "attributes": derive packs from the sources'
                                allocator attributes (src/cli/derived_packs.c) */
    bool no_prefilter;       /* "prefilter": false — parse every file, not only
                                those that can change a result (prefilter/prefilter.h) */
} Config;

/* Loads `explicit_path` if not NULL, else the nearest .connlint.json from the
 * current directory upwards; with none found, fills an empty configuration
 * (dir = cwd). Prints FILE:LINE:COL: message and returns false on error. */
bool config_load(const char *explicit_path, Config *out);
/* Parses configuration text; `path` (absolute) names it in messages and
 * gives the folder relative paths are resolved against. */
bool config_parse(const char *text, const char *path, Config *out);
void config_free(Config *c);

#endif
