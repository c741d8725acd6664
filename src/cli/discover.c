/* discover.c — from PATH arguments to the sorted list of C files: files as
 * given (any extension: a named header is analysed as given), directories
 * walked without recursion for *.c (hidden folders such as .git are not
 * entered), excludes applied to files and folders (an excluded folder is
 * not entered), each file listed once even when reached through several
 * links, symlink loops and unreadable entries reported and counted; a
 * symbolic link to a folder outside the analysed paths (their real paths)
 * is not followed, with a warning (a link to /proc/self must not crawl the
 * whole file system). Paths
 * come out absolute and lexically normalised; realpath is used only to
 * recognise loops. Does not read file contents. */
#include "cli/discover.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/glob.h"
#include "common/util.h"

/* (dev, ino) set: open addressing, grows at half load. */
typedef struct {
    unsigned long long *keys; /* hash of (dev, ino) + 1; 0 = empty */
    dev_t *devs;
    ino_t *inos;
    size_t cap, len;
} InodeSet;

static unsigned long long inode_hash(dev_t d, ino_t i)
{
    unsigned long long h = hash_bytes64(14695981039346656037ULL, &d, sizeof d);
    h = hash_bytes64(h, &i, sizeof i);
    return h ? h : 1;
}

static bool inodeset_insert_raw(InodeSet *s, dev_t d, ino_t i);

static void inodeset_grow(InodeSet *s)
{
    InodeSet old = *s;
    s->cap = old.cap ? old.cap * 2 : 64;
    s->len = 0;
    s->keys = xcalloc(s->cap, sizeof *s->keys);
    s->devs = xcalloc(s->cap, sizeof *s->devs);
    s->inos = xcalloc(s->cap, sizeof *s->inos);
    for (size_t k = 0; k < old.cap; k++)
        if (old.keys[k]) inodeset_insert_raw(s, old.devs[k], old.inos[k]);
    free(old.keys);
    free(old.devs);
    free(old.inos);
}

/* Returns false when already present. */
static bool inodeset_insert_raw(InodeSet *s, dev_t d, ino_t i)
{
    unsigned long long h = inode_hash(d, i);
    size_t k = (size_t)(h & (s->cap - 1));
    while (s->keys[k]) {
        if (s->keys[k] == h && s->devs[k] == d && s->inos[k] == i) return false;
        k = (k + 1) & (s->cap - 1);
    }
    s->keys[k] = h;
    s->devs[k] = d;
    s->inos[k] = i;
    s->len++;
    return true;
}

static bool inodeset_insert(InodeSet *s, const struct stat *st)
{
    if (s->len * 2 >= s->cap) inodeset_grow(s);
    return inodeset_insert_raw(s, st->st_dev, st->st_ino);
}

static void inodeset_free(InodeSet *s)
{
    free(s->keys);
    free(s->devs);
    free(s->inos);
}

typedef VEC(char *) PathVec;

typedef struct {
    char **exclude;
    int n_exclude;
    InodeSet dirs, files;
    PathVec out;
    PathVec roots;  /* real paths of the folders given as arguments */
    int n_errors;
} Walk;

