/* rulepack.h — resources described by rule packs (SPEC §4): how each is
 * acquired, released, transferred, how an acquire signals failure, and
 * whether it is per-request. Loaded from JSON (built-in packs are embedded
 * in the binary, see builtin_packs.h) and validated strictly. */
#ifndef CONNLINT_RULEPACK_H
#define CONNLINT_RULEPACK_H

#include <stdbool.h>

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
} RulePack;

typedef struct {
    RulePack *packs;
    int n_packs;
} PackSet;

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

void packset_free(PackSet *set);
void rulepack_free(RulePack *p);

#endif
