/* fuzz_config.c — libFuzzer target: any bytes as a `.connlint.json`. The
 * parser must reject or accept them without crashing, leaking or taking
 * more than linear-ish time; errors go to stderr (run with
 * -close_fd_mask=2 to keep the fuzzer's console readable). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    Config cfg;
    if (config_parse(text, "/fuzz/.connlint.json", &cfg)) config_free(&cfg);
    else config_free(&cfg);
    free(text);
    return 0;
}
