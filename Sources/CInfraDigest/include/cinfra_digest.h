#ifndef CINFRA_DIGEST_H
#define CINFRA_DIGEST_H
#include <stddef.h>
#include <stdint.h>

/* SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and MD5 (RFC 1321), written here so that infra
   links no crypto library: libcrypto cost every start ~2.5 M instructions and ~120 page faults
   to load and relocate, and OpenSSL 3's provider set-up another ~5 M at the first digest. On
   x86-64 CPUs with the SHA extensions (checked once with CPUID) SHA-256 runs on them. */

/* The 32-byte SHA-256 of `length` bytes at `data` (data may be NULL when length is 0). */
void cinfra_sha256(const void *data, size_t length, uint8_t out[32]);

/* The 32-byte HMAC-SHA256 of the message under the key. */
void cinfra_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t out[32]);

/* The 16-byte MD5 (for S3's Content-MD5 integrity header only, never for security). */
void cinfra_md5(const void *data, size_t length, uint8_t out[16]);

/* Tests: 1 when SHA-256 uses the CPU's SHA extensions; cinfra_sha256_force_portable(1) makes
   every following cinfra_sha256 use the portable code (0 restores the CPU check). */
int cinfra_sha256_uses_cpu_extensions(void);
void cinfra_sha256_force_portable(int on);
#endif
