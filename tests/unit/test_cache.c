/* test_cache.c — the cache's building blocks: SHA-256 test vectors, the
 * varint/string reader on short and garbled input, the IR round trip on
 * every fixture file (decode(encode(unit)) dumps exactly as the parsed
 * unit), the findings round trip, the store (hit, miss, a truncated entry,
 * an entry of another version, an altered payload), and --shard's split
 * (every file in exactly one shard, independent of file order, balanced).
 * Runs from the source root (ctest's working directory). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/bytes.h"
#include "cache/cache_store.h"
#include "cache/findings_codec.h"
#include "cache/ir_codec.h"
#include "cache/sha256.h"
#include "cli/shard.h"
#include "checks/registry.h"
#include "common/util.h"
#include "ir/ir.h"
#include "parse/parse.h"
#include "unit.h"

static void test_sha256(void)
{
    char hex[SHA256_HEX_LEN + 1];
    sha256_hex_of("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex_of("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex_of(two_blocks, strlen(two_blocks), hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* fed in pieces: the same digest */
    Sha256 h;
    sha256_init(&h);
    char million[1000];
    memset(million, 'a', sizeof million);
    for (int i = 0; i < 1000; i++) sha256_update(&h, million, sizeof million);
    sha256_final_hex(&h, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_bytes(void)
{
    ByteBuf b = {0};
    bytes_put_u64(&b, 0);
    bytes_put_u64(&b, 300);
    bytes_put_i64(&b, -5);
    bytes_put_i64(&b, INT64_MIN);
    bytes_put_str(&b, NULL);
    bytes_put_str(&b, "");
    bytes_put_str(&b, "conn");
    bytes_put_bool(&b, true);
    ByteReader r;
    reader_init(&r, b.data, b.len);
    CHECK(reader_u64(&r) == 0);
    CHECK(reader_u64(&r) == 300);
    CHECK(reader_i64(&r) == -5);
    CHECK(reader_i64(&r) == INT64_MIN);
    CHECK(reader_str(&r, NULL) == NULL);
    char *e = reader_str(&r, NULL);
    CHECK(e && *e == '\0');
    free(e);
    char *s = reader_str(&r, NULL);
    CHECK_STR(s, "conn");
    free(s);
    CHECK(reader_bool(&r));
    CHECK(reader_at_end(&r));
    /* every truncation fails without reading past the end */
    for (size_t cut = 0; cut + 1 < b.len; cut++) {
        reader_init(&r, b.data, cut);
        reader_u64(&r), reader_u64(&r), reader_i64(&r), reader_i64(&r);
        free(reader_str(&r, NULL)), free(reader_str(&r, NULL)), free(reader_str(&r, NULL));
        reader_bool(&r);
        CHECK(r.failed);
    }
    /* a count larger than what is left fails */
    ByteBuf c = {0};
    bytes_put_u64(&c, 1000000);
    reader_init(&r, c.data, c.len);
    CHECK(reader_count(&r) == 0 && r.failed);
    bytes_free(&c);
    bytes_free(&b);
}

static char *dump_unit(const IrUnit *u)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s failed=%d errors=%d refs=%d diags=%d\n", u->main_file, u->parse_failed, u->has_errors,
              u->n_global_refs, u->n_diags);
    for (int i = 0; i < u->n_global_refs; i++)
        sb_printf(&sb, "ref %s %s %d\n", u->global_refs[i].name, u->global_refs[i].file, u->global_refs[i].loc.line);
    for (int i = 0; i < u->n_diags; i++) sb_printf(&sb, "diag %s %d\n", u->diags[i].message, u->diags[i].line);
    for (int i = 0; i < u->n_alloc_attrs; i++) {
        const IrAllocAttr *a = &u->alloc_attrs[i];
        sb_printf(&sb, "attr %d %s %s %d %s %d\n", (int)a->form, a->function, a->key, a->arg, a->file, a->line);
    }
    for (int f = 0; f < u->n_functions; f++) {
        char *t = ir_dump_function(&u->functions[f]);
        sb_append(&sb, t);
        free(t);
    }
    return sb_take(&sb);
}

