/* compile_db.h — per-file compiler flags from compile_commands.json (both
 * the "arguments" and the "command" form, relative "directory"), reduced to
 * what libclang needs (-I, -D, -U, -include, -std, -isystem, ...; the
 * compiler, -c, -o and the source file dropped, relative -I made absolute). */
#ifndef CONNLINT_COMPILE_DB_H
#define CONNLINT_COMPILE_DB_H

#include <stdbool.h>

typedef struct CompileDb CompileDb;

/* path: a folder holding compile_commands.json, or the file itself.
 * Prints FILE:LINE:COL on a broken file and returns NULL. */
CompileDb *compile_db_load(const char *path);
/* Flags for `file` (absolute); NULL when the database has no entry. The
 * array is owned by the database; *n receives its length. */
char **compile_db_flags(const CompileDb *db, const char *file, int *n);
/* The files the database has entries for (absolute, normalised, sorted,
 * one each); borrowed, valid until compile_db_free. */
char *const *compile_db_files(const CompileDb *db, int *n);
void compile_db_free(CompileDb *db);

#endif
