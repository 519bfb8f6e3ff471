// SHA-256 (FIPS 180-4) for the stored form's content hash: every ingested record is hashed,
// so the hash runs on the CPU's SHA extensions where there are some (x86-64 SHA-NI, chosen at
// run time) and in portable C elsewhere. Both paths share the padding code below.
#include "chm_sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CHM_SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

typedef void (*compress_fn)(uint32_t state[8], const uint8_t *blocks, size_t count);

static inline uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void compress_portable(uint32_t state[8], const uint8_t *blocks, size_t count) {
    uint32_t w[64];
    for (; count > 0; count--, blocks += 64) {
        for (int i = 0; i < 16; i++) {
            const uint8_t *p = blocks + 4 * i;
            w[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
        }
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

#ifdef CHM_SHA256_X86
// Four rounds with the SHA extensions. `sha256rnds2` does two rounds on the state held as
// (ABEF, CDGH); the message schedule runs four words ahead through `sha256msg1`/`sha256msg2`.

__attribute__((target("sha,sse4.1,ssse3")))
static void compress_shani(uint32_t state[8], const uint8_t *blocks, size_t count) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    // (a b c d) and (e f g h) -> (a b e f) and (c d g h), the order the instructions use.
    __m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
    efgh = _mm_shuffle_epi32(efgh, 0x1B);
    __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xF0);

    for (; count > 0; count--, blocks += 64) {
        const __m128i abef_before = abef, cdgh_before = cdgh;
        __m128i w[4];
        for (int i = 0; i < 4; i++) w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)), byteswap);

        // Group j covers rounds 4j..4j+3 with the message words w[j % 4]. While words are
        // still to come, group j finishes w[j + 1] (sha256msg2) and starts w[j + 3] (msg1).
        for (int j = 0; j < 16; j++) {
            __m128i current = w[j & 3];
            __m128i m = _mm_add_epi32(current, _mm_loadu_si128((const __m128i *)&K[4 * j]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
            if (j >= 3 && j < 15) {
                __m128i next = _mm_add_epi32(w[(j + 1) & 3], _mm_alignr_epi8(current, w[(j + 3) & 3], 4));
                w[(j + 1) & 3] = _mm_sha256msg2_epu32(next, current);
            }
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
            if (j >= 1 && j < 13) w[(j + 3) & 3] = _mm_sha256msg1_epu32(w[(j + 3) & 3], current);
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

static int cpu_has_sha(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}
#endif

static compress_fn chosen(void) {
#ifdef CHM_SHA256_X86
    // Racing first callers all store the same pointer.
    static compress_fn cached = 0;
    compress_fn fn = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (fn == 0) {
        fn = cpu_has_sha() ? compress_shani : compress_portable;
        __atomic_store_n(&cached, fn, __ATOMIC_RELAXED);
    }
    return fn;
#else
    return compress_portable;
#endif
}

static void sha256_with(compress_fn compress, const uint8_t *bytes, size_t length, uint8_t digest[32]) {
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const size_t whole = length / 64;
    if (whole > 0) compress(state, bytes, whole);

    // The tail, a 1 bit, zeros to 56 bytes mod 64 and the length in bits: one or two blocks.
    uint8_t tail[128] = {0};
    const size_t rest = length - whole * 64;
    if (rest > 0) memcpy(tail, bytes + whole * 64, rest);
    tail[rest] = 0x80;
    const size_t tail_length = rest < 56 ? 64 : 128;
    const uint64_t bits = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++) tail[tail_length - 1 - i] = (uint8_t)(bits >> (8 * i));
    compress(state, tail, tail_length / 64);

    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)state[i];
    }
}

void chm_sha256(const uint8_t *bytes, size_t length, uint8_t digest[32]) {
    sha256_with(chosen(), bytes, length, digest);
}

void chm_sha256_portable(const uint8_t *bytes, size_t length, uint8_t digest[32]) {
    sha256_with(compress_portable, bytes, length, digest);
}

int chm_sha256_is_accelerated(void) {
#ifdef CHM_SHA256_X86
    return chosen() == compress_shani;
#else
    return 0;
#endif
}
