/* fuzz_pack.c — libFuzzer target: any bytes as a rule pack (SPEC §4).
 * rulepack_parse must validate or reject without crashing or leaking. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli/rulepack.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    RulePack p;
    rulepack_parse(text, "/fuzz/pack.json", &p);
    rulepack_free(&p);
    free(text);
    return 0;
}
