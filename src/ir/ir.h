/* ir.h — the intermediate representation that every check works on.
 *
 * The parse stage (parse.c, the only user of libclang) turns each function
 * of a translation unit into an IrFunction: a control-flow graph of basic
 * blocks whose events are the things that matter to resources — calls,
 * copies of values, returns, uses, scope ends — with source locations already
 * mapped to the line the user wrote (macro expansions map to the expansion
 * site). Conditions are reduced to "REF OP CONSTANT" where possible.
 * Checks and summaries read only this; unit tests can build it by hand.
 *
 * Ownership: every pointer inside an IrUnit lives in the unit's arena and is
 * freed with ir_unit_free().
 */
#ifndef CONNLINT_IR_H
#define CONNLINT_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"

/* A source range: 1-based lines and columns (columns in bytes, as clang
 * reports them). end_* is the last character's position + 1 column. The file
 * is the enclosing function's file unless stated otherwise. */
typedef struct {
    int line, col, end_line, end_col;
} IrLoc;

typedef enum {
    VAR_LOCAL,  /* automatic variable of this function */
    VAR_PARAM,  /* parameter; param_index says which */
    VAR_GLOBAL, /* file-scope or extern variable, or a static local */
} IrVarStorage;

typedef struct {
    const char *name;
    IrVarStorage storage;
    int param_index;        /* VAR_PARAM: 0-based; else -1 */
    const char *type;       /* type spelling, e.g. "PGconn *", "struct db_session" */
    bool is_pointer;        /* the variable's type is a pointer */
    bool is_record;         /* the variable's type is a struct/union (by value) */
    bool is_union;          /* the variable is a union, or points to one: its
                               members share one place (src/values/unions.c) */
    const char *cleanup_fn; /* __attribute__((cleanup(fn))): fn's name, else NULL */
    bool has_static_value;  /* a static local of integer type whose initialiser
                               is the integer constant static_value (none: 0) */
    long long static_value;
    IrLoc loc;              /* the declaration */
} IrVar;

/* A value or place, reduced to what resources care about. */
typedef enum {
    REF_NONE = 0,   /* nothing (void return, missing value) */
    REF_VAR,        /* x */
    REF_ADDR,       /* &x */
    REF_FIELD,      /* x.f, x->f, x->a.b: base var + field path */
    REF_ADDR_FIELD, /* &x.f, &x->f */
    REF_DEREF,      /* *x, x[i], (*x).f ... : a place reached through pointer x */
    REF_CALL,       /* the value returned by call event with id `call` */
    REF_CONST,      /* integer constant, NULL is 0: `value` */
    REF_OTHER,      /* any other expression */
} IrRefKind;

typedef struct {
    IrRefKind kind;
    int var;           /* VAR, ADDR, FIELD, ADDR_FIELD, DEREF: index into fn->vars; else -1 */
    const char *field; /* FIELD, ADDR_FIELD: path after the variable: "db", "ctx.db" */
    bool via_pointer;  /* FIELD, ADDR_FIELD: the first step is "->" (the struct is
                          not the variable itself but what it points to) */
    int call;          /* REF_CALL: id of the call */
    long long value;   /* REF_CONST */
} IrRef;

typedef enum {
    CALLEE_DIRECT,   /* f(...): callee is the function's name */
    CALLEE_MEMBER,   /* s.f(...), p->f(...), (*p->f)(...): callee is the field name */
    CALLEE_INDIRECT, /* any other call through a pointer: callee is NULL */
} IrCalleeKind;

typedef struct {
    int id;                  /* unique within the function, in evaluation order; the
                                copies a call through a function pointer with several
                                known targets becomes (values/fn_pointers.c) share
                                the id, one copy on each path */
    IrCalleeKind callee_kind;
    const char *callee;      /* function name or field name; NULL for INDIRECT */
    IrRef base;              /* MEMBER: the struct expression the field is read from
                                (s.cleanup(&s): VAR s; sp->cleanup(sp): VAR sp with
                                via_pointer; ctx->db.close(x): FIELD ctx "db") */
    IrRef *args;
    int nargs;
    bool noreturn;           /* the callee never returns (exit, abort, _Noreturn, ...) */
    bool callee_system;      /* DIRECT: the callee is declared in a system header
                                (the C library, an installed library) */
    IrLoc loc;               /* the whole call expression */
    const char *spelled;     /* the name written at the call when a macro turned it into
                                another callee (sqlite3ext.h: sqlite3_prepare_v2 ->
                                sqlite3_api->prepare_v2; dlsym'd `#define mysql_init
                                (*p_mysql_init)`), else NULL */
    int callee_var;          /* INDIRECT: the variable holding the function pointer
                                called (`fp(x)`, `(*fp)(x)`), an index into fn->vars;
                                else -1. The values stage (src/values/fn_pointers.c)
                                turns such a call into direct calls of the functions
                                the variable can hold, when it knows them all */
    int callback_arg;        /* 1 + the index of the first argument of function-pointer
                                type that is not a null constant (`event_set(ev, fd,
                                EV_READ, on_read, ctx)`: 4), 0 if none: the shape of a
                                call registering a callback with its user data */
} IrCall;

