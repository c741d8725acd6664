/* shard.h — --shard K/N: which of a run's files shard K of N checks. The
 * choice depends only on the files' paths and sizes, never on the order
 * they were found in: files are taken largest first (ties by path) and each
 * goes to the shard with the fewest bytes so far (ties to the lowest
 * shard), so every machine of a CI matrix computes the same split and the
 * shards take about the same time. Every file is in exactly one shard. */
#ifndef CONNLINT_SHARD_H
#define CONNLINT_SHARD_H

#include <stdbool.h>

/* "K/N" with 1 <= K <= N <= 10000; false on anything else. */
bool shard_parse(const char *spec, int *k, int *n);
/* in_shard[i] is set for the files of shard k (1-based) of n. `sizes` are
 * the files' sizes in bytes (a file that cannot be read counts 0). */
void shard_select(char *const *files, const long long *sizes, int n_files, int k, int n, bool *in_shard);
/* The sizes of the files (stat); caller frees. */
long long *shard_file_sizes(char *const *files, int n_files);

#endif
