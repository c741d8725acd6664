/* flow.h — internal interface of the resource-flow engine (connection-leak,
 * double-release, use-after-release, and the summaries' per-function facts).
 *
 * The engine is an ESP-style property simulation (Das, Lerner, Seigle 2002):
 * for one acquire site (or one parameter, for summaries) it propagates a set
 * of tuples (handle state, holders, branch facts) forward over the CFG to a
 * fixpoint. Tuples with equal handle state and holders are merged by
 * intersecting their facts; a branch that contradicts a fact is not taken.
 * It records, per tuple, the predecessor it first came from, so that the
 * path shown to the user is rebuilt without enumerating paths.
 *
 * The transfer functions say what happens to a tuple; they decide no
 * finding. Once the fixpoint is reached, a final pass runs each block
 * again on its IN tuples, and the transfer functions leave notes (a use,
 * a release, a lost last holder, an exit, with the tuple and the place);
 * the reporting pass (flow_reporting.c) turns each block's notes into
 * reports and the exit summary bits.
 *
 * Files, from the bottom up: flow_place.c (places), flow_tuple.c (tuples
 * and their merge), flow_outparam.c (`*out` of an out-parameter as a
 * place), flow_cond.c (condition evaluation),
 * flow_run.c (a run's set-up, the join, the notes),
 * flow_holders.c (which places hold the handle), flow_calls.c (calls),
 * flow_exits.c (terminators), flow_transfer.c (the other events, one
 * block), flow_reporting.c (notes to reports and exit bits),
 * flow_engine.c (worklist, sites, final pass), flow_path.c (path
 * reconstruction); resource_flow.c (findings and messages). Nothing here
 * prints or knows about output.
 */
#ifndef CONNLINT_FLOW_H
#define CONNLINT_FLOW_H

#include <stdbool.h>

#include "common/finding.h"
#include "ir/ir.h"
#include "flow/match.h"

#define FLOW_MAX_HOLDERS 6
#define FLOW_MAX_STATUS 3
#define FLOW_MAX_FACTS 8
#define FLOW_MAX_TUPLES 32   /* per block; beyond it tuples are merged */
#define FLOW_MAX_SWEEPS 200  /* worklist sweeps before giving up on a site */
#define FLOW_COUNTER_LIMIT 64 /* `i++` keeps i's constant value up to this size */
#define FLOW_LOOP_VALUES 8    /* values of a loop's tested counter kept apart at its head */

typedef enum {
    HS_NONE = 0,  /* not acquired on this path (yet) */
    HS_HELD,      /* acquired and known to have succeeded */
    HS_MAYBE,     /* acquired or failed: not yet tested */
    HS_FAILED,    /* the acquire failed: nothing to release */
    HS_RELEASED,
    HS_ESCAPED,   /* no longer this function's to release */
} HandleState;

typedef enum {
    ESC_NONE = 0,
    ESC_RETURN,   /* returned to the caller */
    ESC_OUTPARAM, /* stored through a pointer parameter: *out = c */
    ESC_STORE,    /* stored into a global or a non-local struct */
    ESC_TRANSFER, /* passed to a function that takes ownership */
    ESC_UNKNOWN,  /* went somewhere the analysis does not follow */
} EscapeKind;

typedef enum { PLACE_VAR = 1, PLACE_FIELD, PLACE_CALL, PLACE_DEREF } PlaceKind;

/* A place that can hold the handle or carry a fact: a variable, a field path
 * of a local record variable, the value of a call not yet stored, or `*p`
 * for an out-parameter p the run follows (FlowRun.deref_place). */
typedef struct {
    signed char kind;
    int var;            /* VAR, FIELD, DEREF (the pointer parameter) */
    const char *field;  /* FIELD */
    int call;           /* CALL */
} Place;

typedef enum { FACT_EQ = 1, FACT_NONZERO, FACT_FLAG } FactKind;

typedef struct {
    Place place;
    signed char kind;
    long long value;      /* FACT_EQ */
    const IrCond *cond;   /* FACT_FLAG: place == (cond) */
    bool tested;          /* learned from a branch (kept across calls for globals) */
} Fact;

