#ifndef DOSECURATE_CISAL_SHIM_H
#define DOSECURATE_CISAL_SHIM_H
// Intel ISA-L (Debian's libisal-dev): a streaming DEFLATE inflater about three times as fast as
// zlib on this data, with the ZIP/gzip CRC-32 computed as it inflates.
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>
#endif
