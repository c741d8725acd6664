/* registry.h — the check stage's API: which entry point produces each rule
 * of the catalogue (common/rules.h) and the run over every analysed unit.
 * Adding a rule means one row in common/rules.c, one in registry.c and one
 * file with its entry point. Each rule
 * sees only the IR, the rule packs and the summaries; no libclang, no
 * output. */
#ifndef CONNLINT_REGISTRY_H
#define CONNLINT_REGISTRY_H

#include <stdbool.h>

#include "cli/config.h"
#include "cli/rulepack.h"
#include "common/finding.h"
#include "common/rules.h"
#include "flow/summary.h"
#include "ir/ir.h"


/* What every check reads. */
typedef struct {
    const PackSet *packs;
    const SummaryTable *summaries;   /* may be NULL */
    char **handler_globs;            /* absolute patterns */
    int n_handler_globs;
    const Config *config;            /* may be NULL; opt-in rules read its levels */
} CheckContext;

/* A check's entry point: `function` runs on every analysed function (a
 * function defined in a header once), then `unit` once per parsed unit.
 * Either may be NULL; `enabled` NULL means always on. One entry may
 * produce several rules: the rows naming it share one run. */
typedef struct {
    bool (*enabled)(const CheckContext *ctx);
    void (*function)(const CheckContext *ctx, const IrFunction *fn, FindingList *out);
    void (*unit)(const CheckContext *ctx, const IrUnit *u, FindingList *out);
    /* once, after the others, over all units: whole-program rules */
    void (*program)(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out);
} CheckEntry;


/* The check that produces rule_infos[i] (several rules may share one),
 * NULL when another stage produces it (unused-suppression: the filter). */
const CheckEntry *rule_check_entry(int i);

/* The check stage: every enabled entry of the table, once each, over the
 * units that parsed, appending to `out` in unit, function, table order. */
void checks_run(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out);

/* checks_run in two halves, for the cache: the findings of a unit's own
 * functions and of the unit itself depend on that unit (and the summaries
 * it reads) only; those of functions defined in headers are made once per
 * run, by the first unit that has them. */
typedef struct HeaderFunctionsSeen HeaderFunctionsSeen;
HeaderFunctionsSeen *header_functions_seen_new(void);
void header_functions_seen_free(HeaderFunctionsSeen *h);
void checks_run_own(const CheckContext *ctx, const IrUnit *u, FindingList *out);
void checks_run_headers(const CheckContext *ctx, const IrUnit *u, HeaderFunctionsSeen *seen, FindingList *out);
/* checks_run_headers in two halves, for running units on several threads:
 * the functions defined in headers that `u` is the first to have (marked
 * in `seen`; in the unit's order; malloc'ed, *n of them) — decided in file
 * order on one thread — then the checks of given functions, which read
 * only their inputs and may run on any thread. */
const IrFunction **checks_claim_headers(const IrUnit *u, HeaderFunctionsSeen *seen, int *n);
void checks_run_functions(const CheckContext *ctx, const IrFunction *const *fns, int n, FindingList *out);
/* check_parallel.c: the checks of the units `files` (n indexes into
 * `units`, in file order) on up to `jobs` threads: for each, the header
 * functions it is the first to have, then own(own_arg, index, list) — the
 * unit's own checks, checks_run_own or a cache in front of it; `own` must
 * be safe to call from several threads at once. The findings are appended
 * to `out` as one thread would append them, whatever `jobs` is. */
typedef void (*CheckOwnFn)(void *own_arg, int unit_index, FindingList *out);
void checks_run_files(const CheckContext *ctx, IrUnit *const *units, const int *files, int n, int jobs,
                      CheckOwnFn own, void *own_arg, FindingList *out);
/* The whole-program entries over all units (not cached: they read every
 * unit). */
void checks_run_program(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out);

/* ---- the entry points, one file each ---------------------------------- */

/* resource_flow.c: connection-leak, double-release and use-after-release. */
void check_resource_flow(const CheckContext *ctx, const IrFunction *fn, FindingList *out);
/* array_handles.c: connection-leak of arrays of handles filled in a loop (run by check_resource_flow) */
void check_array_handles(const CheckContext *ctx, const IrFunction *fn, FindingList *out);

/* per_request.c: per-request-outside-handler for one function (calls and
 * address-taken acquires) and for file-scope references of a unit; on only
 * when the project designates handler files. */
bool check_per_request_enabled(const CheckContext *ctx);
void check_per_request_function(const CheckContext *ctx, const IrFunction *fn,
                                FindingList *out);
void check_per_request_global_refs(const CheckContext *ctx, const IrUnit *u, FindingList *out);
bool is_handler_file(const CheckContext *ctx, const char *abs_path);

/* global_handles.c: global-handle-unreleased, over the whole program; on
 * only when the configuration's "levels" give the rule a level. */
bool check_global_handles_enabled(const CheckContext *ctx);
void check_global_handles(const CheckContext *ctx, IrUnit *const *units, int n_units, FindingList *out);

#endif
