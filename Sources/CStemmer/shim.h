// Snowball's stemmers through Debian's libstemmer-dev (the Snowball project's C library).
#ifndef CHM_CSTEMMER_SHIM_H
#define CHM_CSTEMMER_SHIM_H
#include <libstemmer.h>
#endif
