#ifndef AMFORA_CCRYPTO_SHIM_H
#define AMFORA_CCRYPTO_SHIM_H
/* OpenSSL's libcrypto, for SHA-256 and HMAC-SHA-256 only: libcurl (OpenSSL flavour) already
   loads it, and it uses the CPU's SHA instructions (about ten times a portable implementation). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#endif