typedef struct {
    unsigned char hs, esc;
    unsigned char quiet;           /* report nothing on this tuple: it came through a
                                      maybe-release, a release that may have refused,
                                      the failure way of a transfer-on-success call, or
                                      a wrapper status of unknown meaning */
    unsigned char handed;          /* passed itself to a project function with no body in
                                      the analysed sources and no pack entry (not one of a
                                      system header), or through an unresolved function
                                      pointer (match_callee_unknown), whose result the
                                      program tests: a NULL (or -1) stored over its last
                                      holder afterwards says the callee took it (`if
                                      (set_entry(o, s) != OK) goto fail; s = NULL;`) */
    unsigned char n_holders, n_status, n_facts;
    unsigned char holders_merged;  /* holders united from several tuples (a block over
                                      FLOW_MAX_TUPLES): a place listed may hold it on
                                      some paths only */
    unsigned char n_pending;       /* quiet until one of these places is tested (the
                                      result of a transfer-on-success call, or the
                                      holders after a status of unknown meaning) */
    short esc_param;               /* ESC_OUTPARAM: parameter index */
    short store_var;               /* ESC_STORE into `s->f` of a local pointer s: s (else -1) */
    Place holders[FLOW_MAX_HOLDERS]; /* in the order they came to hold it */
    Place status[FLOW_MAX_STATUS];   /* status-kind acquires: places holding the status */
    Fact facts[FLOW_MAX_FACTS];
    Place pending[2];
    int rel_block, rel_event;      /* the first release on this tuple's paths (-1) */
    int kept_block, kept_event;    /* a helper that releases only when a parameter says
                                      so kept it here (the argument may say no) (-1) */
    int lost_block, lost_event;    /* the failure way of `p = realloc(p, n)` over the
                                      only holder: the old handle was lost here (-1) */
    Place lost_place;              /* ... and this place (p) held it */
    /* provenance, for path reconstruction */
    int pred_block, pred_tuple;    /* -1 at the start */
    int pred_succ;                 /* index into the predecessor's succ[] */
    bool pred_choice;              /* the predecessor could also have gone elsewhere */
} Tuple;

typedef struct {
    Tuple *items;
    int len, cap;
} TupleList;

typedef enum {
    REP_LEAK_RETURN,
    REP_LEAK_END,
    REP_LEAK_OVERWRITE,
    REP_LEAK_DISCARD,
    REP_LEAK_SCOPE,
    REP_LEAK_REPLACE_FAILED, /* `p = realloc(p, n)`: lost when the call fails (block/event:
                                the exit; lost_block/lost_event: the call) */
    REP_DOUBLE_RELEASE,
    REP_USE_AFTER_RELEASE,
} ReportKind;

typedef struct {
    ReportKind kind;
    int block, event;      /* where (event index within block) */
    int in_tuple;          /* the IN tuple of `block` it came from (for the path) */
    Place holder;          /* the handle's name */
    bool has_holder;
    int rel_block, rel_event; /* first release (double-release, use-after-release) */
    int kept_block, kept_event; /* a conditional release helper kept it here (-1) */
    int lost_block, lost_event; /* REP_LEAK_REPLACE_FAILED: the replacing call */
} FlowReport;

typedef struct {
    FlowReport *items;
    int len, cap;
} FlowReportList;

/* What happened to a tuple at an event, as a transfer function notes it
 * in the final pass; the reporting pass decides which notes are findings. */
typedef enum {
    NOTE_USE,          /* the handle, or something inside its holder, read or passed on */
    NOTE_RELEASE,      /* a release of the handle (before it takes effect) */
    NOTE_OVERWRITE,    /* its last holder overwritten (an assignment, an acquire's out-argument) */
    NOTE_OUT_OF_SCOPE, /* its last holder left its scope */
    NOTE_DISCARD,      /* the value that held it thrown away */
    NOTE_EXIT,         /* the function returns with the tuple (a holding `*out` is the caller's) */
} NoteKind;

typedef struct {
    NoteKind kind;
    int block, event;  /* where (event index within block) */
    int in_tuple;      /* the IN tuple of `block` it came from */
    Tuple t;           /* the tuple as it stood there */
    Place holder;      /* the place concerned, when there is one */
    bool has_holder;
} FlowNote;

