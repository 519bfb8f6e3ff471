#ifndef CHM_SHA256_H
#define CHM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256 (FIPS 180-4) of `length` bytes at `bytes`, written as 32 bytes to `digest`.
/// Uses the CPU's SHA extensions when it has them (x86-64 SHA-NI), else portable C.
void chm_sha256(const uint8_t *bytes, size_t length, uint8_t digest[32]);

/// The same digest, always computed by the portable code (for tests of the fast path).
void chm_sha256_portable(const uint8_t *bytes, size_t length, uint8_t digest[32]);

/// 1 when `chm_sha256` uses the CPU's SHA extensions on this machine, else 0.
int chm_sha256_is_accelerated(void);

#endif
