/* init.c — `connlint --init`: writes a starter .connlint.json in the current
 * directory, and refuses to replace one. What it proposes:
 *   - "rules": the built-in packs whose "headers" (a pack key) some analysed
 *     file includes — `#include <libpq-fe.h>`, `"mongoc/mongoc.h"`; a pack
 *     header matches an include whose path ends with it at a '/' boundary.
 *     None found: no "rules", so the default set applies;
 *   - "handlers": a glob of everything below each folder named like a request-handler
 *     folder (handlers, handler, routes, api, controllers, endpoints, views);
 *   - "compile_commands": the first of ., build, out, cmake-build-* that
 *     holds compile_commands.json.
 * Includes are read from the text of the .c files discover_files finds and
 * of the .h files beside them (no preprocessing: an include behind an #if
 * counts). Never runs libclang, never writes anything but the new file. */
#include "cli/init.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/builtin_packs.h"
#include "cli/discover.h"
#include "cli/glob.h"
#include "cli/rulepack.h"
#include "common/util.h"

#define INIT_FILE ".connlint.json"

static const char *const handler_folder_names[] = {
    "handlers", "handler", "routes", "api", "controllers", "endpoints", "views", NULL,
};

typedef struct {
    char **items;
    int n;
} Names;

static bool names_has(const Names *v, const char *s)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->items[i], s) == 0) return true;
    return false;
}

static void names_add(Names *v, const char *s)
{
    if (names_has(v, s)) return;
    v->items = xrealloc(v->items, (size_t)(v->n + 1) * sizeof *v->items);
    v->items[v->n++] = xstrdup(s);
}

static void names_free(Names *v)
{
    for (int i = 0; i < v->n; i++) free(v->items[i]);
    free(v->items);
}

/* The name inside <...> or "..." of an #include line, or false. */
static bool include_name(const char *line, char *out, size_t cap)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p++ != '#') return false;
    while (*p == ' ' || *p == '\t') p++;
    if (strncmp(p, "include", 7) != 0) return false;
    p += 7;
    while (*p == ' ' || *p == '\t') p++;
    char close = *p == '<' ? '>' : *p == '"' ? '"' : 0;
    if (!close) return false;
    const char *end = strchr(++p, close);
    if (!end || (size_t)(end - p) >= cap) return false;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return true;
}

/* "mysql/mysql.h" ends with the pack header "mysql.h" at a '/' boundary. */
static bool include_matches(const char *inc, const char *header)
{
    size_t a = strlen(inc), b = strlen(header);
    if (b > a || strcmp(inc + a - b, header) != 0) return false;
    return a == b || inc[a - b - 1] == '/';
}

static void scan_includes(const char *path, Names *includes)
{
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text) return;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        char name[512];
        if (include_name(line, name, sizeof name)) names_add(includes, name);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
}

/* The .h files of a folder (not recursive: the .c files' folders are all
 * visited). */
static void scan_headers_in(const char *dir, Names *includes, Names *seen_dirs)
{
    if (names_has(seen_dirs, dir)) return;
    names_add(seen_dirs, dir);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0) continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        scan_includes(p, includes);
        free(p);
    }
    closedir(d);
}

static char *dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? xstrndup(file, (size_t)(slash - file)) : xstrdup(".");
}

/* Handler folders: any folder on a file's path (below cwd) named like one. */
static void note_handler_folders(const char *rel, Names *handlers)
{
    char *copy = xstrdup(rel);
    for (char *slash = strchr(copy, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        const char *base = strrchr(copy, '/');
        base = base ? base + 1 : copy;
        for (int i = 0; handler_folder_names[i]; i++) {
            if (strcmp(base, handler_folder_names[i]) == 0) {
                char *glob = xasprintf("%s/**", copy);
                names_add(handlers, glob);
                free(glob);
            }
        }
        *slash = '/';
    }
    free(copy);
}

static void choose_packs(const Names *includes, Names *packs)
{
    for (int i = 0; i < builtin_pack_count; i++) {
        RulePack p;
        char *source = xasprintf("<built-in>/%s.json", builtin_packs[i].name);
        if (rulepack_parse(builtin_packs[i].json, source, &p)) {
            for (int h = 0; h < p.n_headers; h++)
                for (int k = 0; k < includes->n; k++)
                    if (include_matches(includes->items[k], p.headers[h])) names_add(packs, p.name);
        }
        rulepack_free(&p);
        free(source);
    }
}

static bool has_compile_db(const char *dir)
{
    char *p = xasprintf("%s/compile_commands.json", dir);
    struct stat st;
    bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

static char *find_compile_db(void)
{
    static const char *const fixed[] = {".", "build", "out", NULL};
    for (int i = 0; fixed[i]; i++)
        if (has_compile_db(fixed[i])) return xstrdup(fixed[i]);
    DIR *d = opendir(".");
    if (!d) return NULL;
    char *best = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "cmake-build-", 12) != 0 || !has_compile_db(e->d_name)) continue;
        if (!best || strcmp(e->d_name, best) < 0) {
            free(best);
            best = xstrdup(e->d_name);
        }
    }
    closedir(d);
    return best;
}

