/* config.c — the project configuration `.connlint.json` (SPEC §3): looked
 * up from the current directory upwards (or named by --config), parsed with
 * cJSON and validated strictly; every error names FILE:LINE:COL. Relative
 * paths and globs are made absolute against the file's folder. Checks that
 * each rules entry names a built-in pack or a regular file, that
 * compile_commands can be read and that no exclude/handlers pattern is
 * empty or matches everything (so those errors carry the config's
 * position); does not load the packs (rulepack.c does). */
#include "cli/config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/builtin_packs.h"
#include "cli/cli.h"
#include "cli/glob.h"
#include "cli/json_pos.h"
#include "common/rules.h"
#include "common/util.h"

#define CONFIG_NAME ".connlint.json"

static const char *const config_keys[] = {
    "version", "rules", "handlers", "exclude", "compile_commands", "clang_args", "levels", "cache_dir", "attributes", "prefilter",
    "parse_timeout", "parse_memory_limit", NULL,
};

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* A rules entry naming a file (has a '/' or ends in .json) is a path. */
static bool names_a_file(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n >= 5 && strcmp(s + n - 5, ".json") == 0);
}

static void make_absolute(char **items, int n, const char *dir, bool only_files)
{
    for (int i = 0; i < n; i++) {
        if (only_files && !names_a_file(items[i])) continue;
        char *abs = path_normalize(items[i], dir);
        free(items[i]);
        items[i] = abs;
    }
}

/* clang_args: the folder of -I, -isystem, -iquote, -idirafter and the file
 * of -include / -imacros, joined or separate, are relative to the config. */
static const char *const path_flags[] = {"-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", NULL};

static char *absolute_flag(const char *flag, const char *value, const char *dir)
{
    if (value[0] == '/' || value[0] == '\0') return NULL;
    char *abs = path_normalize(value, dir);
    char *joined = xasprintf("%s%s", flag, abs);
    free(abs);
    return joined;
}

static void absolutize_clang_args(char **args, int n, const char *dir)
{
    for (int i = 0; i < n; i++) {
        for (int f = 0; path_flags[f]; f++) {
            size_t len = strlen(path_flags[f]);
            if (strncmp(args[i], path_flags[f], len) != 0) continue;
            char *fixed;
            if (args[i][len] == '\0' && i + 1 < n) {
                i++;
                fixed = absolute_flag("", args[i], dir);
            } else {
                fixed = absolute_flag(path_flags[f], args[i] + len, dir);
            }
            if (fixed) {
                free(args[i]);
                args[i] = fixed;
            }
            break;
        }
    }
}

static bool check_version(JsonCheck *jc, const cJSON *root, Config *out)
{
    if (!cJSON_GetObjectItemCaseSensitive(root, "version")) {
        jsoncheck_error(jc, root, NULL, "missing required key 'version' (use \"version\": 1)");
        return false;
    }
    if (!jsoncheck_int(jc, root, "version", true, &out->version)) return false;
    if (out->version != 1) {
        jsoncheck_error(jc, cJSON_GetObjectItemCaseSensitive(root, "version"), NULL,
                        "unsupported version %d (this connlint reads version 1)", out->version);
        return false;
    }
    return true;
}

/* parse_timeout (seconds) and parse_memory_limit (MiB): 0 is no limit. */
static bool check_parse_limits(JsonCheck *jc, const cJSON *root, Config *out)
{
    bool ok = true;
    int v = 0;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "parse_timeout");
    if (t && jsoncheck_int(jc, root, "parse_timeout", false, &v)) {
        if (v < 0 || v > PARSE_MAX_TIMEOUT_SECONDS) {
            jsoncheck_error(jc, t, NULL, "'parse_timeout' must be seconds from 0 (no limit) to %d", PARSE_MAX_TIMEOUT_SECONDS);
            ok = false;
        } else {
            out->parse_timeout = v;
            out->has_parse_timeout = true;
        }
    } else if (t) {
        ok = false;
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "parse_memory_limit");
    if (m && jsoncheck_int(jc, root, "parse_memory_limit", false, &v)) {
        if (v < 0 || v > PARSE_MAX_MEMORY_MIB || (v > 0 && v < PARSE_MIN_MEMORY_MIB)) {
            jsoncheck_error(jc, m, NULL, "'parse_memory_limit' must be MiB from %d to %d, or 0 (no limit)",
                            PARSE_MIN_MEMORY_MIB, PARSE_MAX_MEMORY_MIB);
            ok = false;
        } else {
            out->parse_memory_limit = v;
            out->has_parse_memory_limit = true;
        }
    } else if (m) {
        ok = false;
    }
    return ok;
}

