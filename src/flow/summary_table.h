/* summary_table.h — the function summaries as data (DESIGN "summarise"):
 * what a function of the analysed sources does to resources as its callers
 * see it, and the table that finds the summary of a call by the callee's
 * name. The table holds one entry per function definition (a function
 * defined in a header seen by several units is there once); the summary
 * builder (summary.h) fills the entries in. No dataflow here: matching
 * (match.h) and the flow engine read the table, the builder above them
 * writes it. */
#ifndef CONNLINT_SUMMARY_TABLE_H
#define CONNLINT_SUMMARY_TABLE_H

#include <stdbool.h>

#include "ir/ir.h"
#include "cli/rulepack.h"

typedef enum {
    PARAM_BORROWS = 0,     /* leaves the caller's handle as it was */
    PARAM_RELEASES,        /* releases it on every path */
    PARAM_MAYBE_RELEASES,  /* releases it on some paths only */
    PARAM_TRANSFERS,       /* stores it away: no longer the caller's to release */
    PARAM_TRANSFERS_ON_SUCCESS, /* stores it into what it returns: the caller's
                                   no longer when the result is not NULL
                                   (obj_new(conn)); still the caller's when it is */
    PARAM_TRANSFERS_ON_ZERO,    /* stores it away when it returns 0, keeps its
                                   hands off when it returns non-zero
                                   (cache_add(stmt) != OK) */
} ParamEffect;

/* For a parameter released on some paths only: what tells the caller
 * which paths (issue 12, form 14). */
typedef enum {
    MAYBE_BY_NOTHING = 0,     /* nothing the caller sees: the kept paths leak */
    MAYBE_WHEN_RET_ZERO,      /* released exactly where it returns 0 */
    MAYBE_WHEN_RET_NONZERO,   /* released exactly where it returns non-zero */
    MAYBE_WHEN_PARAM_ZERO,    /* released on every path when parameter `param` is 0,
                                 on none when it is not (if (!more) close(fd)) */
    MAYBE_WHEN_PARAM_NONZERO, /* ... when it is not 0, on none when it is */
} MaybeBy;

typedef struct {
    signed char by;           /* MaybeBy: a parameter's rule when there is one, else
                                 the result's */
    signed char param;        /* MAYBE_WHEN_PARAM_*: the deciding parameter */
    signed char ret;          /* MAYBE_WHEN_RET_* when the result tells as well (or
                                 only), else MAYBE_BY_NOTHING */
} MaybeRule;

#define SUMMARY_MAYBE_PARAMS 8 /* parameters 0..7 get a MaybeRule */

typedef struct {
    const char *name;
    const char *file;           /* where it is defined */
    bool is_static;
    /* returns (or writes through an out-parameter) a freshly acquired handle */
    const Resource *acquires;   /* NULL when it does not */
    int acquire_result_arg;     /* -1: return value; else out-parameter index */
    FailureKind acquire_failure;/* how its callers see failure (null, status, ...) */
    const char *acquire_field;  /* for null-field */
    bool acquires_per_request;  /* the acquired resource is per-request */
    int acquire_unless_zero;    /* -1, or a parameter given 0 (NULL) in which the
                                   function leaves the caller nothing: it releases
                                   what it acquired itself (run(NULL, cmd, &reply)
                                   frees the reply), or never acquires */
    char *chain;                /* "open_request_conn() which calls get_db()" */
    int n_params;
    ParamEffect *params;        /* per parameter */
    const Resource **param_res; /* the resource a release/transfer concerns (or NULL) */
    int returns_param;          /* returns parameter N itself on every path (configure(c)
                                   returning c), else -1 */
    MaybeRule maybe[SUMMARY_MAYBE_PARAMS]; /* PARAM_MAYBE_RELEASES parameters */
    unsigned takes_contents;    /* bit p (p < 32): on some path the function copies
                                   what pointer parameter p points to, whole, into a
                                   place that outlives it (cell->params = *p): the
                                   handles in the fields of a struct whose address
                                   the caller passes are no longer the caller's */
} FunctionSummary;

typedef struct SummaryTable SummaryTable;

/* A table with one entry per function definition of `units` that can be
 * summarised (named, not recovered from errors), in (file, name, line)
 * order, each entry's summary empty: acquires nothing, borrows every
 * parameter. */
SummaryTable *summary_table_new(IrUnit **units, int n_units);
int summary_table_count(const SummaryTable *t);
/* Entry i (0 <= i < count): its summary and the function it describes. */
FunctionSummary *summary_table_at(SummaryTable *t, int i);
const IrFunction *summary_table_function(const SummaryTable *t, int i);
/* The index (in the units given to summary_table_new) of the unit whose
 * IR holds entry i's function. */
int summary_table_unit(const SummaryTable *t, int i);
/* Hands a string (malloc'd, may be NULL) to the table, freed with it;
 * returns it: for summaries decoded from the cache, whose strings do not
 * point into a pack. */
const char *summary_table_keep(SummaryTable *t, char *s);
/* The summary for a call to `name` made from a function in `caller_file`
 * (static functions are found only from their own file). NULL if none. */
const FunctionSummary *summary_lookup(const SummaryTable *t, const char *name,
                                      const char *caller_file);
void summaries_free(SummaryTable *t);
/* The name of parameter i of the function summary s (an entry of a table)
 * describes, or NULL. */
const char *summary_param_name(const FunctionSummary *s, int i);

#endif
