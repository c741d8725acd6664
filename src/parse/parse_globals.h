/* parse_globals.h — file-scope variable definitions and the variables
 * file-scope initialisers name (parse_globals.c), for IrUnit's
 * global_vars / global_var_escapes. */
#ifndef CONNLINT_PARSE_GLOBALS_H
#define CONNLINT_PARSE_GLOBALS_H

#include <clang-c/Index.h>

#include "common/util.h"
#include "ir/ir.h"

typedef VEC(IrGlobalVar) GlobalVarDefs;
typedef VEC(const char *) GlobalVarNames;

/* `var` is a file-scope VarDecl (outside system headers). */
void parse_global_var(Arena *a, CXCursor var, GlobalVarDefs *defs, GlobalVarNames *escapes);

/* A variable's initial value: its initialiser when that is an integer
 * constant, 0 when it has none (static storage); false otherwise. */
bool parse_var_initial_value(CXCursor var, long long *out);

/* An integer, enum or _Bool scalar type, not volatile. */
bool parse_integer_scalar(CXType t);

#endif
