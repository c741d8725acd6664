/* registry.c — which entry point produces each rule of the catalogue
 * (common/rules.c): connection-leak, double-release and use-after-release
 * come from one run of the resource flow; unused-suppression from the
 * filter stage, not from a check. How a rule checks is in its own file. */
#include "checks/registry.h"

#include <string.h>

static const CheckEntry resource_flow = {NULL, check_resource_flow, NULL, NULL};
static const CheckEntry per_request = {check_per_request_enabled, check_per_request_function,
                                       check_per_request_global_refs, NULL};
static const CheckEntry global_handles = {check_global_handles_enabled, NULL, NULL, check_global_handles};

static const struct {
    const char *rule;
    const CheckEntry *check;
} rule_checks[] = {
    {RULE_CONNECTION_LEAK, &resource_flow},
    {RULE_PER_REQUEST, &per_request},
    {RULE_DOUBLE_RELEASE, &resource_flow},
    {RULE_USE_AFTER_RELEASE, &resource_flow},
    {RULE_UNUSED_SUPPRESSION, NULL},
    {RULE_GLOBAL_HANDLE, &global_handles},
};

const CheckEntry *rule_check_entry(int i)
{
    if (i < 0 || i >= rule_info_count) return NULL;
    for (size_t k = 0; k < sizeof rule_checks / sizeof rule_checks[0]; k++)
        if (strcmp(rule_checks[k].rule, rule_infos[i].id) == 0) return rule_checks[k].check;
    return NULL;
}