static bool inside(const char *path, const char *folder)
{
    size_t n = strlen(folder);
    if (n == 1 && folder[0] == '/') return true;
    return strncmp(path, folder, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A symbolic link to a folder is followed only when the folder lies inside
 * one of the analysed folders. */
static bool link_stays_inside(Walk *w, const char *path)
{
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) return true;
    char *real = realpath(path, NULL);
    bool ok = false;
    for (int i = 0; real && i < w->roots.len && !ok; i++) ok = inside(real, w->roots.items[i]);
    if (!ok)
        tool_warning(path, 0, 0, "symbolic link to a folder outside the analysed paths (%s); not followed",
                     real ? real : "unresolved");
    free(real);
    return ok;
}

static bool excluded(const Walk *w, const char *path)
{
    for (int i = 0; i < w->n_exclude; i++)
        if (glob_match(w->exclude[i], path)) return true;
    return false;
}

static bool ends_with_c(const char *name)
{
    size_t n = strlen(name);
    return n > 2 && strcmp(name + n - 2, ".c") == 0;
}

static void add_file(Walk *w, const char *path, const struct stat *st)
{
    if (access(path, R_OK) != 0) {
        tool_error(path, 0, 0, "cannot read file: %s", strerror(errno));
        w->n_errors++;
        return;
    }
    if (inodeset_insert(&w->files, st)) VEC_PUSH(w->out, xstrdup(path));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory reached again: a loop when it is one of the folders we are in
 * (its real path is a prefix of the current folder's real path). */
static void report_revisit(Walk *w, const char *path, const char *parent)
{
    char *real_target = realpath(path, NULL);
    char *real_parent = realpath(parent, NULL);
    if (real_target && real_parent) {
        size_t n = strlen(real_target);
        bool ancestor = strncmp(real_parent, real_target, n) == 0 &&
                        (real_parent[n] == '/' || real_parent[n] == '\0' || n == 1);
        if (ancestor) {
            tool_error(path, 0, 0, "symbolic link loop (leads back to %s); not entered", real_target);
            w->n_errors++;
        }
    }
    free(real_target);
    free(real_parent);
}

/* Lists the entries of `dir` (sorted), pushing subfolders on `stack`
 * (in reverse, so they are walked in order) and adding C files. */
static void walk_one_dir(Walk *w, const char *dir, PathVec *stack)
{
    DIR *d = opendir(dir);
    if (!d) {
        tool_error(dir, 0, 0, "cannot open directory: %s", strerror(errno));
        w->n_errors++;
        return;
    }
    PathVec names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ".", "..", hidden files and folders */
        VEC_PUSH(names, xstrdup(e->d_name));
    }
    closedir(d);
    if (names.len) qsort(names.items, (size_t)names.len, sizeof(char *), cmp_str);
    PathVec subdirs = {0};
    for (int i = 0; i < names.len; i++) {
        char *path = strcmp(dir, "/") == 0 ? xasprintf("/%s", names.items[i])
                                           : xasprintf("%s/%s", dir, names.items[i]);
        free(names.items[i]);
        struct stat st;
        if (excluded(w, path)) {
            free(path);
        } else if (stat(path, &st) != 0) {
            if (ends_with_c(path)) {
                tool_error(path, 0, 0, "cannot read file: %s", strerror(errno));
                w->n_errors++;
            }
            free(path);
        } else if (S_ISDIR(st.st_mode)) {
            if (!link_stays_inside(w, path)) {
                free(path);
            } else if (inodeset_insert(&w->dirs, &st)) {
                VEC_PUSH(subdirs, path);
            } else {
                report_revisit(w, path, dir);
                free(path);
            }
        } else {
            if (S_ISREG(st.st_mode) && ends_with_c(path)) add_file(w, path, &st);
            free(path);
        }
    }
    VEC_FREE(names);
    for (int i = subdirs.len - 1; i >= 0; i--) VEC_PUSH(*stack, subdirs.items[i]);
    VEC_FREE(subdirs);
}

static void walk_tree(Walk *w, const char *root)
{
    PathVec stack = {0};
    VEC_PUSH(stack, xstrdup(root));
    while (stack.len) {
        char *dir = stack.items[--stack.len];
        walk_one_dir(w, dir, &stack);
        free(dir);
    }
    VEC_FREE(stack);
}

static void add_argument(Walk *w, const char *arg)
{
    char *path = path_normalize(arg, NULL);
    struct stat st;
    if (stat(path, &st) != 0) {
        tool_error(arg, 0, 0, "%s", errno == ENOENT ? "no such file or directory" : strerror(errno));
        w->n_errors++;
    } else if (excluded(w, path)) {
        /* excluded explicitly: say nothing, as for files found in folders */
    } else if (S_ISDIR(st.st_mode)) {
        if (inodeset_insert(&w->dirs, &st)) walk_tree(w, path);
    } else if (S_ISREG(st.st_mode)) {
        add_file(w, path, &st);
    } else {
        tool_error(arg, 0, 0, "not a regular file or directory");
        w->n_errors++;
    }
    free(path);
}

bool discover_files(char **paths, int n_paths, char **exclude, int n_exclude, FileList *out)
{
    Walk w = {0};
    w.exclude = exclude;
    w.n_exclude = n_exclude;
    for (int i = 0; i < n_paths; i++) {
        char *abs = path_normalize(paths[i], NULL);
        char *real = realpath(abs, NULL);
        if (real) VEC_PUSH(w.roots, real);
        free(abs);
    }
    for (int i = 0; i < n_paths; i++) add_argument(&w, paths[i]);
    for (int i = 0; i < w.roots.len; i++) free(w.roots.items[i]);
    VEC_FREE(w.roots);
    if (w.out.len) qsort(w.out.items, (size_t)w.out.len, sizeof(char *), cmp_str);
    out->files = w.out.items;
    out->n_files = w.out.len;
    out->n_errors = w.n_errors;
    inodeset_free(&w.dirs);
    inodeset_free(&w.files);
    return true;
}

void filelist_free(FileList *l)
{
    for (int i = 0; i < l->n_files; i++) free(l->files[i]);
    free(l->files);
    l->files = NULL;
    l->n_files = 0;
}
