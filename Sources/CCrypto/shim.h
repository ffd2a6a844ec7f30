// OpenSSL's libcrypto (from libssl-dev) for PBKDF2-HMAC-SHA256: the one primitive the steps need.
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
