/* summary.h — what a function of the analysed sources does to resources,
 * as its callers see it (DESIGN "summarise"): it returns a freshly acquired
 * handle (directly or through an out-parameter), releases parameter N on all
 * paths or only on some, stores parameter N away (a transfer), or acquires
 * per request on its caller's behalf. Computed for every function of every
 * analysed file before any check runs, iterated to a fixpoint over the call
 * graph; independent of file order and of -j. */
#ifndef CONNLINT_SUMMARY_H
#define CONNLINT_SUMMARY_H

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
    char *chain;                /* "open_request_conn() which calls get_db()" */
    int n_params;
    ParamEffect *params;        /* per parameter */
    const Resource **param_res; /* the resource a release/transfer concerns (or NULL) */
    int returns_param;          /* returns parameter N itself on every path (configure(c)
                                   returning c), else -1 */
} FunctionSummary;

typedef struct SummaryTable SummaryTable;

/* Builds the summaries of all functions of all units (deduplicated: a
 * function defined in a header seen by several units is summarised once). */
SummaryTable *summaries_build(IrUnit **units, int n_units, const PackSet *packs);
/* The summary for a call to `name` made from a function in `caller_file`
 * (static functions are found only from their own file). NULL if none. */
const FunctionSummary *summary_lookup(const SummaryTable *t, const char *name,
                                      const char *caller_file);
void summaries_free(SummaryTable *t);

#endif
