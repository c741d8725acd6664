/* ir_codec.h — the IR of one translation unit (ir.h) in the cache's binary
 * encoding (bytes.h), so that a file whose content, headers and compiler
 * arguments have not changed is not parsed again: the decoded unit is the
 * one the parse stage produced, field for field (before noreturn_refine,
 * which depends on other files). The decoder checks every index it reads
 * (variables, calls, blocks) and returns NULL on anything malformed. */
#ifndef CONNLINT_IR_CODEC_H
#define CONNLINT_IR_CODEC_H

#include "cache/bytes.h"
#include "ir/ir.h"

void ir_unit_encode(ByteBuf *out, const IrUnit *u);
/* One function, as ir_unit_encode writes it (the summary cache hashes it). */
void ir_function_encode(ByteBuf *out, const IrFunction *fn);
/* A new unit (free with ir_unit_free), or NULL. */
IrUnit *ir_unit_decode(ByteReader *r);

#endif
