/* parse_internal.h — shared between the parse stage files (parse.c,
 * parse_util.c, parse_expr.c, parse_stmt.c, parse_finish.c): the CFG builder
 * state for one function and the libclang helpers. Not part of the module's
 * interface (that is parse.h); nothing outside parse_*.c includes it. */
#ifndef CONNLINT_PARSE_INTERNAL_H
#define CONNLINT_PARSE_INTERNAL_H

#include <clang-c/Index.h>
#include <stdbool.h>

#include "ir/ir.h"
#include "parse/parse.h"
#include "common/strmap.h"
#include "common/util.h"

/* Hard limit on nesting (statements and expressions together). Deeper
 * input marks the function truncated instead of recursing further. */
#define PARSE_MAX_DEPTH 4000

/* parse_include_guard.c: the first literal #include of `path` (or of a header
 * it includes) that names a device, FIFO or socket, malloc'ed; NULL when
 * there is none. */
char *parse_find_special_include(const char *path, const char *const *args, int nargs);

/* parse_paths.c: realpath() of file names, memoised (a parse session holds
 * one for all the files it parses). */
typedef struct {
    StrMap map; /* name -> its realpath(), keys and values owned */
} RealPaths;

/* realpath() of `name` (owned by `rp`), or NULL when it fails. */
const char *real_paths_get(RealPaths *rp, const char *name);
void real_paths_free(RealPaths *rp);
/* The stack every file is parsed on (parse.c): room for clang's parser and
 * for PARSE_MAX_DEPTH levels of the IR builder, with a wide margin. */
#define PARSE_STACK_BYTES ((size_t)1 << 30)
/* Globals get provisional var indices from here; renumbered when the
 * function is finished so that they follow the locals. */
#define GLOBAL_VAR_BASE (1 << 24)

typedef VEC(CXCursor) CursorVec;
typedef VEC(int) IntVec;

/* ---- parse_util.c: libclang helpers ---- */

/* The direct children of a cursor, in order. */
void cursor_children(CXCursor c, CursorVec *out);
/* Skips parentheses, implicit casts (UnexposedExpr with one child) and
 * _Generic (to the association it selects, when that is certain); with
 * casts=true explicit casts too. */
CXCursor cursor_single_child(CXCursor c); /* the only child, or a null cursor (none or several) */
CXCursor cursor_strip(CXCursor c, bool casts);
/* A cursor's extent as an IrLoc (expansion locations). */
IrLoc loc_of_range(CXSourceRange r);
IrLoc loc_of_cursor(CXCursor c);
/* The last character of a range (a closing brace): a one-column IrLoc. */
IrLoc loc_end_char(IrLoc l);
/* Integer value of a constant expression; false when not constant (or too
 * complex to evaluate safely). */
bool const_eval(CXCursor c, long long *out);
/* parse_operators.c: operator spelling of a BinaryOperator / CompoundAssignOperator /
 * UnaryOperator ("==", "&&", "!", "++" ...); "" when unknown. For unary
 * operators *postfix tells x++ from ++x. */
typedef struct MacroCache MacroCache;
const char *binary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor c, char buf[8]);
/* Only from the tokens between the operands (false inside macro bodies). */
bool binary_op_direct(CXTranslationUnit tu, CXCursor c, char buf[8]);
const char *unary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor c, char buf[8], bool *postfix);
/* The same, for operators written inside a macro body (parse_operators.c).
 * The cache (one per translation unit) remembers each macro use's
 * definition and the operator candidates of its body. */
MacroCache *macro_cache_new(void);
void macro_cache_free(MacroCache *mc);
bool macro_binary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, CXCursor lhs, char buf[8]);
void macro_prime_statement(CXTranslationUnit tu, MacroCache *mc, CXCursor stmt);
bool macro_unary_op(CXTranslationUnit tu, MacroCache *mc, CXCursor whole, char buf[8]);
/* Source text of a cursor's extent, whitespace collapsed, at most ~160
 * characters (arena copy); NULL when unavailable. */
const char *cursor_text(Arena *a, CXTranslationUnit tu, CXCursor c);
/* The text of a cursor that is exactly one macro argument, as written at
 * the macro use ("c == NULL" in `unlikely(c == NULL)`); NULL otherwise
 * (also for code outside macros). */
const char *macro_argument_text(Arena *a, CXTranslationUnit tu, CXCursor c);
/* A callee that is a single object-like macro use (`#define mysql_init
 * (*p_mysql_init)`, `#define sqlite3_step sqlite3_api->step`): the
 * macro's name as written (arena), else NULL. Only for callees that are not
 * a function's name. */
