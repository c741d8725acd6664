/* rules.h — the rules connlint reports: their ids, default levels,
 * descriptions, help and SARIF metadata (rules.c). Shared vocabulary, as
 * Finding is: the configuration checks rule ids against it, the filters and
 * reports describe findings with it, the check stage (checks/registry.h)
 * says which check produces each rule. */
#ifndef CONNLINT_RULES_H
#define CONNLINT_RULES_H

#include "common/finding.h"

#define RULE_CONNECTION_LEAK "connection-leak"
#define RULE_PER_REQUEST "per-request-outside-handler"
#define RULE_DOUBLE_RELEASE "double-release"
#define RULE_USE_AFTER_RELEASE "use-after-release"
#define RULE_UNUSED_SUPPRESSION "unused-suppression" /* a suppression comment that matched nothing */
#define RULE_GLOBAL_HANDLE "global-handle-unreleased" /* opt-in: kept in a file-scope variable nobody releases */

typedef struct {
    const char *id;
    const char *name;              /* PascalCase, for SARIF rule "name" */
    Level default_level;
    const char *short_description; /* one line */
    const char *full_description;
    const char *help_text;         /* plain text, with examples */
    const char *help_markdown;
    const char *precision;         /* SARIF: "very-high", "high", "medium" */
    const char *severity;          /* problem.severity: "error", "warning", "recommendation" */
    const char *tags[4];           /* NULL-terminated */
} RuleInfo;

extern const RuleInfo rule_infos[];
extern const int rule_info_count;

const RuleInfo *rule_info_find(const char *id); /* NULL if unknown */
int rule_info_index(const char *id);            /* -1 if unknown */

#endif