typedef enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } IrCmp;

/* A condition "ref OP value". known=false: the parse stage could not reduce
 * it (then ref/op/value mean nothing and both branches are possible).
 * `x` is {x, NE, 0}; `!x` and `x == NULL` are {x, EQ, 0}; `x < 0` is
 * {x, LT, 0}; `0 != x` is normalised to {x, NE, 0}; `if (0)` is
 * {REF_CONST 0, NE, 0}. */
typedef struct {
    bool known;
    IrRef ref;
    IrCmp op;
    long long value;
    IrRef ref2;   /* REF_NONE, or for "a == b" / "a != b" between two references
                     (known is false): ref = a, op = CMP_EQ/CMP_NE, ref2 = b */
} IrCond;

typedef enum {
    EV_CALL,        /* a call (u.call) */
    EV_ASSIGN,      /* lhs = rhs, or a declaration with initialiser (u.assign) */
    EV_ASSIGN_COND, /* lhs = (comparison): a flag derived from a value (u.assign_cond) */
    EV_USE,         /* ref read in a way other than as a call argument: *p, p->f,
                       p used in arithmetic or passed to something else (u.use) */
    EV_RETURN,      /* leaving the function: `return value;` or the closing brace
                       (u.ret). Always the last event of a TERM_RETURN block. */
    EV_SCOPE_END,   /* variable leaves its scope (u.scope). Emitted for variables
                       with cleanup_fn on every way out of their scope, in the
                       order the cleanups run; the cleanup call is implied. */
    EV_FUNC_REF,    /* a function's name used as a value, not called (u.func_ref):
                       `.connect = PQconnectdb`, `fp = &get_db` */
} IrEventKind;

typedef struct {
    IrEventKind kind;
    IrLoc loc;
    union {
        IrCall call;
        struct {
            IrRef lhs, rhs;
            bool is_init; /* declaration with initialiser */
            bool adds;    /* lhs (a variable) becomes its old value + add: `x++`,
                             `x -= 2` (rhs is <other>; not shown by --dump-cfg) */
            long long add;
            const char *func; /* the value is this function's address (`fp = f`,
                                 `fp = &f`, through casts), else NULL */
        } assign;
        struct {
            IrRef lhs;
            IrCond cond;
        } assign_cond;
        struct {
            IrRef ref;
        } use;
        struct {
            IrRef value;
            bool implicit; /* end of body without a return statement */
        } ret;
        struct {
            int var;
        } scope;
        struct {
            const char *name;
        } func_ref;
    } u;
} IrEvent;

typedef enum {
    TERM_JUMP,     /* one successor: succ[0] */
    TERM_BRANCH,   /* succ[0] when cond holds, succ[1] when it does not */
    TERM_SWITCH,   /* cases[i].target or default_target (succ lists all) */
    TERM_RETURN,   /* no successor; the block's last event is EV_RETURN */
    TERM_NORETURN, /* no successor: ends in a call that never returns */
    TERM_INDIRECT, /* computed goto: succ = every label whose address is taken */
} IrTermKind;

typedef struct {
    long long lo, hi; /* `case K:` has lo == hi; GNU `case A ... B:` */
    int target;
} IrCase;

typedef struct {
    int id;
    IrEvent *events;
    int n_events;
    IrTermKind term;
    IrCond cond;            /* TERM_BRANCH */
    const char *cond_text;  /* TERM_BRANCH/SWITCH: source text of the condition,
                               for messages ("rc != 0"); may be NULL */
    IrRef switch_on;        /* TERM_SWITCH: the controlling value */
    IrCase *cases;          /* TERM_SWITCH */
    int n_cases;
    int default_target;     /* TERM_SWITCH: -1 = no default (falls to succ after) */
    int *succ;
    int n_succ;
    IrLoc term_loc;         /* the condition / jump statement, for path notes */
} IrBlock;

typedef struct {
    const char *name;
    const char *file;      /* absolute, normalised path of the file the body is in */
    bool is_static;
    bool in_header;        /* defined in a file other than the translation unit's
                              main file (a project header) */
    int n_params;
    const char *return_type;
    bool returns_pointer;
    IrLoc loc;             /* the function's name in its definition */
    IrLoc body;            /* from `{` to `}` */
    IrVar *vars;           /* parameters first (vars[i] is parameter i), then
                              locals, then the globals the body names */
    int n_vars;
    IrBlock *blocks;       /* blocks[0] is the entry */
    int n_blocks;
    int n_calls;           /* call ids are 0 .. n_calls-1 */
    bool truncated;        /* the parse stage gave up part of the body (too deep
                              or too large): checks should stay silent */
    bool has_errors;       /* clang reported an error inside the definition (its
                              signature or body; e.g. an unknown type when an
                              include path is missing): what clang recovered may
                              lack declarations and calls, so flow checks that
                              need every path should stay silent */
} IrFunction;

/* A function name referenced outside any function body (a file-scope
 * initialiser: `static struct ops o = { .open = PQconnectdb };`). */
typedef struct {
    const char *name;
    const char *file;
    IrLoc loc;
} IrGlobalRef;