const char *macro_callee_name(Arena *a, CXTranslationUnit tu, CXCursor callee);
/* The function a call's callee names never returns. */
bool callee_is_noreturn(CXTranslationUnit tu, CXCursor decl, const char *name, const NoreturnNames *names);
/* `__attribute__((cleanup(f)))` on a variable: f's name (arena), else NULL. */
const char *cleanup_function(Arena *a, CXTranslationUnit tu, CXCursor var);
/* arena copy of a CXString, disposing it */
const char *arena_cxstring(Arena *a, CXString s);

/* ---- cursor -> int map (variables) and string -> int map (labels) ---- */
typedef struct {
    CXCursor *keys;
    int *vals;
    unsigned cap, n;
} CursorMap;
int cursormap_get(const CursorMap *m, CXCursor c); /* -1 if absent */
void cursormap_put(CursorMap *m, CXCursor c, int v);
void cursormap_free(CursorMap *m);

/* ---- the CFG builder ---- */
typedef struct {
    VEC(IrEvent) ev;
    bool ended;
    IrTermKind term;
    IrCond cond;
    const char *cond_text;
    IrRef switch_on;
    VEC(IrCase) cases;
    int default_target;
    IntVec succ;
    IrLoc term_loc;
} BBlock;

typedef struct {
    int parent;       /* -1 for the function's outermost scope */
    IntVec cleanups;  /* variables with cleanup_fn, in declaration order */
    IntVec locals;    /* the other automatic variables declared here, in order:
                         they get EV_SCOPE_END when the scope is left other than
                         by a return (a return leaves the function: its exit
                         is where a held handle is reported) */
    bool no_local_ends; /* the function's outermost scope (its exits are the
                           returns) and statement expressions (their value
                           leaves the scope) */
} Scope;

typedef struct {
    int break_to, continue_to; /* block ids; continue_to -1 for a switch */
    int scope;                 /* the scope the statement is in */
    int sw;                    /* index into switches, or -1 for a loop */
} JumpCtx;

typedef struct {
    int head;
    VEC(IrCase) cases;
    int default_target;
    int exit;
} SwitchCtx;

typedef struct {
    char *name;
    int block;
    int scope;      /* -1 until the label statement is seen */
    bool addr_taken;
} Label;

typedef struct {
    int block, from_scope, label;
    IrLoc loc;
} PendingGoto;

typedef struct {
    CXCursor decl;   /* a split local array (parse_arrays.c) */
    long long index;
    int var;         /* the variable of element `index` */
} ArrayElement;

typedef struct {
    Arena *arena;
    CXTranslationUnit tu;
    MacroCache *macros;
    const NoreturnNames *noreturn; /* the session's (parse.h) */
    VEC(BBlock) blocks;
    int cur;
    CursorMap var_map;
    VEC(IrVar) locals;   /* parameters first */
    VEC(IrVar) globals;
    VEC(Scope) scopes;
    int scope;
    VEC(JumpCtx) jumps;
    VEC(SwitchCtx) switches;
    VEC(Label) labels;
    int *label_slots;    /* open-addressing index into labels by name; -1 empty */
    unsigned label_cap;
    VEC(PendingGoto) gotos;
    IntVec indirect_blocks;
    IntVec used_vars;    /* EV_USE already emitted in this statement */
    int n_calls;
    bool truncated;
    CursorMap split_arrays;  /* local array declaration -> 1 when split into elements */
    VEC(ArrayElement) elements;
} Builder;

/* parse_arrays.c: local arrays named only element by element, with a
 * constant index, are one variable per element. arrays_scan() decides
 * which, before the body is built; arrays_element_var() is the variable
 * of `a[K]` (a subscript cursor), or -1 when a is not split. */
void arrays_scan(Builder *b, CXCursor body);
int arrays_element_var(Builder *b, CXCursor subscript);

/* parse_stmt.c */
int bb_new(Builder *b);
/* The label of that name (created, with its block, when first named). */
int label_index(Builder *b, const char *name);
/* The key of a label statement (name + identity; see parse_stmt.c), or of
 * FALLBACK's spelling when LABEL_STMT is not one; malloc'ed. */
