/* fuzz_baseline.c — libFuzzer target: any bytes as a --baseline SARIF file,
 * applied to a small list of current findings (one matching fingerprint,
 * one not). baseline_apply reads a path, so the input is written to a
 * private temporary file first. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/finding.h"
#include "common/util.h"
#include "filter/filter.h"

static char baseline_path[64];

static void add_finding(FindingList *list, const char *fp)
{
    Finding f = {0};
    f.rule = "connection-leak";
    f.level = LEVEL_WARNING;
    f.loc = findingloc_make("/fuzz/a.c", 3, 5, 3, 9, NULL);
    f.message = xstrdup("leak");
    f.identity = xstrdup(fp);
    f.fingerprint = xstrdup(fp);
    findings_add(list, &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!baseline_path[0]) {
        snprintf(baseline_path, sizeof baseline_path, "/tmp/connlint-fuzz-baseline-%d.sarif", (int)getpid());
    }
    FILE *f = fopen(baseline_path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    FindingList list = {0};
    add_finding(&list, "0123456789abcdef");
    add_finding(&list, "fedcba9876543210");
    baseline_apply(&list, baseline_path);
    findings_sort(&list);
    findings_free(&list);
    return 0;
}
