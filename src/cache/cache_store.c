/* cache_store.c — per-key files with atomic rename (see cache_store.h). */
#include "cache/cache_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/sha256.h"
#include "common/util.h"
#include "common/version.h"

#define MAGIC "connlint-cache"
#define STALE_TEMP_SECONDS 3600

char *cache_default_dir(const char *project_root)
{
    char *base;
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/') base = xasprintf("%s/connlint", xdg);
    else if (home && *home) base = xasprintf("%s/.cache/connlint", home);
    else return NULL;
    char hex[SHA256_HEX_LEN + 1];
    sha256_hex_of(project_root, strlen(project_root), hex);
    char *dir = xasprintf("%s/%.16s", base, hex);
    free(base);
    return dir;
}

static bool mkdir_p(const char *path)
{
    char *p = xstrdup(path);
    bool ok = true;
    for (char *s = p + 1; ok; s++) {
        if (*s != '/' && *s != '\0') continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) ok = false;
        *s = saved;
        if (saved == '\0') break;
    }
    free(p);
    return ok;
}

bool cache_store_open(CacheStore *s, const char *dir)
{
    s->dir = NULL;
    if (!mkdir_p(dir)) {
        tool_warning(dir, 0, 0, "cannot create the cache folder: %s; running without a cache", strerror(errno));
        return false;
    }
    s->dir = xstrdup(dir);
    return true;
}

void cache_store_close(CacheStore *s)
{
    free(s->dir);
    s->dir = NULL;
}

char *cache_entry_path(const CacheStore *s, const char *kind, const char *key)
{
    return xasprintf("%s/%s/%.2s/%s", s->dir, kind, key, key);
}

/* The payload's checksum: it only has to catch a truncated or damaged
 * entry (the key already names the content), so a fast 64-bit mix of
 * 8-byte words rather than SHA-256, which cost a warm run a fifth of its
 * time. */
static unsigned long long payload_checksum(const void *payload, size_t len)
{
    const unsigned char *p = payload;
    unsigned long long h = 0x9e3779b97f4a7c15ULL ^ (unsigned long long)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        unsigned long long w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    unsigned long long tail = 0;
    for (size_t k = 0; i + k < len; k++) tail |= (unsigned long long)p[i + k] << (8 * k);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
}

static char *header_for(const char *kind, const char *key, const void *payload, size_t len)
{
    return xasprintf("%s %d %s %s %s %zu %016llx\n", MAGIC, CACHE_FORMAT_VERSION, CONNLINT_VERSION, kind, key, len,
                     payload_checksum(payload, len));
}

CacheLookup cache_get(const CacheStore *s, const char *kind, const char *key, unsigned char **payload,
                      size_t *len)
{
    *payload = NULL;
    *len = 0;
    if (!s->dir) return CACHE_MISS;
    char *path = cache_entry_path(s, kind, key);
    size_t n = 0;
    char *data = read_file_all(path, &n); /* NULL when there is none */
    free(path);
    if (!data) return CACHE_MISS;
    char *nl = memchr(data, '\n', n);
    size_t header_len = nl ? (size_t)(nl - data) + 1 : 0;
    size_t body_len = n - header_len;
    char *expected = nl ? header_for(kind, key, data + header_len, body_len) : NULL;
    bool valid = expected && strlen(expected) == header_len && memcmp(expected, data, header_len) == 0;
    free(expected);
    if (!valid) {
        free(data);
        return CACHE_INVALID;
    }
    unsigned char *body = xmalloc(body_len + 1);
    memcpy(body, data + header_len, body_len);
    free(data);
    *payload = body;
    *len = body_len;
    return CACHE_HIT;
}

/* Temporary files older than an hour are left by killed writers. */
static void remove_stale_temps(const char *folder)
{
    DIR *d = opendir(folder);
    if (!d) return;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, ".tmp.", 5) != 0) continue;
        char *p = xasprintf("%s/%s", folder, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && now - st.st_mtime > STALE_TEMP_SECONDS) unlink(p);
        free(p);
    }
    closedir(d);
}

static void warn_once(const char *path, const char *what)
{
    static atomic_bool warned;
    if (!atomic_exchange(&warned, true))
        tool_warning(path, 0, 0, "cannot %s a cache entry: %s (the run goes on without it)", what, strerror(errno));
}

bool cache_put(const CacheStore *s, const char *kind, const char *key, const void *payload, size_t len)
{
    if (!s->dir) return false;
    char *folder = xasprintf("%s/%s/%.2s", s->dir, kind, key);
    if (!mkdir_p(folder)) {
        warn_once(folder, "create the folder of");
        free(folder);
        return false;
    }
    static atomic_uint puts;
    if (atomic_fetch_add(&puts, 1) % 64 == 0) remove_stale_temps(folder);
    char *tmp = xasprintf("%s/.tmp.%s.XXXXXX", folder, key);
    int fd = mkstemp(tmp);
    bool ok = fd >= 0;
    if (ok) {
        char *header = header_for(kind, key, payload, len);
        ok = fd_write_all(fd, header, strlen(header)) && fd_write_all(fd, payload, len);
        free(header);
        ok = close(fd) == 0 && ok;
    }
    char *path = cache_entry_path(s, kind, key);
    if (ok) ok = rename(tmp, path) == 0;
    if (!ok) {
        warn_once(path, "write");
        if (fd >= 0) unlink(tmp);
    }
    free(path);
    free(tmp);
    free(folder);
    return ok;
}
