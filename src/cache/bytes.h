/* bytes.h — the binary encoding of cache entries: a growing byte buffer to
 * write into and a bounds-checked reader. Integers are LEB128 varints
 * (signed ones zig-zag encoded), strings a varint length + 1 (0 = NULL)
 * followed by the bytes. The reader never reads past its end: a short or
 * garbled input sets `failed` and every later read returns 0 / NULL, so a
 * decoder checks once at the end. */
#ifndef CONNLINT_BYTES_H
#define CONNLINT_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

typedef struct {
    unsigned char *data;
    size_t len, cap;
} ByteBuf;

void bytes_put_raw(ByteBuf *b, const void *p, size_t n);
void bytes_put_u64(ByteBuf *b, uint64_t v);
void bytes_put_i64(ByteBuf *b, int64_t v);
void bytes_put_bool(ByteBuf *b, bool v);
void bytes_put_str(ByteBuf *b, const char *s); /* NULL allowed */
void bytes_free(ByteBuf *b);

typedef struct {
    const unsigned char *p, *end;
    bool failed;
} ByteReader;

void reader_init(ByteReader *r, const void *data, size_t len);
uint64_t reader_u64(ByteReader *r);
int64_t reader_i64(ByteReader *r);
/* An int in [lo, hi]; anything else fails the reader. */
int reader_int(ByteReader *r, int lo, int hi);
bool reader_bool(ByteReader *r);
/* A string copied into `a` (or malloc'ed when a is NULL); NULL when it was
 * written as NULL or the reader failed. */
char *reader_str(ByteReader *r, Arena *a);
/* A count of elements that each take at least one byte: fails when the rest
 * of the input cannot hold that many (so a garbled count cannot make the
 * decoder allocate gigabytes). */
int reader_count(ByteReader *r);
bool reader_at_end(const ByteReader *r);

#endif