static int roundtrip_folder(ParseSession *s, const char *folder, int *n_attrs)
{
    int files = 0;
    DIR *d = opendir(folder);
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0) continue;
        char *path = xasprintf("%s/%s", folder, e->d_name);
        IrUnit *u = parse_unit(s, path, NULL, 0);
        *n_attrs += u->n_alloc_attrs;
        ByteBuf b = {0};
        ir_unit_encode(&b, u);
        ByteReader r;
        reader_init(&r, b.data, b.len);
        IrUnit *back = ir_unit_decode(&r);
        CHECK(back != NULL);
        CHECK(reader_at_end(&r));
        if (back) {
            char *x = dump_unit(u), *y = dump_unit(back);
            if (strcmp(x, y) != 0) fprintf(stderr, "IR round trip differs for %s\n", path);
            CHECK(strcmp(x, y) == 0);
            free(x);
            free(y);
            /* a truncated encoding is refused */
            reader_init(&r, b.data, b.len / 2);
            IrUnit *half = ir_unit_decode(&r);
            CHECK(half == NULL);
            ir_unit_free(half);
        }
        ir_unit_free(back);
        ir_unit_free(u);
        bytes_free(&b);
        free(path);
        files++;
    }
    closedir(d);
    return files;
}

static void test_ir_roundtrip(void)
{
    ParseSession *s = parse_session_new(NULL);
    parse_session_read_attributes(s, true); /* the allocator attributes too */
    int files = 0, n_attrs = 0;
    DIR *d = opendir("fixtures");
    CHECK(d != NULL);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *folder = xasprintf("fixtures/%s", e->d_name);
        files += roundtrip_folder(s, folder, &n_attrs);
        free(folder);
    }
    if (d) closedir(d);
    CHECK(files > 50);
    CHECK(n_attrs >= 10); /* fixtures/attributes */
    parse_session_free(s);
}

static void test_findings_roundtrip(void)
{
    Finding f;
    memset(&f, 0, sizeof f);
    f.rule = "connection-leak";
    f.level = LEVEL_ERROR;
    f.loc = findingloc_make("/p/a.c", 10, 5, 10, 11, NULL);
    f.message = xstrdup("'c' leaks");
    f.function = xstrdup("f");
    f.n_related = 1;
    f.related = xcalloc(1, sizeof(FindingLoc));
    f.related[0] = findingloc_make("/p/a.c", 3, 2, 3, 9, "'c' acquired here");
    f.identity = xstrdup("f|c|PQconnectdb");
    ByteBuf b = {0};
    findings_encode(&b, &f, 1);
    ByteReader r;
    reader_init(&r, b.data, b.len);
    FindingList out = {0};
    CHECK(findings_decode(&r, &out));
    CHECK(out.len == 1);
    if (out.len == 1) {
        CHECK(out.items[0].rule == rule_info_find("connection-leak")->id);
        CHECK_STR(out.items[0].message, "'c' leaks");
        CHECK(out.items[0].n_related == 1 && out.items[0].related[0].line == 3);
        CHECK(out.items[0].path == NULL || out.items[0].n_path == 0);
    }
    /* an unknown rule id is refused */
    Finding g = f;
    g.rule = "no-such-rule";
    ByteBuf c = {0};
    findings_encode(&c, &g, 1);
    reader_init(&r, c.data, c.len);
    FindingList none = {0};
    CHECK(!findings_decode(&r, &none) && none.len == 0);
    findings_free(&out);
    finding_free(&f);
    bytes_free(&b);
    bytes_free(&c);
}

static void rewrite(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    fwrite(text, 1, len, fp);
    fclose(fp);
}

