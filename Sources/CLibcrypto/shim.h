#ifndef PUENTE_CLIBCRYPTO_SHIM_H
#define PUENTE_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/pkcs12.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <string.h>
#include <limits.h>

/* The primitives of the age format (c2sp.org/age) that OpenSSL 3.0 gives through OSSL_PARAM
 * lists or cipher controls, each a one-shot call returning 1 on success and 0 otherwise.
 * Nothing here keeps a secret beyond the call: every context is freed before returning. */

/* HKDF-SHA-256 (RFC 5869): extract with `salt`, then expand with `info`, into `out`. */
static inline int puente_hkdf_sha256(const unsigned char *ikm, size_t ikm_len,
                                     const unsigned char *salt, size_t salt_len,
                                     const unsigned char *info, size_t info_len,
                                     unsigned char *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL) return 0;
    /* OpenSSL reads these buffers without writing them; an empty salt or info is a zero-length
     * octet string, which HKDF treats as the RFC does (an empty salt is HashLen zeros). */
    static unsigned char empty[1] = {0};
    OSSL_PARAM params[5];
    int n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(ikm_len ? ikm : empty), ikm_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(salt_len ? salt : empty), salt_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(info_len ? info : empty), info_len);
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/* HMAC-SHA-256 of `data` under `key` into `out` (32 bytes). */
static inline int puente_hmac_sha256(const unsigned char *key, size_t key_len,
                                     const unsigned char *data, size_t data_len, unsigned char out[32]) {
    size_t out_len = 0;
    static unsigned char empty[1] = {0};
    unsigned char *result = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key_len ? key : empty, key_len,
                                      data_len ? data : empty, data_len, out, 32, &out_len);
    return result != NULL && out_len == 32;
}

/* ChaCha20-Poly1305 (RFC 7539) with a 32-byte key and a 12-byte nonce, no associated data:
 * `out` receives the ciphertext and the 16-byte tag (`in_len + 16` bytes). */
static inline int puente_chacha20poly1305_seal(const unsigned char key[32], const unsigned char nonce[12],
                                               const unsigned char *in, size_t in_len, unsigned char *out) {
    if (in_len > INT_MAX) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0, ok = 0;
    if (EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce) == 1
        && (in_len == 0 || EVP_EncryptUpdate(ctx, out, &len, in, (int)in_len) == 1)
        && EVP_EncryptFinal_ex(ctx, out + len, &len) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + in_len) == 1) {
        ok = 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* Opens what `puente_chacha20poly1305_seal` sealed: `in` is the ciphertext and its tag
 * (`in_len >= 16`); `out` receives `in_len - 16` bytes, and only when the tag verifies is 1
 * returned (the caller must not use `out` otherwise). */
static inline int puente_chacha20poly1305_open(const unsigned char key[32], const unsigned char nonce[12],
                                               const unsigned char *in, size_t in_len, unsigned char *out) {
    if (in_len < 16 || in_len - 16 > INT_MAX) return 0;
    size_t text_len = in_len - 16;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0, ok = 0;
    unsigned char tag[16];
    memcpy(tag, in + text_len, 16);
    if (EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce) == 1
        && (text_len == 0 || EVP_DecryptUpdate(ctx, out, &len, in, (int)text_len) == 1)
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1
        && EVP_DecryptFinal_ex(ctx, out + len, &len) == 1) {
        ok = 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (!ok && text_len > 0) OPENSSL_cleanse(out, text_len);
    return ok;
}

/* X25519 (RFC 7748): `out` = X25519(scalar, point). Returns 0 for a point whose result is
 * all zeros (a low-order point), which age requires refusing. */
static inline int puente_x25519(const unsigned char scalar[32], const unsigned char point[32], unsigned char out[32]) {
    EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, scalar, 32);
    EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, point, 32);
    EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
    size_t len = 32;
    int ok = ctx != NULL && theirs != NULL && EVP_PKEY_derive_init(ctx) == 1
        && EVP_PKEY_derive_set_peer(ctx, theirs) == 1 && EVP_PKEY_derive(ctx, out, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(theirs);
    EVP_PKEY_free(mine);
    if (ok) {
        unsigned char any = 0;
        for (int i = 0; i < 32; i++) any |= out[i];
        if (any == 0) ok = 0;
    }
    if (!ok) ERR_clear_error();
    return ok;
}
#endif
