/* check.h — the check stage: each rule is a module over the IR, the rule
 * packs and the summaries, and appends findings. No libclang, no output. */
#ifndef CONNLINT_CHECK_H
#define CONNLINT_CHECK_H

#include <stdbool.h>

#include "common/finding.h"
#include "ir/ir.h"
#include "cli/rulepack.h"
#include "flow/summary.h"

typedef struct {
    const PackSet *packs;
    const SummaryTable *summaries;   /* may be NULL */
    char **handler_globs;            /* absolute patterns */
    int n_handler_globs;
} CheckContext;

/* connection-leak, double-release and use-after-release for one function. */
void check_resource_flow(const CheckContext *ctx, const IrFunction *fn, FindingList *out);

/* per-request-outside-handler for one function (calls and address-taken
 * acquires), and for file-scope references of a unit. */
void check_per_request_function(const CheckContext *ctx, const IrFunction *fn,
                                FindingList *out);
void check_per_request_global_refs(const CheckContext *ctx, const IrUnit *u, FindingList *out);

/* global-handle-unreleased over all units at once (global_handles.c). */
void check_global_handles(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out);

bool is_handler_file(const CheckContext *ctx, const char *abs_path);

#endif
