/* parse.c — the parse stage entry point (parse.h): checks that the file is
 * readable text of a sane size, parses it with libclang (KeepGoing; the
 * detailed preprocessing record, for operators written in macro bodies;
 * -w, as warnings are never used), records the first errors, builds the IR
 * of every function defined in the main file or a project (non-system)
 * header (has_errors when an error lies inside the definition; clang's
 * rejection of GCC's malloc(dealloc) form is no error), collects function
 * names used in file-scope initialisers and, when asked, the allocator
 * attributes of function declarations (parse_attrs.c), and
 * disposes of the translation unit. The CFG itself is built by
 * parse_stmt.c (statements), parse_expr.c (values), parse_cond.c
 * (conditions), parse_sink.c (assignments, returns) and parse_finish.c.
 * No global mutable state: one CXIndex per ParseSession. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse/parse.h"
#include "parse/parse_internal.h"
#include "parse/parse_globals.h"

#define MAX_FILE_BYTES (20L * 1024 * 1024)
#define MAX_ERROR_DIAGS 5
#define MAX_WARNING_DIAGS 5

struct ParseSession {
    CXIndex index;
    NoreturnNames noreturn;
    bool read_attributes;
    RealPaths real_paths; /* a worker parses many files that read the
                             same headers */
};

static void keep_libclang_on_our_thread(void)
{
    setenv("LIBCLANG_NOTHREADS", "1", 1);
}

ParseSession *parse_session_new(const NoreturnNames *noreturn)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, keep_libclang_on_our_thread);
    ParseSession *s = xcalloc(1, sizeof *s);
    s->index = clang_createIndex(0, 0);
    if (noreturn) s->noreturn = *noreturn;
    return s;
}

void parse_session_read_attributes(ParseSession *s, bool on)
{
    s->read_attributes = on;
}

void parse_session_free(ParseSession *s)
{
    if (!s) return;
    real_paths_free(&s->real_paths);
    clang_disposeIndex(s->index);
    free(s);
}

typedef struct {
    CXFile file;
    const char *path;
} FilePath;

/* Where an error diagnostic is (expansion location: an error in a macro
 * use counts where the macro is used). */
typedef struct {
    CXFile file;
    unsigned offset;
} ErrorAt;

typedef struct {
    IrUnit *unit;
    ParseSession *session;
    CXTranslationUnit tu;
    MacroCache *macros;
    const NoreturnNames *noreturn;
    VEC(FilePath) paths;
    VEC(IrFunction) functions;
    VEC(IrGlobalRef) global_refs;
    GlobalVarDefs global_vars;
    GlobalVarNames global_var_escapes;
    VEC(IrDiag) diags;
    VEC(ErrorAt) errors_at; /* every error of the TU, not only the first few */
    AttrScan *attrs;        /* NULL: allocator attributes are not read */
    AllocAttrVec alloc_attrs;
    int n_errors, n_warnings;
} UnitBuild;

static void add_diag(UnitBuild *ub, const char *file, int line, int col, const char *msg, bool is_error)
{
    if (is_error) {
        ub->unit->has_errors = true;
        if (ub->n_errors++ >= MAX_ERROR_DIAGS) return;
    } else if (ub->n_warnings++ >= MAX_WARNING_DIAGS) {
        return;
    }
    Arena *a = ub->unit->arena;
    IrDiag d = {arena_strdup(a, file ? file : ub->unit->main_file), line, col, arena_strdup(a, msg), is_error};
    VEC_PUSH(ub->diags, d);
}

/* Absolute, normalised path of a clang file (cached per file). */
static const char *file_path(UnitBuild *ub, CXFile f)
{
    for (int i = 0; i < ub->paths.len; i++)
        if (clang_File_isEqual(ub->paths.items[i].file, f)) return ub->paths.items[i].path;
    CXString name = clang_getFileName(f);
    const char *n = clang_getCString(name);
    const char *real = n ? real_paths_get(&ub->session->real_paths, n) : NULL;
    FilePath fp = {f, arena_strdup(ub->unit->arena, real ? real : (n ? n : ""))};
    clang_disposeString(name);
    VEC_PUSH(ub->paths, fp);
    return fp.path;
}

/* ---- checks before libclang sees the file ---- */

static bool file_is_parsable(UnitBuild *ub, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        char *m = xasprintf("cannot read file: %s", strerror(errno));
        add_diag(ub, path, 0, 0, m, true);
        free(m);
        return false;
    }
    if (st.st_size > MAX_FILE_BYTES) {
        char *m = xasprintf("file too large to analyse (%lld MB; the limit is %ld MB)",
                            (long long)(st.st_size / (1024 * 1024)), MAX_FILE_BYTES / (1024 * 1024));
        add_diag(ub, path, 0, 0, m, true);
        free(m);
        return false;
    }
    size_t len = 0;
    char *text = read_file_all(path, &len);
    if (!text) {
        char *m = xasprintf("cannot read file: %s", read_error_text(errno));
        add_diag(ub, path, 0, 0, m, true);
        free(m);
        return false;
    }
    bool has_nul = memchr(text, '\0', len) != NULL;
    free(text);
    if (has_nul) {
        add_diag(ub, path, 0, 0, "not a C source file (it contains NUL bytes)", true);
        return false;
    }
    return true;
}

