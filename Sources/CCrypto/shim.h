// OpenSSL's libcrypto (from libssl-dev): PBKDF2-HMAC-SHA256 for standard passwords, SHA-256 and
// SHA-512 digests for firmware images.
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
