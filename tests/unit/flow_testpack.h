/* flow_testpack.h — the rule pack the flow/match unit tests use (parsed with
 * rulepack_parse, like a user's pack), and helpers to run the resource-flow
 * check on a hand-built function and look at its findings. */
#ifndef CONNLINT_FLOW_TESTPACK_H
#define CONNLINT_FLOW_TESTPACK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "common/finding.h"
#include "cli/rulepack.h"

static const char flow_test_pack_json[] =
    "{\"version\": 1, \"name\": \"flowtest\", \"description\": \"test pack\", \"resources\": [\n"
    " {\"id\": \"pg-conn\", \"description\": \"PostgreSQL connection\",\n"
    "  \"acquire\": [{\"function\": \"PQconnectdb\", \"result\": \"return\"}],\n"
    "  \"release\": [{\"function\": \"PQfinish\", \"arg\": 0}],\n"
    "  \"transfer\": [{\"function\": \"pool_adopt\", \"arg\": 0}],\n"
    "  \"failure\": \"null\", \"per_request\": true},\n"
    " {\"id\": \"pg-result\", \"description\": \"PostgreSQL query result\",\n"
    "  \"acquire\": [{\"function\": \"PQexec\", \"result\": \"return\"}],\n"
    "  \"release\": [{\"function\": \"PQclear\", \"arg\": 0}], \"failure\": \"null\"},\n"
    " {\"id\": \"db-session\", \"description\": \"database session\",\n"
    "  \"acquire\": [{\"function\": \"get_db\", \"result\": \"return\"}],\n"
    "  \"release\": [{\"field\": \"cleanup\"}], \"failure\": \"null-field:db\"},\n"
    " {\"id\": \"sqlite-db\", \"description\": \"SQLite database\",\n"
    "  \"acquire\": [{\"function\": \"sqlite3_open\", \"result\": \"arg\", \"arg\": 1}],\n"
    "  \"release\": [{\"function\": \"sqlite3_close\", \"arg\": 0}], \"failure\": \"never\"},\n"
    " {\"id\": \"proxy-conn\", \"description\": \"proxy connection\",\n"
    "  \"acquire\": [{\"function\": \"proxy_acquire\", \"result\": \"arg\", \"arg\": 0}],\n"
    "  \"release\": [{\"function\": \"proxy_release\", \"arg\": 0}], \"failure\": \"status-nonzero\"},\n"
    " {\"id\": \"fd\", \"description\": \"file descriptor\",\n"
    "  \"acquire\": [{\"function\": \"open\", \"result\": \"return\"}],\n"
    "  \"release\": [{\"function\": \"close\", \"arg\": 0}], \"failure\": \"negative\"},\n"
    " {\"id\": \"db-handle\", \"description\": \"database handle\",\n"
    "  \"acquire\": [{\"member\": \"init\", \"result\": \"return\"}],\n"
    "  \"release\": [{\"member\": \"close\", \"arg\": 0}], \"failure\": \"null\"},\n"
    " {\"id\": \"mysql-conn\", \"description\": \"MySQL connection handle\",\n"
    "  \"acquire\": [{\"function\": \"mysql_init\", \"result\": \"return\"}],\n"
    "  \"release\": [{\"function\": \"mysql_close\", \"arg\": 0}], \"failure\": \"null\"}\n"
    "]}\n";

static inline PackSet flow_test_packs(void)
{
    PackSet ps = {0};
    RulePack p;
    if (!rulepack_parse(flow_test_pack_json, "flowtest.json", &p)) {
        fprintf(stderr, "test pack does not parse\n");
        exit(2);
    }
    packset_add(&ps, &p);
    packset_load_library(&ps); /* the libc pack, as every run has it */
    return ps;
}

static inline FindingList flow_check(const PackSet *ps, const SummaryTable *st, const IrFunction *fn)
{
    CheckContext ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.packs = ps;
    ctx.summaries = st;
    FindingList out = {0};
    check_resource_flow(&ctx, fn, &out);
    findings_sort(&out);
    return out;
}

static inline int count_rule(const FindingList *l, const char *rule)
{
    int n = 0;
    for (int i = 0; i < l->len; i++)
        if (strcmp(l->items[i].rule, rule) == 0) n++;
    return n;
}

static inline const Finding *finding_at(const FindingList *l, const char *rule, int line)
{
    for (int i = 0; i < l->len; i++)
        if (strcmp(l->items[i].rule, rule) == 0 && l->items[i].loc.line == line) return &l->items[i];
    return NULL;
}

static inline void dump_findings(const FindingList *l)
{
    for (int i = 0; i < l->len; i++) {
        const Finding *f = &l->items[i];
        fprintf(stderr, "  [%s] line %d: %s\n", f->rule, f->loc.line, f->message);
        for (int k = 0; k < f->n_path; k++)
            fprintf(stderr, "      step %d: line %d: %s\n", k, f->path[k].line, f->path[k].message);
    }
}

#endif
