/* match.h — what a call means for resources, from the rule packs and the
 * function summaries: an acquire (of which resource, into which result), a
 * release of an argument or of the base struct (field release), a transfer,
 * or a borrow. Used by the summarise stage and by every check. */
#ifndef CONNLINT_MATCH_H
#define CONNLINT_MATCH_H

#include <stdbool.h>

#include "ir/ir.h"
#include "cli/rulepack.h"
#include "flow/summary_table.h"

typedef struct {
    const PackSet *packs;
    const SummaryTable *summaries; /* may be NULL */
    const char *caller_file;       /* the file of the function being analysed */
} MatchContext;

typedef struct {
    const Resource *res;
    int result_arg;                /* -1: the return value; else out-param index */
    FailureKind failure;
    const char *failure_field;
    const FunctionSummary *via;    /* NULL: a rule-pack acquire; else a wrapper */
    int in_place_arg;              /* -1, or the argument initialised in place when
                                      it is not NULL (AcquireSpec.in_place) */
    bool has_error_context;        /* (added) argument error_context_arg is a context
                                      whose field error_context_field is non-zero
                                      exactly when the call acquired nothing
                                      (hiredis: c->err after redisCommand /
                                      redisGetReply) */
    int error_context_arg;
    const char *error_context_field;
} AcquireMatch;

bool match_acquire(const MatchContext *m, const IrCall *call, AcquireMatch *out);

typedef enum {
    ARG_BORROW = 0,
    ARG_RELEASE,
    ARG_MAYBE_RELEASE,
    ARG_TRANSFER,
    ARG_TRANSFER_ON_SUCCESS, /* taken when the call's result is not NULL (summaries) */
    ARG_TRANSFER_ON_ZERO,    /* taken when the call returns 0 (summaries) */
} ArgEffect;

/* The effect of `call` on argument `arg` when it carries a handle of `res`. */
ArgEffect match_arg_effect(const MatchContext *m, const IrCall *call, int arg,
                           const Resource *res);

/* The effect of `call` on argument `arg` whatever resource it carries, and
 * (in *which) the resource that effect is first known for: the first of
 * the packs' reading order that match_arg_effect gives an effect for, or
 * NULL when only "any resource" does. */
ArgEffect match_arg_effect_any(const MatchContext *m, const IrCall *call, int arg, const Resource **which);

/* The call copies the struct argument `arg` points to into a place that
 * outlives it (a summary's takes_contents): the handles its fields hold
 * are no longer the caller's. */
bool match_takes_contents(const MatchContext *m, const IrCall *call, int arg);

/* A direct call to a function of the project (not declared in a system
 * header, not a builtin) that the packs do not name and the analysed
 * sources do not define, or a call through a function pointer whose
 * targets are not known (not resolved by the values stage) that the packs
 * do not name: what it does to its arguments is not known. */
bool match_callee_unknown(const MatchContext *m, const IrCall *call);

/* A member call that releases its base: `s.cleanup(&s)` / `sp->cleanup(sp)`
 * for a resource with {"field": "cleanup"}. */
bool match_field_release(const MatchContext *m, const IrCall *call, const Resource *res);

/* The first resource (reading order) whose field release `call` is, or NULL. */
const Resource *match_field_release_any(const MatchContext *m, const IrCall *call);

/* The packs' library knowledge ("returns_arg"): the call's value holds what
 * argument *arg held (realloc). */
bool match_returns_arg(const MatchContext *m, const IrCall *call, int *arg);
/* The same; *never_null: the entry says the value is never NULL (memset,
 * strcpy return their first argument), so no failure loses the handle. */
bool match_returns_arg_ex(const MatchContext *m, const IrCall *call, int *arg, bool *never_null);

/* The packs' library knowledge ("deallocators"): the call frees plain storage. */
bool match_is_deallocator(const MatchContext *m, const IrCall *call);

#endif
