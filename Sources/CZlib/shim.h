// zlib (from zlib1g-dev; libcurl already links it) for gunzip: Argo compresses a large
// Workflow's status.nodes into status.compressedNodes, and the fleet budget must still read them.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro; Swift calls this instead.
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
