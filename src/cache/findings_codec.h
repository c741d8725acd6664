/* findings_codec.h — a list of findings (finding.h) in the cache's binary
 * encoding (bytes.h): the checks' raw output for one file, stored so that a
 * file whose IR and whose callees' summaries have not changed is not
 * checked again. Rule ids are mapped back to the static strings of
 * rule_info, so a cached finding is indistinguishable from a fresh one. */
#ifndef CONNLINT_FINDINGS_CODEC_H
#define CONNLINT_FINDINGS_CODEC_H

#include "cache/bytes.h"
#include "common/finding.h"

void findings_encode(ByteBuf *out, const Finding *items, int n);
/* Appends the decoded findings to `out`; false (nothing appended) on
 * malformed input or an unknown rule id. */
bool findings_decode(ByteReader *r, FindingList *out);

#endif