static bool parse_levels(JsonCheck *jc, const cJSON *root, Config *out)
{
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(root, "levels");
    if (!lv) return true;
    if (!cJSON_IsObject(lv)) {
        jsoncheck_error(jc, lv, NULL, "'levels' must be an object mapping rule ids to levels");
        return false;
    }
    bool ok = jsoncheck_duplicates(jc, lv, "in 'levels'");
    out->levels = xcalloc((size_t)(cJSON_GetArraySize(lv) + 1), sizeof(LevelOverride));
    for (const cJSON *m = lv->child; m && jc->n_errors < JSONCHECK_MAX_ERRORS; m = m->next) {
        Level level;
        if (!rule_info_find(m->string)) {
            jsoncheck_error_at_name(jc, m, "unknown rule '%s' in 'levels' (see --list-rules)", m->string);
            ok = false;
        } else if (!cJSON_IsString(m) || !level_parse(m->valuestring, &level)) {
            jsoncheck_error(jc, m, NULL, "level of '%s' must be \"error\", \"warning\", \"note\" or \"none\"",
                            m->string);
            ok = false;
        } else {
            out->levels[out->n_levels].rule = xstrdup(m->string);
            out->levels[out->n_levels].level = level;
            out->n_levels++;
        }
    }
    return ok;
}

/* ---- entries checked where they stand, so that every error names the
 * configuration's FILE:LINE:COL (the packs and the database are read
 * later, by rulepack.c and compile_db.c) ---- */

static void list_builtin_packs(StrBuf *sb)
{
    for (int i = 0; i < builtin_pack_count; i++) sb_printf(sb, "%s%s", i ? ", " : "", builtin_packs[i].name);
}

/* Why path cannot be read as a file (NULL when it can): missing, a
 * folder, a device or FIFO. */
static const char *unreadable_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return strerror(errno);
    if (S_ISDIR(st.st_mode)) return read_error_text(EISDIR);
    if (!S_ISREG(st.st_mode)) return read_error_text(ENODEV);
    return NULL;
}

static bool check_rule_entry(JsonCheck *jc, const cJSON *e, const char *dir)
{
    const char *name = e->valuestring;
    if (!*name) {
        jsoncheck_error(jc, e, NULL, "empty entry in 'rules' (a built-in pack name or a pack file)");
        return false;
    }
    if (!names_a_file(name)) {
        if (builtin_pack_find(name)) return true;
        StrBuf known;
        sb_init(&known);
        list_builtin_packs(&known);
        jsoncheck_error(jc, e, NULL, "unknown rule pack '%s' (built-in packs: %s; a pack file needs a '/' or a .json name)",
                        name, known.data);
        sb_free(&known);
        return false;
    }
    char *abs = path_normalize(name, dir);
    const char *why = unreadable_file(abs);
    if (why) jsoncheck_error(jc, e, NULL, "cannot read rule pack '%s': %s", name, why);
    free(abs);
    return why == NULL;
}

static bool check_rules(JsonCheck *jc, const cJSON *root, const char *dir)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "rules");
    bool ok = true;
    for (const cJSON *e = cJSON_IsArray(arr) ? arr->child : NULL; e; e = e->next)
        if (cJSON_IsString(e)) ok = check_rule_entry(jc, e, dir) && ok;
    return ok;
}

/* "" (the configuration's own folder), "**" and the like would exclude the
 * whole tree; "", "." or "/" as a handler pattern would make every file a
 * handler without saying so ("**" says so, and is allowed). */
static bool check_patterns(JsonCheck *jc, const cJSON *root, const char *key, const char *dir)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
    bool ok = true;
    for (const cJSON *e = cJSON_IsArray(arr) ? arr->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e)) continue;
        if (glob_pattern_matches_everything(e->valuestring, dir, strcmp(key, "exclude") == 0)) {
            jsoncheck_error(jc, e, NULL, "'%s' pattern \"%s\" matches every file (an empty or match-all pattern)",
                            key, e->valuestring);
            ok = false;
        }
    }
    return ok;
}

/* A folder holding compile_commands.json, or the file itself. */
static bool check_compile_commands(JsonCheck *jc, const cJSON *root, const char *value, const char *dir)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "compile_commands");
    char *abs = path_normalize(value, dir);
    struct stat st;
    char *file = stat(abs, &st) == 0 && S_ISDIR(st.st_mode) ? xasprintf("%s/compile_commands.json", abs) : xstrdup(abs);
    const char *why = *value ? unreadable_file(file) : "the path is empty";
    if (why) jsoncheck_error(jc, item, NULL, "cannot read compilation database '%s': %s", file, why);
    free(file);
    free(abs);
    return why == NULL;
}

