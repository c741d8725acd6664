/* parse.h — the parse stage: the only module that uses libclang. One call
 * parses one translation unit, builds the IR of every function defined in
 * it (and in project headers it includes) and disposes of the translation
 * unit. Safe to call from several threads, each with its own ParseSession. */
#ifndef CONNLINT_PARSE_H
#define CONNLINT_PARSE_H

#include "common/strmap.h"
#include "ir/ir.h"

typedef struct ParseSession ParseSession;

/* The names of the functions that never return, an input of the parse
 * stage (the rule packs' "noreturn": the libc pack's exit, abort, ...): a
 * call of one ends the path, like a call of a function declared _Noreturn.
 * Borrowed maps (name -> any value); either may be NULL. */
typedef struct {
    const StrMap *always;      /* wherever they are declared */
    const StrMap *system_only; /* only when declared in a system header */
} NoreturnNames;

/* `noreturn` is copied (the maps stay borrowed); NULL: no names, only the
 * declarations' own attributes say a function never returns. */
ParseSession *parse_session_new(const NoreturnNames *noreturn);

/* Also record the allocator attributes of function declarations
 * (IrUnit.alloc_attrs); off unless set. */
void parse_session_read_attributes(ParseSession *s, bool on);
void parse_session_free(ParseSession *s);

/* The version of the libclang in use, e.g. "Debian clang version 19.1.7";
 * a malloc'ed string. */
char *parse_libclang_version(void);

/* path: absolute; args: compiler arguments (not including the file).
 * Never returns NULL: a file libclang cannot read gives parse_failed with a
 * diagnostic. */
IrUnit *parse_unit(ParseSession *s, const char *path, const char *const *args, int nargs);

#endif
