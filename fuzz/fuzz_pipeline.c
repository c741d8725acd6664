/* fuzz_pipeline.c — libFuzzer target: any bytes as a C file, through the
 * whole pipeline: parse (libclang, on its large-stack thread), summaries,
 * every check with every built-in pack, fingerprints, then the text, SARIF
 * and GitHub reports. Nothing may crash, leak or hang; libclang errors are
 * fine (the unit is then parse_failed or has_errors). The file is written
 * to a private temporary folder first, as the tool reads files by path. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/registry.h"
#include "cli/derived_packs.h"
#include "cli/builtin_packs.h"
#include "cli/rulepack.h"
#include "common/util.h"
#include "filter/filter_fingerprint.h"
#include "flow/noreturn_infer.h"
#include "flow/summary.h"
#include "flow/summary_table.h"
#include "parse/parse.h"
#include "report/report.h"

static char dir[64];
static char *source;
static PackSet packs;
static ParseSession *session;
static NoreturnNames noreturn;

static void set_up(void)
{
    snprintf(dir, sizeof dir, "/tmp/connlint-fuzz-pipeline-%d", (int)getpid());
    if (access(dir, F_OK) != 0 && mkdir(dir, 0700) != 0) abort();
    source = xasprintf("%s/input.c", dir);
    for (int i = 0; i < builtin_pack_count; i++)
        if (!packset_load(&packs, builtin_packs[i].name)) abort();
    noreturn = (NoreturnNames){packset_noreturn_names(&packs, false), packset_noreturn_names(&packs, true)};
    session = parse_session_new(&noreturn);
    parse_session_read_attributes(session, true); /* the attribute reader too */
}

static void render_all(const FindingList *findings)
{
    ReportContext ctx = {0};
    ctx.srcroot = dir;
    ctx.cwd = dir;
    ctx.execution_successful = true;
    ctx.n_files = 1;
    const OutputFormat formats[] = {FORMAT_TEXT, FORMAT_SARIF, FORMAT_GITHUB, FORMAT_JSON};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) free(report_render(formats[i], findings, &ctx));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!session) set_up();
    FILE *f = fopen(source, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    IrUnit *unit = parse_unit(session, source, NULL, 0);
    IrUnit *units[] = {unit};
    DerivedPack derived;
    derived_pack_build(units, 1, &packs, dir, &derived);
    derived_pack_free(&derived);
    noreturn_refine(units, 1);
    SummaryTable *summaries = summaries_build(units, 1, &packs);
    CheckContext cctx = {&packs, summaries, NULL, 0};
    FindingList findings = {0};
    if (!unit->parse_failed) checks_run(&cctx, units, 1, &findings);
    fingerprint_assign_rooted(&findings, dir);
    findings_sort(&findings);
    render_all(&findings);
    findings_free(&findings);
    summaries_free(summaries);
    ir_unit_free(unit);
    return 0;
}