static bool parse_fields(JsonCheck *jc, const cJSON *root, Config *out)
{
    if (!jsoncheck_is_object(jc, root, "the configuration")) return false;
    bool ok = jsoncheck_keys(jc, root, config_keys);
    ok = check_version(jc, root, out) && ok;
    ok = jsoncheck_string_array(jc, root, "rules", &out->rules, &out->n_rules) && ok;
    ok = jsoncheck_string_array(jc, root, "handlers", &out->handlers, &out->n_handlers) && ok;
    ok = jsoncheck_string_array(jc, root, "exclude", &out->exclude, &out->n_exclude) && ok;
    ok = jsoncheck_string_array(jc, root, "clang_args", &out->clang_args, &out->n_clang_args) && ok;
    ok = check_rules(jc, root, out->dir) && ok;
    ok = check_patterns(jc, root, "handlers", out->dir) && ok;
    ok = check_patterns(jc, root, "exclude", out->dir) && ok;
    const char *cc = NULL;
    if (jsoncheck_string(jc, root, "compile_commands", false, &cc)) {
        if (cc) ok = check_compile_commands(jc, root, cc, out->dir) && ok;
        if (cc) out->compile_commands = path_normalize(cc, out->dir);
    } else {
        ok = false;
    }
    const char *cd = NULL;
    if (jsoncheck_string(jc, root, "cache_dir", false, &cd)) {
        if (cd) out->cache_dir = path_normalize(cd, out->dir);
    } else {
        ok = false;
    }
    ok = jsoncheck_bool(jc, root, "attributes", &out->attributes) && ok;
    bool prefilter = true;
    ok = jsoncheck_bool(jc, root, "prefilter", &prefilter) && ok;
    out->no_prefilter = !prefilter;
    ok = parse_levels(jc, root, out) && ok;
    ok = check_parse_limits(jc, root, out) && ok;
    return ok;
}

bool config_parse(const char *text, const char *path, Config *out)
{
    memset(out, 0, sizeof *out);
    out->path = path_normalize(path, NULL);
    out->dir = dir_of(out->path);
    cJSON *root = json_parse_reporting(text, path);
    if (!root) return false;
    JsonCheck jc;
    jsoncheck_init(&jc, text, path, root);
    bool ok = parse_fields(&jc, root, out);
    jsoncheck_free(&jc);
    cJSON_Delete(root);
    if (!ok) return false;
    make_absolute(out->rules, out->n_rules, out->dir, true);
    make_absolute(out->handlers, out->n_handlers, out->dir, false);
    make_absolute(out->exclude, out->n_exclude, out->dir, false);
    absolutize_clang_args(out->clang_args, out->n_clang_args, out->dir);
    return true;
}

/* The nearest .connlint.json from the cwd upwards, or NULL. */
static char *find_config(const char *cwd)
{
    char *dir = xstrdup(cwd);
    for (;;) {
        char *candidate = xasprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", CONFIG_NAME);
        struct stat st;
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
            free(dir);
            return candidate;
        }
        free(candidate);
        if (strcmp(dir, "/") == 0) break;
        char *up = dir_of(dir);
        free(dir);
        dir = up;
    }
    free(dir);
    return NULL;
}

static bool load_file(const char *path, Config *out)
{
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text) {
        tool_error(path, 0, 0, "cannot read configuration: %s", read_error_text(errno));
        memset(out, 0, sizeof *out);
        return false;
    }
    if (!json_text_check(text, len, path, "configuration")) {
        free(text);
        memset(out, 0, sizeof *out);
        return false;
    }
    bool ok = config_parse(text, path, out);
    free(text);
    if (!ok) config_free(out);
    return ok;
}

bool config_load(const char *explicit_path, Config *out)
{
    memset(out, 0, sizeof *out);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        tool_error(NULL, 0, 0, "cannot determine the current directory: %s", strerror(errno));
        return false;
    }
    if (explicit_path) return load_file(explicit_path, out);
    char *found = find_config(cwd);
    if (!found) {
        out->dir = xstrdup(cwd);
        out->version = 1;
        return true;
    }
    bool ok = load_file(found, out);
    free(found);
    return ok;
}

static void free_strings(char **arr, int n)
{
    for (int i = 0; i < n; i++) free(arr[i]);
    free(arr);
}

void config_free(Config *c)
{
    free(c->path);
    free(c->dir);
    free_strings(c->rules, c->n_rules);
    free_strings(c->handlers, c->n_handlers);
    free_strings(c->exclude, c->n_exclude);
    free(c->compile_commands);
    free(c->cache_dir);
    free_strings(c->clang_args, c->n_clang_args);
    for (int i = 0; i < c->n_levels; i++) free(c->levels[i].rule);
    free(c->levels);
    memset(c, 0, sizeof *c);
}
