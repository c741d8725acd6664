/* sarif_merge.h — `connlint merge A.sarif B.sarif ... [-o OUT]`: one SARIF
 * log from the logs of the shards of one run (--shard K/N), equal to the
 * log an unsharded run writes: same results in the same order, with the
 * same fingerprints, and the files that failed to parse of every shard.
 * The inputs must come from the same connlint version and the same
 * %SRCROOT%; anything else is an error. */
#ifndef CONNLINT_SARIF_MERGE_H
#define CONNLINT_SARIF_MERGE_H

/* Returns the exit status: 0, or 2 with a message (FILE: what is wrong). */
int sarif_merge_files(char *const *inputs, int n_inputs, const char *output);

#endif