char *label_key(CXCursor label_stmt, CXCursor fallback);
void bb_emit(Builder *b, IrEvent ev);
void bb_jump(Builder *b, int to);              /* ends cur with a jump */
void bb_end(Builder *b, IrTermKind term);       /* ends cur without successors */
void bb_branch(Builder *b, IrCond cond, const char *text, IrLoc loc, int t, int f);
void stmt_build(Builder *b, CXCursor c, int depth);
void scope_push(Builder *b);
/* Leaves the current scope: scope ends of its cleanup variables at loc. */
void scope_pop_at(Builder *b, IrLoc loc);
void emit_scope_ends_of(Builder *b, int scope, IrLoc loc, bool with_locals);
void emit_return(Builder *b, IrRef value, IrLoc loc);

/* parse_expr.c: values */
IrRef expr_eval(Builder *b, CXCursor c, int depth);
void expr_discard(Builder *b, CXCursor c, int depth);
/* The variable for a declaration cursor (adds it when first seen). */
int var_for_decl(Builder *b, CXCursor decl);
IrEvent parse_event(IrEventKind kind, IrLoc loc);
void emit_assign_event(Builder *b, IrRef lhs, IrRef rhs, bool is_init, IrLoc loc);
/* `x++`, `x -= K`, `p = p + K`: the variable's old value plus a constant. */
void emit_add_event(Builder *b, IrRef place, long long add, IrLoc loc);
/* depth over PARSE_MAX_DEPTH: marks the function truncated */
bool parse_too_deep(Builder *b, int depth);
char *cursor_spelling(CXCursor c);                       /* malloc'ed */
bool cursor_children2(CXCursor c, CXCursor *l, CXCursor *r);
CXCursor cursor_first_expr(CXCursor c);                  /* first expression child */
const char *builder_binary_op(Builder *b, CXCursor c, char buf[8]);
/* __builtin_expect(e, v): *arg = e */
bool is_builtin_expect(CXCursor c, CXCursor *arg);
/* GNU `a ?: b` (libclang 14 shows a three times) */
bool split_gnu_conditional(CXCursor c, CXCursor *common, CXCursor *alt);
/* The operands of a left-nested chain of binary operators accepted by
 * keep(op, first), leftmost first, without recursion. */
typedef bool (*OpFilter)(const char *op, const char *first);
bool op_same(const char *op, const char *first);
void chain_operands(Builder *b, CXCursor c, OpFilter keep, const char *first, CursorVec *out);

/* parse_cond.c: conditions */
/* Branches to t when the condition holds, f when it does not. */
void cond_build(Builder *b, CXCursor c, int t, int f, int depth);
/* One atomic condition; emits the events of its operands. */
IrCond cond_reduce_atomic(Builder *b, CXCursor c, int depth);
/* '&', '|', ',', '?', '!' when c splits into several conditions; else 0 */
int cond_split_kind(Builder *b, CXCursor s, char buf[8]);
bool op_is_comparison(const char *op);
/* The condition's source text for messages: the macro argument when the
 * condition is one inside a macro's body, at most COND_TEXT_MAX characters
 * (cut between tokens, "..." appended); NULL when unavailable. */
#define COND_TEXT_MAX 80
const char *cond_text(Builder *b, CXCursor c);

/* parse_sink.c: assignments and returns */
/* Assignment of expression c to lhs (declaration initialiser when is_init). */
void expr_assign_to(Builder *b, IrRef lhs, CXCursor rhs, bool is_init, IrLoc loc, int depth);
/* lhs = common ?: alt (lhs REF_NONE: the value is only evaluated) */
void expr_assign_gnu_conditional(Builder *b, IrRef lhs, CXCursor common, CXCursor alt, bool is_init,
                                 IrLoc loc, int depth);
/* `return c;` */
void expr_return(Builder *b, CXCursor c, IrLoc loc, int depth);

/* parse_includes.c: the headers the unit read, for the cache */
void unit_record_includes(IrUnit *u, CXTranslationUnit tu, RealPaths *paths);

/* parse_attrs.c: allocator attributes of function declarations, read from
 * their tokens with the macros defined so far expanded */
typedef struct AttrScan AttrScan;
typedef VEC(IrAllocAttr) AllocAttrVec;
AttrScan *attr_scan_new(CXTranslationUnit tu);
void attr_scan_macro(AttrScan *s, CXCursor def);  /* each macro definition, in order */
void attr_scan_function(AttrScan *s, Arena *a, CXCursor decl, const char *file, AllocAttrVec *out);
void attr_scan_free(AttrScan *s);

/* parse_finish.c */
IrFunction *builder_finish(Builder *b, IrFunction *fn);
void builder_free(Builder *b);

#endif
