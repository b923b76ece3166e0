/* util_int.h: what util's own files and tests share; private to util. */
#ifndef WEFT_UTIL_INT_H
#define WEFT_UTIL_INT_H

#include "util.h"

/* Tests only: use the portable SHA-256 even where the CPU has the SHA
 * extensions, so the two can be compared. */
void wf__sha256_force_portable(bool on);

#endif
