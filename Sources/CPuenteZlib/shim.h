#ifndef PUENTE_CPUENTEZLIB_SHIM_H
#define PUENTE_CPUENTEZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro and does not import into Swift. */
static inline int puente_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
#endif
