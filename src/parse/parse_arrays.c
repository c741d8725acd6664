/* parse_arrays.c — a local array whose elements are only ever named with
 * a constant index (`int fds[2]; fds[0] = open(...); close(fds[1]);`) is
 * a set of separate variables, one per element named (`fds[0]`, `fds[1]`):
 * each element then holds its own handle, as a scalar local would (issue
 * 12, form 11). The array is split only when every mention of it in the
 * body is such an element, the index is within the array's bounds, the
 * elements are scalars (pointers, integers) and the array has no
 * initialiser; an array passed whole (`pipe(fds)`), indexed by a variable,
 * taken the address of, or named in `sizeof` stays one variable whose
 * elements are reached through it (and a handle stored there is not
 * followed). Globals, static locals and arrays of records are never split.
 * No IR is built here: the builder asks arrays_element_var(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_internal.h"

#define MAX_ELEMENTS 64

/* A local array of at most MAX_ELEMENTS scalar elements, without
 * initialiser: its size, else -1. */
static long long splittable_size(CXCursor decl)
{
    if (clang_getCursorKind(decl) != CXCursor_VarDecl) return -1;
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(decl);
    if (sc == CX_SC_Static || sc == CX_SC_Extern) return -1;
    if (clang_getCursorKind(clang_getCursorSemanticParent(decl)) == CXCursor_TranslationUnit) return -1;
    if (!clang_Cursor_isNull(clang_Cursor_getVarDeclInitializer(decl))) return -1;
    CXType t = clang_getCanonicalType(clang_getCursorType(decl));
    if (t.kind != CXType_ConstantArray) return -1;
    CXType el = clang_getCanonicalType(clang_getArrayElementType(t));
    if (el.kind != CXType_Pointer && !(el.kind >= CXType_Bool && el.kind <= CXType_LongLong) &&
        el.kind != CXType_Enum)
        return -1;
    long long n = clang_getArraySize(t);
    return n > 0 && n <= MAX_ELEMENTS ? n : -1;
}

/* `a[K]`: the array's declaration and K, when a is a splittable array. */
static bool element_of(CXCursor subscript, CXCursor *decl, long long *k)
{
    CXCursor base, index;
    if (!cursor_children2(subscript, &base, &index)) return false;
    base = cursor_strip(base, false);
    if (clang_getCursorKind(base) != CXCursor_DeclRefExpr) return false;
    *decl = clang_getCursorReferenced(base);
    long long n = splittable_size(*decl);
    return n > 0 && const_eval(index, k) && *k >= 0 && *k < n;
}

typedef struct {
    VEC(CXSourceLocation) ok_refs; /* where the bases of elements are */
    CursorMap *verdict;            /* array declaration -> 1 split, 0 not */
} Scan;

/* Is this mention of the array the base of an element (by location: the
 * cursors of one expression reached two ways need not compare equal)? */
static bool is_ok_ref(const Scan *s, CXCursor ref)
{
    CXSourceLocation at = clang_getCursorLocation(ref);
    for (int i = s->ok_refs.len - 1; i >= 0; i--)
        if (clang_equalLocations(s->ok_refs.items[i], at)) return true;
    return false;
}

static enum CXChildVisitResult scan_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    Scan *s = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    CXCursor decl;
    long long idx;
    if (k == CXCursor_ArraySubscriptExpr && element_of(c, &decl, &idx)) {
        CXCursor base, index;
        cursor_children2(c, &base, &index);
        VEC_PUSH(s->ok_refs, clang_getCursorLocation(cursor_strip(base, false)));
    } else if (k == CXCursor_DeclRefExpr) {
        decl = clang_getCursorReferenced(c);
        if (splittable_size(decl) > 0) {
            bool ok = is_ok_ref(s, c);
            int was = cursormap_get(s->verdict, decl);
            if (!ok) cursormap_put(s->verdict, decl, 0);
            else if (was < 0) cursormap_put(s->verdict, decl, 1);
        }
    }
    return CXChildVisit_Recurse;
}

void arrays_scan(Builder *b, CXCursor body)
{
    Scan s;
    memset(&s, 0, sizeof s);
    s.verdict = &b->split_arrays;
    clang_visitChildren(body, scan_visit, &s);
    VEC_FREE(s.ok_refs);
}

int arrays_element_var(Builder *b, CXCursor subscript)
{
    CXCursor decl;
    long long k;
    if (!element_of(subscript, &decl, &k) || cursormap_get(&b->split_arrays, decl) != 1) return -1;
    for (int i = 0; i < b->elements.len; i++)
        if (b->elements.items[i].index == k && clang_equalCursors(b->elements.items[i].decl, decl))
            return b->elements.items[i].var;
    int whole = var_for_decl(b, decl); /* the array itself: declared, never named */
    IrVar var = b->locals.items[whole];
    char name[256];
    snprintf(name, sizeof name, "%s[%lld]", var.name, k);
    var.name = arena_strdup(b->arena, name);
    CXType el = clang_getArrayElementType(clang_getCursorType(decl));
    var.type = arena_cxstring(b->arena, clang_getTypeSpelling(el));
    var.is_pointer = clang_getCanonicalType(el).kind == CXType_Pointer;
    var.is_record = var.is_union = false;
    var.cleanup_fn = NULL;
    VEC_PUSH(b->locals, var);
    ArrayElement e = {decl, k, b->locals.len - 1};
    VEC_PUSH(b->elements, e);
    return e.var;
}
