/* rulepack.h — resources described by rule packs (SPEC §4): how each is
 * acquired, released, transferred, how an acquire signals failure, and
 * whether it is per-request; plus the C library knowledge the engine needs
 * about functions that are no resource of their own (functions that never
 * return, that take ownership of any handle, that return their argument,
 * that free storage: the built-in "libc" pack). Loaded from JSON (built-in
 * packs are embedded in the binary, see builtin_packs.h) and validated
 * strictly; a pack set indexes every callee name once (pack_index.c). */
#ifndef CONNLINT_RULEPACK_H
#define CONNLINT_RULEPACK_H

#include <stdbool.h>

#include "common/strmap.h"

typedef enum { CALLEE_BY_FUNCTION, CALLEE_BY_MEMBER } CalleeMatchKind;

typedef struct {
    CalleeMatchKind kind;
    char *name;      /* function name, or field name for "member" */
    int result_arg;  /* -1: the return value is the handle; else the 0-based
                        pointer argument the handle is written through */
    bool in_place;   /* "in_place_arg": N — given a non-NULL argument N, the call
                        initialises the object it points to and returns that
                        pointer (mysql_init(&m)): the handle is argument N */
    int in_place_arg;
    int error_arg;     /* "error_field": {"arg": N, "field": F}: the call's argument
                          N is a context whose field F is set exactly when this
                          acquire fails (hiredis: redisCommand(c, ...) and c->err),
                          so testing it is a failure test; -1 when absent */
    char *error_field;
    bool when_null;    /* "null_arg": N — the call acquires only when its argument N
                          is NULL (realloc(NULL, n) allocates; given a block it moves
                          it, which is the engine's) */
    int null_arg;
} AcquireSpec;

typedef struct {
    CalleeMatchKind kind; /* for "field" releases: unused */
    char *name;           /* function or member name; NULL for a field release */
    int arg;              /* argument released (0-based); -1 for a field release */
    char *field;          /* {"field": NAME}: calling handle.NAME(...) releases handle */
} ReleaseSpec;

typedef struct {
    CalleeMatchKind kind;
    char *name;
    int arg;
} TransferSpec;

typedef enum {
    FAILURE_NULL,            /* NULL handle: nothing acquired */
    FAILURE_NULL_FIELD,      /* handle.failure_field == NULL: nothing acquired */
    FAILURE_NEGATIVE,        /* negative integer handle */
    FAILURE_STATUS_NONZERO,  /* the acquire call's return value != 0 */
    FAILURE_STATUS_NEGATIVE, /* the acquire call's return value < 0 */
    FAILURE_NEVER,           /* must always be released */
    FAILURE_STATUS_UNKNOWN,  /* summaries only: an out-parameter wrapper whose return
                                value's meaning (0 = success or failure?) is not known */
} FailureKind;

typedef struct {
    char *id;
    char *description;
    char *pack;                 /* name of the pack it came from */
    AcquireSpec *acquire;
    int n_acquire;
    ReleaseSpec *release;
    int n_release;
    TransferSpec *transfer;
    int n_transfer;
    FailureKind failure;
    char *failure_field;        /* FAILURE_NULL_FIELD */
    bool per_request;
    char *shared_alternative;   /* may be NULL */
    int src_line, src_col;      /* where its "id" stands in the pack (for messages) */
} Resource;

/* "noreturn": [{"function": F}] — a call of F never returns; with
 * "system_header_only": true only when F is declared in a system header
 * (BSD err(): a project's own err() is often a logging function). */
typedef struct {
    char *name;
    bool system_header_only;
} NoreturnSpec;

/* "takes_ownership" / "returns_arg": [{"function": F, "arg": N}];
 * returns_arg entries may add "never_null": true */
typedef struct {
    char *name;
    int arg;
    bool never_null; /* returns_arg: the value is argument N itself and never
                        NULL (memset, strcpy): no failure that loses it */
} CallArgSpec;

/* "deallocators": [{"function": F}] or [{"suffix": S}] — a function that
 * frees plain storage (its name is F, or ends in S). */
typedef struct {
    char *name;   /* exactly one of name and suffix */
    char *suffix;
} DeallocSpec;

typedef struct {
    NoreturnSpec *noreturn;
    int n_noreturn;
    CallArgSpec *takes_ownership; /* the call owns argument N, whatever it holds
                                     (a new thread's argument: pthread_create) */
    int n_takes_ownership;
    CallArgSpec *returns_arg;     /* the call's value holds what argument N held
                                     (realloc moves its block) */
    int n_returns_arg;
    DeallocSpec *deallocators;
    int n_deallocators;
} LibraryKnowledge;

