#include "cinfra_digest.h"
#include <string.h>
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CINFRA_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* ---- SHA-256 ---------------------------------------------------------------------------- */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_blocks_portable(uint32_t state[8], const uint8_t *p, size_t blocks) {
    for (; blocks > 0; blocks--, p += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
            uint32_t t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

#ifdef CINFRA_SHA_NI
/* The SHA extensions keep the state as two registers, ABEF and CDGH; each sha256rnds2 does two
   rounds, the message schedule is sha256msg1/sha256msg2 over four-word groups. */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_shani(uint32_t state[8], const uint8_t *p, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);  /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                                            /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);                                                  /* CDGH */
    for (; blocks > 0; blocks--, p += 64) {
        __m128i save0 = s0, save1 = s1;
        __m128i w[4];
        for (int i = 0; i < 16; i++) {
            if (i < 4) {
                w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), byteswap);
            } else {
                /* w[i % 4] holds the group i - 4, the oldest; the others i - 3, i - 2, i - 1. */
                __m128i g4 = w[i % 4], g3 = w[(i + 1) % 4], g2 = w[(i + 2) % 4], g1 = w[(i + 3) % 4];
                __m128i m = _mm_add_epi32(_mm_sha256msg1_epu32(g4, g3), _mm_alignr_epi8(g1, g2, 4));
                w[i % 4] = _mm_sha256msg2_epu32(m, g1);
            }
            __m128i k = _mm_add_epi32(w[i % 4], _mm_loadu_si128((const __m128i *)&K256[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, k);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k, 0x0E));
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);                    /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);                     /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xF0);                  /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);                     /* ABEF -> HGFE */
    _mm_storeu_si128((__m128i *)&state[0], s0);
    _mm_storeu_si128((__m128i *)&state[4], s1);
}

static int sha_ni_available(void) {
    static int known = -1;
    if (known >= 0) return known;
    unsigned a, b, c, d;
    int ok = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1)
        && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
        ok = 1;
    known = ok;
    return ok;
}
#endif

static int force_portable;

int cinfra_sha256_uses_cpu_extensions(void) {
#ifdef CINFRA_SHA_NI
    return !force_portable && sha_ni_available();
#else
    return 0;
#endif
}

void cinfra_sha256_force_portable(int on) { force_portable = on; }

static void sha256_blocks(uint32_t state[8], const uint8_t *p, size_t blocks) {
#ifdef CINFRA_SHA_NI
    if (cinfra_sha256_uses_cpu_extensions()) { sha256_blocks_shani(state, p, blocks); return; }
#endif
    sha256_blocks_portable(state, p, blocks);
}

/* Hashes prefix (prefix_length bytes, at most one block) then data, as one message. */
static void sha256_two(const uint8_t *prefix, size_t prefix_length, const uint8_t *data, size_t length, uint8_t out[32]) {
    uint32_t state[8];
    memcpy(state, H256, sizeof state);
    uint8_t block[128];
    size_t used = prefix_length;
    if (prefix_length > 0) memcpy(block, prefix, prefix_length);
    uint64_t bits = ((uint64_t)prefix_length + length) * 8;
    if (used > 0 && length > 0) {
        size_t take = 64 - used < length ? 64 - used : length;
        memcpy(block + used, data, take);
        used += take; data += take; length -= take;
        if (used == 64) { sha256_blocks(state, block, 1); used = 0; }
    }
    if (used == 0 && length >= 64) {
        sha256_blocks(state, data, length / 64);
        data += length - length % 64;
        length %= 64;
    }
    if (length > 0) { memcpy(block + used, data, length); used += length; }
    block[used++] = 0x80;
    size_t total = used <= 56 ? 64 : 128;
    memset(block + used, 0, total - used);
    for (int i = 0; i < 8; i++) block[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha256_blocks(state, block, total / 64);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(state[i] >> 24); out[4 * i + 1] = (uint8_t)(state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(state[i] >> 8); out[4 * i + 3] = (uint8_t)state[i];
    }
}

void cinfra_sha256(const void *data, size_t length, uint8_t out[32]) {
    sha256_two(NULL, 0, data, length, out);
}

void cinfra_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t out[32]) {
    uint8_t k[64] = {0}, pad[64], inner[32];
    if (key_length > 64) cinfra_sha256(key, key_length, k);
    else if (key_length > 0) memcpy(k, key, key_length);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    sha256_two(pad, 64, data, length, inner);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    sha256_two(pad, 64, inner, 32, out);
}

/* ---- MD5 -------------------------------------------------------------------------------- */

static const uint32_t KMD5[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t SMD5[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static void md5_block(uint32_t s[4], const uint8_t *p) {
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        switch (i / 16) {
        case 0: f = (b & c) | (~b & d); g = i; break;
        case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
        case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
        default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
        }
        uint32_t x = a + f + KMD5[i] + m[g];
        int r = SMD5[(i / 16) * 4 + i % 4];
        a = d; d = c; c = b;
        b = b + ((x << r) | (x >> (32 - r)));
    }
    s[0] += a; s[1] += b; s[2] += c; s[3] += d;
}

void cinfra_md5(const void *data, size_t length, uint8_t out[16]) {
    uint32_t s[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    const uint8_t *p = data;
    uint64_t bits = (uint64_t)length * 8;
    for (; length >= 64; length -= 64, p += 64) md5_block(s, p);
    uint8_t block[128] = {0};
    if (length > 0) memcpy(block, p, length);
    block[length] = 0x80;
    size_t total = length + 1 <= 56 ? 64 : 128;
    for (int i = 0; i < 8; i++) block[total - 8 + i] = (uint8_t)(bits >> (8 * i));
    md5_block(s, block);
    if (total == 128) md5_block(s, block + 64);
    for (int i = 0; i < 4; i++) {
        out[4 * i] = (uint8_t)s[i]; out[4 * i + 1] = (uint8_t)(s[i] >> 8);
        out[4 * i + 2] = (uint8_t)(s[i] >> 16); out[4 * i + 3] = (uint8_t)(s[i] >> 24);
    }
}