static void test_store(void)
{
    char tmpl[] = "/tmp/connlint-cache-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir) return;
    CacheStore s;
    char *sub = xasprintf("%s/a/b", dir);
    CHECK(cache_store_open(&s, sub));
    const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    unsigned char *p = NULL;
    size_t n = 0;
    CHECK(cache_get(&s, "ir", key, &p, &n) == CACHE_MISS);
    CHECK(cache_put(&s, "ir", key, "payload", 7));
    CHECK(cache_get(&s, "ir", key, &p, &n) == CACHE_HIT && n == 7 && memcmp(p, "payload", 7) == 0);
    free(p);
    /* another kind is another entry */
    CHECK(cache_get(&s, "res", key, &p, &n) == CACHE_MISS);
    char *path = cache_entry_path(&s, "ir", key);
    size_t len = 0;
    char *text = read_file_all(path, &len);
    /* truncated */
    rewrite(path, text, len - 3);
    CHECK(cache_get(&s, "ir", key, &p, &n) == CACHE_INVALID && p == NULL);
    /* a payload byte changed */
    char *altered = xstrdup(text);
    altered[len - 1] = 'X';
    rewrite(path, altered, len);
    CHECK(cache_get(&s, "ir", key, &p, &n) == CACHE_INVALID);
    /* another connlint version in the header */
    char *other = xasprintf("connlint-cache %d 0.0.0-other%s", CACHE_FORMAT_VERSION, strchr(text + 15, ' ') + 0);
    rewrite(path, other, strlen(other));
    CHECK(cache_get(&s, "ir", key, &p, &n) == CACHE_INVALID);
    /* rebuilt by the next write */
    CHECK(cache_put(&s, "ir", key, "payload", 7));
    CHECK(cache_get(&s, "ir", key, &p, &n) == CACHE_HIT);
    free(p);
    free(other);
    free(altered);
    free(text);
    free(path);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    free(sub);
    cache_store_close(&s);
    /* the default folder: per project root, under XDG_CACHE_HOME */
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    char *d1 = cache_default_dir("/src/a"), *d2 = cache_default_dir("/src/b");
    CHECK(d1 && strncmp(d1, "/x/cache/connlint/", 18) == 0 && strlen(d1) == 18 + 16);
    CHECK(d1 && d2 && strcmp(d1, d2) != 0);
    free(d1);
    free(d2);
}

static void test_shard(void)
{
    int k, n;
    CHECK(shard_parse("2/4", &k, &n) && k == 2 && n == 4);
    CHECK(!shard_parse("0/4", &k, &n));
    CHECK(!shard_parse("5/4", &k, &n));
    CHECK(!shard_parse("1/", &k, &n));
    CHECK(!shard_parse("1/2x", &k, &n));
    char *files[6] = {"f.c", "a.c", "c.c", "b.c", "e.c", "d.c"};
    long long sizes[6] = {100, 900, 300, 300, 500, 50};
    char *rev[6];
    long long rsizes[6];
    for (int i = 0; i < 6; i++) {
        rev[i] = files[5 - i];
        rsizes[i] = sizes[5 - i];
    }
    int seen[6] = {0};
    long long load[3] = {0};
    for (int s = 1; s <= 3; s++) {
        bool in[6] = {0}, in_rev[6] = {0};
        shard_select(files, sizes, 6, s, 3, in);
        shard_select(rev, rsizes, 6, s, 3, in_rev);
        for (int i = 0; i < 6; i++) {
            seen[i] += in[i];
            if (in[i]) load[s - 1] += sizes[i];
            CHECK(in[i] == in_rev[5 - i]); /* the same split whatever the order */
        }
    }
    for (int i = 0; i < 6; i++) CHECK(seen[i] == 1);
    /* largest first: 900 | 500+100+50 | 300+300 */
    CHECK(load[0] == 900 && load[1] == 650 && load[2] == 600);
}

int main(void)
{
    test_sha256();
    test_bytes();
    test_ir_roundtrip();
    test_findings_roundtrip();
    test_store();
    test_shard();
    UNIT_MAIN_END();
}