/* A variable defined at file scope of the unit (or a header it includes),
 * as the whole-program constants pass (src/values) needs it. */
typedef struct {
    const char *name;
    bool is_static;        /* internal linkage: visible in this unit only */
    bool is_integer;       /* integer, enum or _Bool scalar type */
    bool has_value;        /* its initial value is the integer constant `value`
                              (no initialiser: 0, static storage) */
    long long value;
    const char *init_func; /* the initialiser is this function's address
                              (`static void (*cb)(int) = close_quiet;`), else NULL */
    bool init_null;        /* no initialiser, or a null pointer constant */
    bool tentative;        /* `int x;` (no initialiser, no extern): a tentative
                              definition, read by the function pointers pass
                              only (the constants pass skips it) */
} IrGlobalVar;

typedef struct {
    const char *file;     /* for diagnostics on a file */
    int line, col;
    const char *message;
    bool is_error;        /* error or fatal; else warning */
} IrDiag;

/* An allocator attribute on a function declaration of the unit (main
 * file or project header), read from the declaration's tokens with macros
 * expanded (parse_attrs.c); only when the run derives packs from them
 * (src/cli/derived_packs.c). Arguments are as written: 1-based. */
typedef enum {
    IR_ATTR_OWNERSHIP_RETURNS, /* ownership_returns(K[, size]): returns a new K */
    IR_ATTR_OWNERSHIP_TAKES,   /* ownership_takes(K, N...): frees argument N */
    IR_ATTR_OWNERSHIP_HOLDS,   /* ownership_holds(K, N...): keeps argument N */
    IR_ATTR_MALLOC_DEALLOC,    /* GCC malloc(D[, N]): D(argument N) frees the result */
} IrAttrForm;

typedef struct {
    IrAttrForm form;
    const char *function;  /* the declared function */
    const char *key;       /* the ownership kind K, or the deallocator D */
    int arg;               /* N as written (1-based); 0: none written */
    const char *file;      /* the declaration (absolute) */
    int line;
    int same_type_arg;     /* 0-based parameter of the very type the function
                              returns (realloc's shape: its value may be that
                              argument's block, moved); -1: none */
} IrAllocAttr;

typedef struct {
    Arena *arena;
    const char *main_file;  /* absolute, normalised path */
    IrFunction *functions;
    int n_functions;
    IrGlobalRef *global_refs;
    int n_global_refs;
    IrGlobalVar *global_vars; /* file-scope variable definitions */
    int n_global_vars;
    const char **global_var_escapes; /* variables named in file-scope initialisers
                                       (`int *p = &flag;`): not constants */
    int n_global_var_escapes;
    IrDiag *diags;          /* clang errors (first few), in order */
    int n_diags;
    IrAllocAttr *alloc_attrs; /* allocator attributes of its declarations */
    int n_alloc_attrs;
    const char **includes;  /* every other file the translation unit read (its
                               headers, system ones included), absolute, for the
                               cache to tell when the unit must be parsed again */
    int n_includes;
    bool parse_failed;      /* libclang could not produce a translation unit at all */
    bool has_errors;        /* it did, with errors (analysed as far as recovered) */
} IrUnit;

IrUnit *ir_unit_new(const char *main_file);
void ir_unit_free(IrUnit *u);

/* Constructors for building IR by hand (tests) and in the parse stage. */
IrRef ir_ref_none(void);
IrRef ir_ref_var(int var);
IrRef ir_ref_addr(int var);
IrRef ir_ref_field(int var, const char *field, bool via_pointer);
IrRef ir_ref_const(long long value);
IrRef ir_ref_call(int call_id);
IrRef ir_ref_other(void);
bool ir_ref_equal(const IrRef *a, const IrRef *b);
bool ir_ref_is_testable(const IrRef *r); /* var, field or call: worth a condition */
/* The file-scope variable a ref names (itself, its address, a field of it,
 * *it), or NULL when the ref names none. */
const char *ir_ref_global_name(const IrFunction *fn, const IrRef *r);
/* The place an assignment event (EV_ASSIGN, EV_ASSIGN_COND) writes, or
 * NULL for any other event. */
const IrRef *ir_event_assigned(const IrEvent *ev);
IrLoc ir_loc_none(void);                 /* no location (line 0) */
IrCond ir_cond_unknown(void);            /* a condition the analysis does not read */
/* `ref op value`; unknown unless ref is testable or a constant. */
IrCond ir_cond_make(IrRef ref, IrCmp op, long long value);

/* ir_once.c: a function defined in a header is seen by every unit that
 * includes it; the set tells its first sighting (file, name, line) from
 * the later ones. Functions of the unit's own file are always first. */
typedef struct {
    const IrFunction **items;
    int len, cap;
} IrDefinitionSet;
bool ir_definition_first(IrDefinitionSet *s, const IrFunction *fn);
void ir_definition_set_free(IrDefinitionSet *s);

/* Writes the stable text form of a function's IR (see --dump-cfg in the
 * README) into a malloc'ed string. */
char *ir_dump_function(const IrFunction *fn);

#endif