typedef struct {
    FlowNote *items;
    int len, cap;
} FlowNoteList;

/* Where a live handle may have reached a file-scope variable: copied from
 * a local holder into one (`g = c;`: var is g's index in the function, arg
 * -1), or handed as plain argument `arg` to a direct call that keeps it
 * (a setter, `set(c)`: var -1); block/event: the assignment or call. */
typedef struct {
    int block, event, var, arg;
} FlowGlobalStore;

typedef struct {
    FlowGlobalStore *items;
    int len, cap;
} FlowGlobalStoreList;

/* Exit summary bits (for summaries). */
enum {
    EXIT_HELD = 1u << 0,      /* held or maybe at an exit (a leak) */
    EXIT_QUIET = 1u << 1,     /* held after a maybe-release */
    EXIT_RELEASED = 1u << 2,
    EXIT_NOTHING = 1u << 3,   /* failed or never acquired */
    EXIT_ESC_RETURN = 1u << 4,
    EXIT_ESC_OUT = 1u << 5,
    EXIT_ESC_STORE = 1u << 6,
    EXIT_ESC_TRANSFER = 1u << 7,
    EXIT_ESC_UNKNOWN = 1u << 8,
    EXIT_HELD_VALUE_RET = 1u << 9,  /* held at an exit that returns something but NULL */
    EXIT_STORED_NULL_RET = 1u << 10,/* stored/transferred at an exit returning NULL */
    /* what the exits return, by what happened to the handle (out-parameter
     * wrappers: which return value means "stored") */
    EXIT_OUT_RET_ZERO = 1u << 11,
    EXIT_OUT_RET_NONZERO = 1u << 12,
    EXIT_OUT_RET_OTHER = 1u << 13,
    EXIT_NONE_RET_ZERO = 1u << 14,
    EXIT_NONE_RET_NONZERO = 1u << 15,
    EXIT_NONE_RET_OTHER = 1u << 16,
    /* parameters stored away (transfer when the status is 0) */
    EXIT_STORED_RET_ZERO = 1u << 17,
    EXIT_STORED_RET_OTHER = 1u << 18,      /* stored, returning anything but 0 */
    EXIT_HELD_RET_NOT_NONZERO = 1u << 19,  /* held, returning 0 or a computed value */
    /* what the exits return where it was released / is still held (release
     * helpers whose result says whether they released) */
    EXIT_REL_RET_ZERO = 1u << 20,
    EXIT_REL_RET_NONZERO = 1u << 21,
    EXIT_REL_RET_OTHER = 1u << 22,
    EXIT_KEPT_RET_ZERO = 1u << 23,
    EXIT_KEPT_RET_NONZERO = 1u << 24,
    EXIT_KEPT_RET_OTHER = 1u << 25,
    /* stored into `s->f` of a local pointer s at an exit returning NULL:
     * the object is not the caller's, so the handle still is
     * (tio_fdopen: fp->fd = fd; ... free(fp); return NULL;) */
    EXIT_STORED_LOCAL_NULL_RET = 1u << 26,
};

/* A branch whose condition the parse stage left unreduced but which reads
 * `*p` of a followed out-parameter: `*p == NULL`, `!*p`, `*p` are
 * recognised from the condition's text (known, cond = {*p OP 0}); any other
 * such test leaves the handle quiet on both ways. `(*p = f()) == NULL`
 * tests what was just stored. var = -1: none. */
/* The condition text is a NULL test of `*NAME` alone (`*p`, `!*p`,
 * `*p == NULL`, ...); *ne: it holds when *NAME is not NULL. */
bool flow_text_tests_deref_null(const char *cond_text, const char *name, bool *ne);

typedef struct FlowDerefTest {
    int var;
    bool known;
    IrCond cond;
} FlowDerefTest;

