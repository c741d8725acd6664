/* filter_levels.c — the configuration's "levels" (SPEC §3): a rule's
 * findings take the configured level; "none" removes that rule's findings
 * from the list altogether. The order of the remaining findings is kept.
 * Does not know rule defaults (checks set those) and reads no files. */
#include <string.h>

#include "filter/filter.h"

static const LevelOverride *override_for(const Config *cfg, const char *rule)
{
    if (!rule) return NULL;
    const LevelOverride *found = NULL;
    for (int i = 0; i < cfg->n_levels; i++) /* the last one given wins */
        if (cfg->levels[i].rule && strcmp(cfg->levels[i].rule, rule) == 0) found = &cfg->levels[i];
    return found;
}

void levels_apply(FindingList *list, const Config *cfg)
{
    if (!list || !cfg || cfg->n_levels <= 0) return;
    int kept = 0;
    for (int i = 0; i < list->len; i++) {
        Finding *f = &list->items[i];
        const LevelOverride *o = override_for(cfg, f->rule);
        if (o && o->level == LEVEL_NONE) {
            finding_free(f);
            continue;
        }
        if (o) f->level = o->level;
        if (kept != i) list->items[kept] = *f;
        kept++;
    }
    list->len = kept;
}