static cJSON *string_array(const Names *v)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < v->n; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(v->items[i]));
    return arr;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *config_text(Names *packs, Names *handlers, const char *compile_db)
{
    if (packs->n) qsort(packs->items, (size_t)packs->n, sizeof *packs->items, name_cmp);
    if (handlers->n) qsort(handlers->items, (size_t)handlers->n, sizeof *handlers->items, name_cmp);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    if (packs->n) cJSON_AddItemToObject(root, "rules", string_array(packs));
    if (handlers->n) cJSON_AddItemToObject(root, "handlers", string_array(handlers));
    if (compile_db) cJSON_AddStringToObject(root, "compile_commands", compile_db);
    char *printed = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = xasprintf("%s\n", printed);
    cJSON_free(printed);
    return out;
}

static void explain(const Names *packs, const Names *handlers, const char *compile_db, int n_files)
{
    fprintf(stderr, "connlint: wrote %s (%d C files scanned)\n", INIT_FILE, n_files);
    if (packs->n) {
        fprintf(stderr, "  rules:");
        for (int i = 0; i < packs->n; i++) fprintf(stderr, " %s", packs->items[i]);
        fprintf(stderr, " (their headers are included)\n");
    } else {
        fprintf(stderr, "  rules: none named, the default packs apply (no pack's header is included)\n");
    }
    if (handlers->n) fprintf(stderr, "  handlers: %d folder glob(s); check that they are the request handlers\n",
                             handlers->n);
    else fprintf(stderr, "  handlers: none found; add \"handlers\" globs to check per-request acquires\n");
    fprintf(stderr, "  compile_commands: %s\n",
            compile_db ? compile_db : "none found (add \"clang_args\" if headers are not found)");
}

static bool write_new_file(const char *text)
{
    FILE *f = NULL;
    int fd = open(INIT_FILE, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd >= 0) f = fdopen(fd, "w");
    if (!f) {
        if (fd >= 0) close(fd);
        if (errno == EEXIST) tool_error(INIT_FILE, 0, 0, "already exists; connlint --init does not replace it");
        else tool_error(INIT_FILE, 0, 0, "cannot create: %s", strerror(errno));
        return false;
    }
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok) tool_error(INIT_FILE, 0, 0, "cannot write: %s", strerror(errno));
    return ok;
}

int init_write_config(char **paths, int n_paths)
{
    struct stat st;
    if (lstat(INIT_FILE, &st) == 0) {
        tool_error(INIT_FILE, 0, 0, "already exists; connlint --init does not replace it");
        return 2;
    }
    char *here[] = {"."};
    FileList files = {0};
    if (!discover_files(n_paths ? paths : here, n_paths ? n_paths : 1, NULL, 0, &files)) return 2;
    char *cwd = getcwd(NULL, 0);
    Names includes = {0}, dirs = {0}, packs = {0}, handlers = {0};
    for (int i = 0; i < files.n_files; i++) {
        scan_includes(files.files[i], &includes);
        char *dir = dir_of(files.files[i]);
        scan_headers_in(dir, &includes, &dirs);
        free(dir);
        char *rel = cwd ? path_below(files.files[i], cwd) : NULL;
        if (rel) note_handler_folders(rel, &handlers);
        free(rel);
    }
    choose_packs(&includes, &packs);
    char *db = find_compile_db();
    char *text = config_text(&packs, &handlers, db);
    bool ok = write_new_file(text);
    if (ok) explain(&packs, &handlers, db, files.n_files);
    free(text);
    free(db);
    free(cwd);
    names_free(&includes);
    names_free(&dirs);
    names_free(&packs);
    names_free(&handlers);
    filelist_free(&files);
    return ok ? 0 : 2;
}
