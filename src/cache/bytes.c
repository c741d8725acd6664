/* bytes.c — varint and string encoding for cache entries (see bytes.h). */
#include "cache/bytes.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void bytes_put_raw(ByteBuf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
}

void bytes_put_u64(ByteBuf *b, uint64_t v)
{
    unsigned char tmp[10];
    int n = 0;
    do {
        unsigned char byte = v & 0x7f;
        v >>= 7;
        tmp[n++] = (unsigned char)(byte | (v ? 0x80 : 0));
    } while (v);
    bytes_put_raw(b, tmp, (size_t)n);
}

void bytes_put_i64(ByteBuf *b, int64_t v)
{
    bytes_put_u64(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void bytes_put_bool(ByteBuf *b, bool v)
{
    unsigned char c = v ? 1 : 0;
    bytes_put_raw(b, &c, 1);
}

void bytes_put_str(ByteBuf *b, const char *s)
{
    if (!s) {
        bytes_put_u64(b, 0);
        return;
    }
    size_t n = strlen(s);
    bytes_put_u64(b, (uint64_t)n + 1);
    bytes_put_raw(b, s, n);
}

void bytes_free(ByteBuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void reader_init(ByteReader *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    r->failed = false;
}

uint64_t reader_u64(ByteReader *r)
{
    uint64_t v = 0;
    for (int shift = 0; !r->failed && shift < 64; shift += 7) {
        if (r->p >= r->end) break;
        unsigned char byte = *r->p++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return v;
    }
    r->failed = true;
    return 0;
}

int64_t reader_i64(ByteReader *r)
{
    uint64_t u = reader_u64(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

int reader_int(ByteReader *r, int lo, int hi)
{
    int64_t v = reader_i64(r);
    if (r->failed || v < lo || v > hi) {
        r->failed = true;
        return lo;
    }
    return (int)v;
}

bool reader_bool(ByteReader *r)
{
    if (r->failed || r->p >= r->end || *r->p > 1) {
        r->failed = true;
        return false;
    }
    return *r->p++ == 1;
}

char *reader_str(ByteReader *r, Arena *a)
{
    uint64_t n = reader_u64(r);
    if (r->failed || n == 0) return NULL;
    n--;
    if (n > (uint64_t)(r->end - r->p)) {
        r->failed = true;
        return NULL;
    }
    char *s = a ? arena_strndup(a, (const char *)r->p, (size_t)n) : xstrndup((const char *)r->p, (size_t)n);
    r->p += n;
    return s;
}

int reader_count(ByteReader *r)
{
    uint64_t n = reader_u64(r);
    if (r->failed || n > (uint64_t)(r->end - r->p) || n > INT_MAX) {
        r->failed = true;
        return 0;
    }
    return (int)n;
}

bool reader_at_end(const ByteReader *r)
{
    return !r->failed && r->p == r->end;
}
