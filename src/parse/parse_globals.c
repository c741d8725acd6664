/* parse_globals.c — file-scope variables for the whole-program constants
 * pass (src/values/constants.c): each definition with its linkage, whether
 * its type is an integer scalar, and its initial value when that is an
 * integer constant (no initialiser: 0); and every variable a file-scope
 * initialiser names (`int *p = &flag;`), which may then be written through
 * a pointer the analysis does not see. For function pointers (values/
 * fn_pointers.c), the function an initialiser designates (`= close_quiet`,
 * `= &close_quiet`) or that there is none (no initialiser, a null
 * constant). Declarations (`extern int x;`) give no definition. */
#include "parse/parse_globals.h"

#include <string.h>

#include <clang-c/Index.h>

#include "parse/parse_internal.h"

bool parse_integer_scalar(CXType t)
{
    if (clang_isVolatileQualifiedType(t)) return false;
    t = clang_getCanonicalType(t);
    switch (t.kind) {
    case CXType_Bool:
    case CXType_Char_U:
    case CXType_UChar:
    case CXType_UShort:
    case CXType_UInt:
    case CXType_ULong:
    case CXType_ULongLong:
    case CXType_Char_S:
    case CXType_SChar:
    case CXType_Short:
    case CXType_Int:
    case CXType_Long:
    case CXType_LongLong:
    case CXType_Enum: return true;
    default: return false;
    }
}

typedef struct {
    Arena *arena;
    GlobalVarNames *escapes;
} EscapeScan;

static enum CXChildVisitResult scan_named_var(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    EscapeScan *es = data;
    if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(c);
        if (clang_getCursorKind(d) == CXCursor_VarDecl)
            VEC_PUSH(*es->escapes, arena_cxstring(es->arena, clang_getCursorSpelling(d)));
    }
    return CXChildVisit_Recurse;
}

/* The initial value: an integer constant initialiser, or none (0). */
bool parse_var_initial_value(CXCursor var, long long *out)
{
    CXCursor init = clang_Cursor_getVarDeclInitializer(var);
    if (clang_Cursor_isNull(init)) {
        *out = 0;
        return true;
    }
    CXEvalResult r = clang_Cursor_Evaluate(init);
    if (!r) return false;
    bool ok = clang_EvalResult_getKind(r) == CXEval_Int;
    if (ok) *out = clang_EvalResult_getAsLongLong(r);
    clang_EvalResult_dispose(r);
    return ok;
}

/* The function whose address the initialiser is (through parentheses,
 * casts and `&`), or NULL; *null: there is no initialiser or it is a null
 * pointer constant. */
static const char *initial_function(Arena *a, CXCursor var, bool *null)
{
    CXCursor init = clang_Cursor_getVarDeclInitializer(var);
    *null = clang_Cursor_isNull(init);
    if (*null) return NULL;
    CXCursor s = cursor_strip(init, true);
    if (clang_getCursorKind(s) == CXCursor_UnaryOperator) s = cursor_strip(cursor_first_expr(s), true);
    if (clang_getCursorKind(s) == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(s);
        if (clang_getCursorKind(d) == CXCursor_FunctionDecl) return arena_cxstring(a, clang_getCursorSpelling(d));
    }
    CXEvalResult r = clang_Cursor_Evaluate(cursor_strip(init, true));
    if (r) {
        *null = clang_EvalResult_getKind(r) == CXEval_Int && clang_EvalResult_getAsLongLong(r) == 0;
        clang_EvalResult_dispose(r);
    }
    return NULL;
}

void parse_global_var(Arena *a, CXCursor var, GlobalVarDefs *defs, GlobalVarNames *escapes)
{
    EscapeScan es = {a, escapes};
    clang_visitChildren(var, scan_named_var, &es);
    /* `int x;` at file scope is a tentative definition (no extern, no
     * initialiser): the function pointers pass reads it, constants do not */
    bool tentative = !clang_isCursorDefinition(var) && clang_Cursor_getStorageClass(var) != CX_SC_Extern &&
                     clang_Cursor_isNull(clang_Cursor_getVarDeclInitializer(var));
    if (!clang_isCursorDefinition(var) && !tentative) return;
    IrGlobalVar g;
    memset(&g, 0, sizeof g);
    g.tentative = tentative;
    g.name = arena_cxstring(a, clang_getCursorSpelling(var));
    g.is_static = clang_getCursorLinkage(var) == CXLinkage_Internal;
    g.is_integer = parse_integer_scalar(clang_getCursorType(var));
    g.has_value = g.is_integer && parse_var_initial_value(var, &g.value);
    g.init_func = initial_function(a, var, &g.init_null);
    VEC_PUSH(*defs, g);
}
