/* cache_deps.c — the dependency digest of a unit's checks (cache_deps.h). */
#include "cache/cache_deps.h"

#include <stdio.h>
#include <string.h>

#include "cache/bytes.h"
#include "cache/ir_codec.h"

static void add_int(Sha256 *h, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    sha256_update_str(h, buf);
}

static void add_resource(Sha256 *h, const Resource *r)
{
    sha256_update_str(h, r ? r->pack : NULL);
    sha256_update_str(h, r ? r->id : NULL);
}

void summary_digest_add(Sha256 *h, const FunctionSummary *s)
{
    if (!s) {
        sha256_update_str(h, NULL);
        return;
    }
    sha256_update_str(h, s->name);
    sha256_update_str(h, s->file);
    add_int(h, s->is_static);
    add_resource(h, s->acquires);
    add_int(h, s->acquire_result_arg);
    add_int(h, s->acquire_failure);
    sha256_update_str(h, s->acquire_field);
    add_int(h, s->acquires_per_request);
    add_int(h, s->acquire_unless_zero);
    sha256_update_str(h, s->chain);
    add_int(h, s->n_params);
    for (int i = 0; i < s->n_params; i++) {
        add_int(h, s->params ? (long long)s->params[i] : -1);
        add_resource(h, s->param_res ? s->param_res[i] : NULL);
    }
    add_int(h, s->returns_param);
    add_int(h, s->takes_contents);
    for (int i = 0; i < SUMMARY_MAYBE_PARAMS; i++) {
        add_int(h, s->maybe[i].by);
        add_int(h, s->maybe[i].param);
        add_int(h, s->maybe[i].ret);
    }
}

static void add_lookup(Sha256 *h, const SummaryTable *t, const char *name, const char *from_file)
{
    sha256_update_str(h, name);
    sha256_update_str(h, from_file);
    summary_digest_add(h, name ? summary_lookup(t, name, from_file) : NULL);
}

void cache_deps_digest(const IrUnit *u, const SummaryTable *t, char out[SHA256_HEX_LEN + 1])
{
    Sha256 h;
    sha256_init(&h);
    ByteBuf b = {0};
    ir_unit_encode(&b, u);
    sha256_update(&h, b.data, b.len);
    bytes_free(&b);
    for (int f = 0; f < u->n_functions; f++) {
        const IrFunction *fn = &u->functions[f];
        add_lookup(&h, t, fn->name, fn->file);
        for (int bl = 0; bl < fn->n_blocks; bl++)
            for (int e = 0; e < fn->blocks[bl].n_events; e++) {
                const IrEvent *ev = &fn->blocks[bl].events[e];
                if (ev->kind == EV_CALL && ev->u.call.callee_kind == CALLEE_DIRECT)
                    add_lookup(&h, t, ev->u.call.callee, fn->file);
                else if (ev->kind == EV_FUNC_REF)
                    add_lookup(&h, t, ev->u.func_ref.name, fn->file);
            }
    }
    for (int i = 0; i < u->n_global_refs; i++) add_lookup(&h, t, u->global_refs[i].name, u->global_refs[i].file);
    sha256_final_hex(&h, out);
}