/* GCC 11's malloc(dealloc[, N]) attribute, which clang (14 to 19 at
 * least) rejects with "'malloc' attribute takes no arguments": the
 * attribute is dropped and nothing else is lost, so it is no error of the
 * code (parse_attrs.c reads the pair from the tokens). */
static bool is_gcc_malloc_argument_error(const char *msg)
{
    return msg && (strcmp(msg, "'malloc' attribute takes no arguments") == 0 ||
                   strcmp(msg, "'__malloc__' attribute takes no arguments") == 0);
}

static void collect_clang_diags(UnitBuild *ub)
{
    unsigned n = clang_getNumDiagnostics(ub->tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(ub->tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev >= CXDiagnostic_Error) {
            CXString spelled = clang_getDiagnosticSpelling(d);
            bool harmless = is_gcc_malloc_argument_error(clang_getCString(spelled));
            clang_disposeString(spelled);
            if (harmless) sev = CXDiagnostic_Ignored;
        }
        if (sev >= CXDiagnostic_Error) {
            CXFile f;
            unsigned line, col, offset;
            clang_getExpansionLocation(clang_getDiagnosticLocation(d), &f, &line, &col, &offset);
            if (f) {
                ErrorAt at = {f, offset};
                VEC_PUSH(ub->errors_at, at);
            }
            CXString msg = clang_getDiagnosticSpelling(d);
            add_diag(ub, f ? file_path(ub, f) : NULL, (int)line, (int)col, clang_getCString(msg), true);
            clang_disposeString(msg);
        }
        clang_disposeDiagnostic(d);
    }
}

/* ---- functions ---- */

static CXCursor function_body(CXCursor fn)
{
    CursorVec k = {0};
    cursor_children(fn, &k);
    CXCursor body = clang_getNullCursor();
    for (int i = 0; i < k.len; i++)
        if (clang_getCursorKind(k.items[i]) == CXCursor_CompoundStmt) body = k.items[i];
    VEC_FREE(k);
    return body;
}

/* Does an error of the translation unit lie inside the definition (from
 * its first token, the return type, to the body's closing brace)? Errors
 * in headers it includes or in other functions do not count. */
static bool definition_has_errors(UnitBuild *ub, CXCursor fn)
{
    if (!ub->errors_at.len) return false;
    CXSourceRange r = clang_getCursorExtent(fn);
    CXFile f1, f2;
    unsigned begin, end;
    clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &begin);
    clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &end);
    if (!f1 || !f2 || !clang_File_isEqual(f1, f2)) return false;
    for (int i = 0; i < ub->errors_at.len; i++) {
        const ErrorAt *e = &ub->errors_at.items[i];
        if (clang_File_isEqual(e->file, f1) && e->offset >= begin && e->offset < end) return true;
    }
    return false;
}

static void emit_implicit_return(Builder *b, CXCursor body)
{
    IrLoc loc = loc_end_char(loc_of_cursor(body));
    IrEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_RETURN;
    ev.loc = loc;
    ev.u.ret.value = ir_ref_none();
    ev.u.ret.implicit = true;
    bb_emit(b, ev);
    bb_end(b, TERM_RETURN);
}

static void function_header(UnitBuild *ub, CXCursor c, IrFunction *fn, const char *file)
{
    Arena *a = ub->unit->arena;
    fn->name = arena_cxstring(a, clang_getCursorSpelling(c));
    fn->file = file;
    fn->is_static = clang_Cursor_getStorageClass(c) == CX_SC_Static;
    fn->in_header = !clang_Location_isFromMainFile(clang_getCursorLocation(c));
    CXType rt = clang_getResultType(clang_getCursorType(c));
    fn->return_type = arena_cxstring(a, clang_getTypeSpelling(rt));
    fn->returns_pointer = clang_getCanonicalType(rt).kind == CXType_Pointer;
    unsigned line, col;
    clang_getExpansionLocation(clang_getCursorLocation(c), NULL, &line, &col, NULL);
    fn->loc.line = fn->loc.end_line = (int)line;
    fn->loc.col = (int)col;
    fn->loc.end_col = (int)(col + strlen(fn->name));
}