/* One analysis: one acquire site, or one parameter held at entry. */
typedef struct {
    const MatchContext *m;
    const IrFunction *fn;
    /* the site: block/event of the acquire call, or -1 with param_var set */
    int site_block, site_event;
    const IrCall *site_call;
    AcquireMatch acq;         /* acq.res may be NULL in parameter mode */
    int param_var;            /* parameter mode: the parameter's var index; else -1 */
    const Resource *found_res;/* parameter mode: the resource of the first release met */
    bool *call_referenced;    /* per call id: its value is used somewhere */
    AcquireMatch *call_acq;   /* per call id: what match_acquire said */
    bool *call_is_acq;
    const IrCall **calls;     /* per call id */
    int *call_block, *call_event;
    bool *addr_taken;         /* per var: `p = &var` somewhere in the function */
    bool *deref_place;        /* per var: a pointer-to-pointer parameter only ever
                                 written as plain `*p` (never passed, copied,
                                 reassigned, indexed or address-taken) */
    struct FlowDerefTest *deref_test; /* per block: its unreduced condition reads `*p`
                                 of a followed parameter (flow_outparam.c) */
    bool follow_deref;        /* treat `*p` of such parameters as a place holding
                                 the handle until an exit (set by the checker;
                                 summaries keep escaping at the store) */
    bool *call_tested;        /* per call id: its value (or a variable it is stored
                                 in) is tested by a condition */
    bool container_release;   /* parameter mode: released through p->field */
    bool contents_stored;     /* parameter mode: what p points to copied whole into a
                                 non-local place (cell->params = *p) */
    bool *back_target;        /* per block: the target of a retreating edge (a loop head) */
    bool *is_counter;         /* per var: a loop head compares it with a constant */
    long long *counter_bound; /* per var: that constant */
    int *visit_mark;          /* scratch for bounded searches (flow_path.c) */
    int visit_gen;
    struct PathMemo *path_memo; /* per block: hops and branch hops from each IN
                                 tuple back to the acquire (flow_path.c) */
    int path_gen;             /* bumped per run: path_memo entries of older runs are stale */
    int *path_pos;            /* scratch for flow_path_build: a block's position on
                                 the path being built, -1 off it (kept all -1
                                 between calls, so a path costs its length) */

    /* per block */
    TupleList *in;
    bool *dirty;
    int *rpo;                 /* reachable blocks in reverse post-order */
    int n_rpo;
    int *rpo_index;           /* block -> position in rpo, -1 unreachable */

    /* results */
    bool settled;             /* the fixpoint is reached: the final pass joins
                                 nothing and keeps the notes */
    FlowNoteList notes;       /* the final pass's notes on the current block */
    bool gave_up;
    unsigned exit_mask;
    int esc_param;            /* the out-parameter of ESC_OUTPARAM exits (-1 none, -2 several) */
    FlowReportList reports;
    FlowGlobalStoreList global_stores; /* site runs' final pass: `g = c` or `set(c)` of
                                 a live, not quiet handle (once per event and
                                 argument; global-handle-unreleased reads them) */
    int block_reports;        /* reports[block_reports..] come from the block being reported */

    /* Shared by the site runs of one function (flow_prepare_sites): the IN
     * tuples of a run that acquires nothing, to the fixpoint. Until its
     * acquire, a site's run is exactly this run, so a site outside any
     * cycle starts at its own block from these tuples instead of
     * re-running the function's prefix. NULL: every site runs in full. */
    TupleList *shared_in;
    bool from_shared;         /* the last site run started from shared_in: its
                                 exit bits lack the exits of paths that never
                                 reach the acquire (EXIT_NOTHING, EXIT_NONE_RET_*) */

    /* The final pass folded into the fixpoint (flow_engine.c): a block
     * whose predecessors are all done (none can run again, or no tuple of
     * this run can reach them) has its final IN tuples when the sweep
     * reaches it, so it runs once, noting, and the final pass reports
     * the notes it kept instead of running it again. Blocks on or after
     * a cycle still run again in the final pass. */
    bool noting;              /* the block being run keeps its notes (not settled) */
    int *n_pred;              /* per block: edges into it from reachable blocks */
    int *pred_left;           /* per block: of those, from blocks not yet done */
    bool *done;               /* per block: its IN tuples can no longer change */
    bool *kept;               /* per block: done, and its final-pass notes kept */
    int *kept_note, *kept_store; /* per block: its first kept note / global store ... */
    int *n_kept_note, *n_kept_store; /* ... and how many */
    FlowNoteList kept_notes;  /* the kept notes of the run, block after block */
    FlowGlobalStoreList kept_stores; /* the global stores met while noting */
} FlowRun;

