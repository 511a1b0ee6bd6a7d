#ifndef PUENTE_CPUENTEZLIB_SHIM_H
#define PUENTE_CPUENTEZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro and does not import into Swift. */
static inline int puente_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
/* Raw deflate at level 6, memory level 8: bundles' ops.jsonl, and tests' hand-built ZIPs. */
static inline int puente_deflate_init_raw(z_stream *stream) {
    return deflateInit2(stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
#endif
