/* sha256.h — SHA-256 (FIPS 180-4), for cache keys and entry checksums: a
 * cache key names what determines a file's analysis, so a collision would
 * return another file's results; a 256-bit cryptographic hash makes that
 * practically impossible. Not used for anything security-related. */
#ifndef CONNLINT_SHA256_H
#define CONNLINT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t length;        /* bytes hashed so far */
    unsigned char block[64];
    size_t used;            /* bytes in block */
} Sha256;

#define SHA256_HEX_LEN 64

void sha256_init(Sha256 *h);
void sha256_update(Sha256 *h, const void *data, size_t n);
/* Adds a string and its terminating NUL (so "ab","c" and "a","bc" differ);
 * NULL is hashed as a distinct marker. */
void sha256_update_str(Sha256 *h, const char *s);
void sha256_final(Sha256 *h, unsigned char out[32]);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(Sha256 *h, char out[SHA256_HEX_LEN + 1]);
void sha256_hex_of(const void *data, size_t n, char out[SHA256_HEX_LEN + 1]);

#endif