/* flow_place.c */
bool place_equal(const Place *a, const Place *b);
bool place_from_ref(const IrFunction *fn, const IrRef *r, Place *out); /* local places only */
Place place_call(int call_id);
bool place_inside(const Place *q, const Place *p); /* q is p or a field path inside p */
bool place_is_local(const IrFunction *fn, const Place *p);
/* place_from_ref, plus `*p` (PLACE_DEREF) for a parameter this run follows. */
bool flow_place_of(const FlowRun *run, const IrRef *r, Place *out);
bool flow_deref_followed(const FlowRun *run, int var);

/* flow_tuple.c */
int tuple_find_holder(const Tuple *t, const Place *p);
bool tuple_add_holder(Tuple *t, const Place *p);      /* false: no room */
void tuple_remove_holder_at(Tuple *t, int i);
bool tuple_add_status(Tuple *t, const Place *p);
void tuple_forget_place(Tuple *t, const Place *p);    /* drop p and the places inside it */
void tuple_forget_place_facts(Tuple *t, const Place *p);
/* Drops the facts about p and the places inside it only (a flag computed
 * from p keeps its meaning). */
void tuple_forget_facts_on(Tuple *t, const Place *p);
/* Records a fact (not for variables whose address is taken: they change
 * behind the analysis' back). */
void tuple_set_fact(const FlowRun *run, Tuple *t, const Place *p, FactKind kind, long long value,
                    const IrCond *cond, bool tested);
/* A call may change globals: forget what was assigned to them (facts learned
 * from tests of a global are kept: the same flag tested twice). */
void tuple_forget_global_facts(const FlowRun *run, Tuple *t);
const Fact *tuple_fact(const Tuple *t, const Place *p);
bool tuple_same_key(const Tuple *a, const Tuple *b);
bool tuple_intersect_facts(Tuple *into, const Tuple *from); /* true if into changed */
void tuple_escape(Tuple *t, EscapeKind esc, int param);
void tuple_list_push(TupleList *l, const Tuple *t);
void tuple_list_free(TupleList *l);

typedef enum { TRI_FALSE = 0, TRI_TRUE = 1, TRI_UNKNOWN = 2 } Tri;

/* flow_cond.c */
/* A status of the handle passed to a call whose result is tested: quiet
 * until the handle itself is tested. */
bool flow_status_translated(const FlowRun *run, Tuple *t, const IrCall *c);
/* Refines *t with `cond` being `sense`; false when that is infeasible. */
bool flow_apply_cond(const FlowRun *run, Tuple *t, const IrCond *cond, bool sense);
/* flow_outparam.c: which parameters' `*p` can be followed (run->deref_place,
 * run->deref_test; called by flow_run_init). */
void flow_find_deref_places(FlowRun *run);
/* The condition block b's branch tests (the recognised `*p` test, or the
 * block's own), and whether that test reads `*p` of a followed parameter
 * in a way not understood: then both ways are quiet for tuples held there. */
const IrCond *flow_branch_cond(const FlowRun *run, int b);
void flow_branch_unknown_deref(const FlowRun *run, int b, Tuple *t);

/* A tuple that split inside a block, to be continued from next_event. */
#define PENDING_MAX 16

typedef struct {
    Tuple t;
    int next_event;
} Pending;

typedef struct {
    Pending items[PENDING_MAX];
    int len;
} PendingStack;

/* flow_run.c: a run's set-up and bookkeeping */
void flow_run_init(FlowRun *run, const MatchContext *m, const IrFunction *fn);
void flow_run_free(FlowRun *run);
bool flow_join(FlowRun *run, int block, const Tuple *t); /* true when IN changed */
/* Notes what happened to tuple t at (block, event); kept in the final pass
 * only (holder may be NULL). */
void flow_note(FlowRun *run, NoteKind kind, int block, int event, int in_idx, const Tuple *t,
               const Place *holder);
void flow_pending_push(PendingStack *s, const Tuple *t, int next_event);
/* Records a FlowGlobalStore in a site run's final pass (else nothing). */
void flow_record_global_store(FlowRun *run, int block, int event, int var, int arg);
/* The effect of `call` on argument i for this run's resource (any resource in
 * parameter mode, then remembered in found_res). */
