/* init.h — `connlint --init`: a starter .connlint.json for the tree below
 * the current directory. */
#ifndef CONNLINT_INIT_H
#define CONNLINT_INIT_H

/* Writes ./.connlint.json (never over an existing one) from what the tree
 * shows: the built-in packs whose "headers" its C files include, handler
 * globs for folders named like request handlers, the compile database if
 * one is found. Scans `paths` (the current directory when n_paths is 0).
 * Prints what it chose on stderr. Returns the exit status (0, or 2 on an
 * error or an existing file). */
int init_write_config(char **paths, int n_paths);

#endif