static void build_function(UnitBuild *ub, CXCursor c, const char *file)
{
    CXCursor body = function_body(c);
    if (clang_Cursor_isNull(body)) return;
    IrFunction fn;
    memset(&fn, 0, sizeof fn);
    function_header(ub, c, &fn, file);
    fn.body = loc_of_cursor(body);
    fn.has_errors = definition_has_errors(ub, c);
    Builder b;
    memset(&b, 0, sizeof b);
    b.arena = ub->unit->arena;
    b.tu = ub->tu;
    b.macros = ub->macros;
    b.noreturn = ub->noreturn;
    b.scope = -1;
    b.cur = bb_new(&b);
    int np = clang_Cursor_getNumArguments(c);
    for (int i = 0; i < np; i++) var_for_decl(&b, clang_Cursor_getArgument(c, i));
    fn.n_params = np > 0 ? np : 0;
    arrays_scan(&b, body);
    stmt_build(&b, body, 0);
    emit_implicit_return(&b, body);
    builder_finish(&b, &fn);
    if (fn.truncated) {
        char *m = xasprintf("function '%s' is nested too deeply (more than %d levels); "
                            "it is analysed only in part and its findings are not reported",
                            fn.name, PARSE_MAX_DEPTH);
        add_diag(ub, file, fn.loc.line, fn.loc.col, m, false);
        free(m);
    }
    builder_free(&b);
    VEC_PUSH(ub->functions, fn);
}

/* ---- function names in file-scope initialisers ---- */

typedef struct {
    UnitBuild *ub;
    const char *file;
} RefScan;

static enum CXChildVisitResult scan_global_ref(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    RefScan *rs = data;
    if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(c);
        if (clang_getCursorKind(d) == CXCursor_FunctionDecl) {
            IrGlobalRef g;
            g.name = arena_cxstring(rs->ub->unit->arena, clang_getCursorSpelling(d));
            g.file = rs->file;
            g.loc = loc_of_cursor(c);
            VEC_PUSH(rs->ub->global_refs, g);
        }
    }
    return CXChildVisit_Recurse; /* libclang walks expressions with a work list */
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    UnitBuild *ub = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_MacroDefinition) {
        if (ub->attrs) attr_scan_macro(ub->attrs, c); /* system headers' too: a project may use them */
        return CXChildVisit_Continue;
    }
    CXSourceLocation loc = clang_getCursorLocation(c);
    if (clang_Location_isInSystemHeader(loc)) return CXChildVisit_Continue;
    if (k != CXCursor_FunctionDecl && k != CXCursor_VarDecl) return CXChildVisit_Continue;
    CXFile f;
    clang_getExpansionLocation(loc, &f, NULL, NULL, NULL);
    if (!f) return CXChildVisit_Continue;
    const char *file = file_path(ub, f);
    if (k == CXCursor_FunctionDecl) {
        if (ub->attrs) attr_scan_function(ub->attrs, ub->unit->arena, c, file, &ub->alloc_attrs);
        if (clang_isCursorDefinition(c)) build_function(ub, c, file);
    } else {
        RefScan rs = {ub, file};
        clang_visitChildren(c, scan_global_ref, &rs);
        parse_global_var(ub->unit->arena, c, &ub->global_vars, &ub->global_var_escapes);
    }
    return CXChildVisit_Continue;
}

static void unit_copy_out(UnitBuild *ub)
{
    IrUnit *u = ub->unit;
    Arena *a = u->arena;
    u->n_functions = ub->functions.len;
    if (u->n_functions) u->functions = arena_dup(a, ub->functions.items, sizeof(IrFunction) * (size_t)u->n_functions);
    u->n_global_refs = ub->global_refs.len;
    if (u->n_global_refs)
        u->global_refs = arena_dup(a, ub->global_refs.items, sizeof(IrGlobalRef) * (size_t)u->n_global_refs);
    u->n_global_vars = ub->global_vars.len;
    if (u->n_global_vars)
        u->global_vars = arena_dup(a, ub->global_vars.items, sizeof(IrGlobalVar) * (size_t)u->n_global_vars);
    u->n_global_var_escapes = ub->global_var_escapes.len;
    if (u->n_global_var_escapes)
        u->global_var_escapes =
            arena_dup(a, ub->global_var_escapes.items, sizeof(const char *) * (size_t)u->n_global_var_escapes);
    VEC_FREE(ub->global_vars);
    VEC_FREE(ub->global_var_escapes);
    u->n_alloc_attrs = ub->alloc_attrs.len;
    if (u->n_alloc_attrs)
        u->alloc_attrs = arena_dup(a, ub->alloc_attrs.items, sizeof(IrAllocAttr) * (size_t)u->n_alloc_attrs);
    VEC_FREE(ub->alloc_attrs);
    u->n_diags = ub->diags.len;
    if (u->n_diags) u->diags = arena_dup(a, ub->diags.items, sizeof(IrDiag) * (size_t)u->n_diags);
    VEC_FREE(ub->paths);
    VEC_FREE(ub->functions);
    VEC_FREE(ub->global_refs);
    VEC_FREE(ub->diags);
    VEC_FREE(ub->errors_at);
}