ArgEffect flow_arg_effect(FlowRun *run, const IrCall *call, int arg);
bool flow_field_release(FlowRun *run, const IrCall *call);

/* flow_holders.c: which places hold the handle */
bool flow_is_live(const Tuple *t);                       /* HELD or MAYBE */
/* The handle-holding place a ref names (VAR/ADDR/FIELD of a holder, the CALL
 * temp), or -1. */
int flow_ref_holder(const FlowRun *run, const Tuple *t, const IrRef *r);
/* Does ref name the handle's holder, or (touches) something inside it? */
bool flow_ref_touches(const FlowRun *run, const Tuple *t, const IrRef *r);
const Place *flow_first_named_holder(const Tuple *t);
bool flow_out_arg_place(const FlowRun *run, const IrRef *a, Place *p); /* &x, &x.f of a local */
void flow_escape_into(FlowRun *run, Tuple *t, const IrRef *lhs);    /* stored into a non-local */
bool flow_lhs_stores_away(const FlowRun *run, const IrRef *lhs);     /* lhs outlives the function */
bool flow_record_holds(const Tuple *t, int var);       /* a field of record var holds it */

/* flow_calls.c */
void flow_call_event(FlowRun *run, Tuple *t, int b, int e, int in_idx, PendingStack *st);
/* flow_exits.c: t is the caller's scratch copy, changed here */
void flow_terminate(FlowRun *run, Tuple *t, int b, int in_idx);
/* flow_transfer.c: runs block b's events and terminator on tuple `in`
 * (IN tuple index `in_idx`), joining the results into the successors. */
void flow_transfer_block(FlowRun *run, int b, int in_idx);

/* flow_reporting.c: turns the notes of the block just run into reports
 * (site runs) and exit summary bits, then clears them. */
void flow_report_notes(FlowRun *run);
/* The notes of one block kept while noting (FlowRun.noting), reported as
 * flow_report_notes reports the final pass's. */
void flow_report_kept_notes(FlowRun *run, const FlowNote *notes, int n);

/* flow_engine.c */
/* Computes the shared prefix of the site runs (FlowRun.shared_in); call
 * once before flow_run_site on the function's sites. */
void flow_prepare_sites(FlowRun *run);
bool flow_run_site(FlowRun *run, int block, int event, const AcquireMatch *acq);
/* The same from the function's entry, for exit bits of every path. */
bool flow_run_site_full(FlowRun *run, int block, int event, const AcquireMatch *acq);
/* The same from the entry, with variable `given_var` (a parameter) known to
 * be 0 (zero) or not 0 there. */
bool flow_run_site_given(FlowRun *run, int block, int event, const AcquireMatch *acq, int given_var, bool zero);
bool flow_run_param(FlowRun *run, int param_var);
/* The same, with parameter `given_var` known to be 0 (zero) or not 0. */
bool flow_run_param_given(FlowRun *run, int param_var, int given_var, bool zero);

/* flow_path.c: the path steps to report `r` (acquire, branch decisions, exit). */
FindingLoc *flow_path_build(const FlowRun *run, const FlowReport *r, const char *handle,
                            const char *exit_text, int *n_out);
/* Frees the run's path memo (flow_run_free). */
void flow_path_memo_free(FlowRun *run);
IrLoc flow_event_loc(const IrFunction *fn, int block, int event);

/* Name of a place for messages ("conn", "s.db"); malloc'ed. */
char *flow_place_name(const IrFunction *fn, const Place *p);

/* Order of effects of one call (flow_replace.c): its effects on its
 * arguments happen before its result is stored. flow_call_consumes: the
 * call releases or transfers an argument that holds T's handle, so its own
 * result (or out-parameter write) replaces that handle rather than
 * overwriting it. flow_call_returns_replacement: the call is an acquire
 * returning its handle, whose failure value may mean the argument it
 * consumes was left as it was. */
bool flow_call_consumes(FlowRun *run, const Tuple *t, const IrCall *c);
bool flow_call_returns_replacement(const FlowRun *run, const IrCall *c);

#endif