typedef struct {
    char *name;
    char *description;
    char *source;               /* path, or "<built-in>/NAME.json" */
    bool used_by_default;       /* "default" (true unless false): a built-in pack with
                                   false is used only when named (libc-memory) */
    char **headers;             /* "headers": the library's include names (connlint --init
                                   proposes the pack to trees that include one) */
    int n_headers;
    Resource *resources;
    int n_resources;
    LibraryKnowledge lib;
} RulePack;

typedef struct PackIndex PackIndex; /* pack_index.c */

typedef struct {
    RulePack *packs;
    int n_packs;
    PackIndex *index;           /* built by packset_add / packset_build_index */
} PackSet;

/* The name of the built-in pack of C library knowledge. It is loaded in
 * addition to the named packs unless a pack of that name is loaded already
 * (a user's own "libc" pack replaces it). */
#define LIBRARY_PACK_NAME "libc"

/* Parses and validates a pack from JSON text. On error prints
 * "FILE:LINE:COL: message" (via tool_error) and returns false. `source` names
 * the file in messages. */
bool rulepack_parse(const char *text, const char *source, RulePack *out);

/* Adds a pack to the set; rejects (with a message, returning false) a
 * resource id or pack name that is already present. */
bool packset_add(PackSet *set, RulePack *pack);

/* Loads a pack by built-in name or by path and adds it. */
bool packset_load(PackSet *set, const char *name_or_path);

/* Loads every built-in pack whose "default" is not false (what a run uses
 * when neither the config nor the command line names a pack). */
bool packset_load_defaults(PackSet *set);

/* Loads the built-in LIBRARY_PACK_NAME pack unless a pack of that name is
 * in the set already. */
bool packset_load_library(PackSet *set);

/* ---- the index (pack_index.c): every name a pack mentions, once ---- */

typedef enum {
    SPEC_ACQUIRE,         /* res->acquire[index] */
    SPEC_RELEASE,         /* res->release[index], by function or member */
    SPEC_TRANSFER,        /* res->transfer[index] */
    SPEC_FIELD_RELEASE,   /* res->release[index] with "field": keyed by the field */
    SPEC_TAKES_OWNERSHIP, /* library knowledge; res NULL */
    SPEC_RETURNS_ARG,     /* library knowledge; res NULL */
} SpecRole;

typedef struct {
    SpecRole role;
    CalleeMatchKind kind;  /* function or member (field releases: member) */
    const Resource *res;   /* NULL for library knowledge */
    int index;             /* into res->acquire / release / transfer */
    int arg;               /* released / transferred / owned / returned argument;
                              -1 for acquires and field releases */
    int order;             /* reading order over packs, resources, then acquire,
                              release, transfer entries: the first match of the
                              old nested loops is the lowest order */
    bool never_null;       /* SPEC_RETURNS_ARG: CallArgSpec.never_null */
} CalleeSpec;

/* (Re)builds set->index; packset_add calls it. A set assembled by hand
 * (tests) calls it once its packs are in place. */
void packset_build_index(PackSet *set);
void pack_index_free(PackIndex *index);

/* Every spec keyed by `name`, in reading order (NULL, *n = 0 when none). */
const CalleeSpec *packset_specs(const PackSet *set, const char *name, int *n);

/* The first resource of the set in reading order, or NULL. */
const Resource *packset_first_resource(const PackSet *set);

/* Library knowledge, merged over every pack of the set. */
bool packset_is_noreturn(const PackSet *set, const char *name, bool declared_in_system_header);

/* The noreturn names as a map (name -> non-NULL), for the parse stage:
 * those that never return wherever declared, or (system_header_only) only
 * when a system header declares them. NULL without an index. */
const StrMap *packset_noreturn_names(const PackSet *set, bool system_header_only);
bool packset_is_deallocator(const PackSet *set, const char *name);

/* Every name the packs mention: acquire, release and transfer callees,
 * field-release fields and the library knowledge names (for a textual
 * pre-filter). Calls fn(name, data) once per distinct name. */
void packset_each_name(const PackSet *set, void (*fn)(const char *name, void *data), void *data);

void packset_free(PackSet *set);
void rulepack_free(RulePack *p);

#endif