static IrUnit *parse_unit_here(ParseSession *s, const char *path, const char *const *args, int nargs)
{
    char *real = realpath(path, NULL);
    UnitBuild ub;
    memset(&ub, 0, sizeof ub);
    ub.unit = ir_unit_new(real ? real : path);
    ub.session = s;
    ub.noreturn = &s->noreturn;
    free(real);
    if (!file_is_parsable(&ub, path)) {
        ub.unit->parse_failed = true;
        unit_copy_out(&ub);
        return ub.unit;
    }
    char *special = parse_find_special_include(path, args, nargs);
    if (special) {
        char *m = xasprintf("includes '%s', which is not a regular file (a device, FIFO or socket): not parsed", special);
        add_diag(&ub, path, 0, 0, m, true);
        free(m);
        free(special);
        ub.unit->parse_failed = true;
        unit_copy_out(&ub);
        return ub.unit;
    }
    /* -w: warnings are never used, some are costly (quadratic on long &&
     * chains), and a project's -Werror must not turn them into errors.
     * Lenient: clang 16+ makes implicit function declarations, implicit int
     * and int/pointer conversions errors, which GCC (building most of these
     * projects) accepts; as warnings they are silenced by -w and the
     * functions holding them are analysed. Nothing else is downgraded. */
    static const char *const lenient[] = {
        "-w",
        "-Wno-error=implicit-function-declaration",
        "-Wno-error=implicit-int",
        "-Wno-error=int-conversion",
    };
    int n_lenient = (int)(sizeof lenient / sizeof lenient[0]);
    const char **all = xcalloc((size_t)nargs + (size_t)n_lenient + 1, sizeof(char *));
    for (int i = 0; i < nargs; i++) all[i] = args[i];
    for (int i = 0; i < n_lenient; i++) all[nargs + i] = lenient[i];
    enum CXErrorCode err = clang_parseTranslationUnit2(s->index, path, all, nargs + n_lenient, NULL, 0,
                                                       CXTranslationUnit_KeepGoing | CXTranslationUnit_DetailedPreprocessingRecord, &ub.tu);
    free(all);
    if (err != CXError_Success || !ub.tu) {
        char *m = err == CXError_Crashed
                      ? xstrdup("libclang crashed parsing the file (or ran out of memory)")
                      : xasprintf("libclang could not parse the file (error %d)", (int)err);
        add_diag(&ub, path, 0, 0, m, true);
        free(m);
        ub.unit->parse_failed = true;
        unit_copy_out(&ub);
        return ub.unit;
    }
    collect_clang_diags(&ub);
    unit_record_includes(ub.unit, ub.tu, &s->real_paths);
    ub.macros = macro_cache_new();
    if (s->read_attributes) ub.attrs = attr_scan_new(ub.tu);
    clang_visitChildren(clang_getTranslationUnitCursor(ub.tu), visit_top, &ub);
    attr_scan_free(ub.attrs);
    macro_cache_free(ub.macros);
    clang_disposeTranslationUnit(ub.tu);
    unit_copy_out(&ub);
    return ub.unit;
}

/* ---- parsing on a thread with a large stack ----
 * Deep nesting (10,000 unbraced ifs, 100,000 &&, 3,000 '!') makes clang's
 * parser and the IR builder recurse deeply: on the 8 MiB default stack (and
 * on the 8 MiB thread libclang itself starts unless LIBCLANG_NOTHREADS is
 * set) that is a SIGSEGV that ends the whole run. Every file is parsed on a
 * thread of its own with PARSE_STACK_BYTES of stack (address space only:
 * pages are used as they are touched), and libclang is told to stay on it. */

typedef struct {
    ParseSession *s;
    const char *path;
    const char *const *args;
    int nargs;
    IrUnit *unit;
} ParseCall;

static void *parse_call(void *arg)
{
    ParseCall *c = arg;
    c->unit = parse_unit_here(c->s, c->path, c->args, c->nargs);
    return NULL;
}

IrUnit *parse_unit(ParseSession *s, const char *path, const char *const *args, int nargs)
{
    ParseCall call = {s, path, args, nargs, NULL};
    pthread_attr_t attr;
    pthread_t thread;
    bool started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, PARSE_STACK_BYTES) == 0 &&
                   pthread_create(&thread, &attr, parse_call, &call) == 0;
    pthread_attr_destroy(&attr);
    if (started) pthread_join(thread, NULL);
    else parse_call(&call); /* no address space for the stack: parse here */
    return call.unit;
}

char *parse_libclang_version(void)
{
    CXString v = clang_getClangVersion();
    const char *t = clang_getCString(v);
    char *out = xstrdup(t ? t : "unknown");
    clang_disposeString(v);
    return out;
}
