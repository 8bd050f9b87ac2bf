/*
 * bench_cipher [--kb N]: the per-byte work under an OTA download, each piece
 * timed alone on the same N KB (default 900) in this process, so the table
 * can say what bounds the OTA time rather than guess:
 *   - TLS record decryption as our client does it (mbedTLS ChaCha20-Poly1305,
 *     the suite esp_tls prefers) and with mbedTLS's AES-128-GCM, against what
 *     curl does with the same servers (OpenSSL, TLS 1.3 AES-256-GCM), in 16 KB
 *     records as the servers send them;
 *   - the image's SHA-256 with the core's C code (the bootloader and lx106)
 *     and with the virtual device's engine (libcrypto, esp_sha256_host_install).
 * Median of 15 runs each; one key=value line on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/cipher.h>
#include <openssl/evp.h>

#include "bench_clock.h"
#include "bs_sha256.h"
#include "esp_private/sha256_host.h"

#define RUNS 15
#define RECORD 16384u
#define TAG_LEN 16u

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v)
{
    qsort(v, RUNS, sizeof v[0], cmp_double);
    return v[RUNS / 2];
}

static void die(const char *what)
{
    fprintf(stderr, "bench_cipher: %s failed\n", what);
    exit(1);
}

typedef struct {
    uint8_t *plain;
    uint8_t *sealed; /* each record followed by its tag */
    uint8_t *out;
    size_t len;
} data_t;

static size_t records(const data_t *d)
{
    return (d->len + RECORD - 1) / RECORD;
}

static size_t record_len(const data_t *d, size_t i)
{
    size_t left = d->len - i * RECORD;
    return left < RECORD ? left : RECORD;
}

static const unsigned char s_key[32] = {7};
static const unsigned char s_aad[13] = {23, 3, 3};

/* Per-record nonce: a sequence number in the last bytes, as TLS does. */
static void nonce(unsigned char iv[12], size_t seq)
{
    memset(iv, 0x5a, 12);
    for (int b = 0; b < 8; b++) {
        iv[11 - b] = (unsigned char)(seq >> (8 * b));
    }
}

static double mbedtls_decrypt_ms(data_t *d, mbedtls_cipher_type_t type)
{
    mbedtls_cipher_context_t c;
    mbedtls_cipher_init(&c);
    const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(type);
    if (info == NULL || mbedtls_cipher_setup(&c, info) != 0) {
        die("mbedtls_cipher_setup");
    }
    int bits = (int)mbedtls_cipher_get_key_bitlen(&c);
    unsigned char iv[12];
    size_t olen;
    if (mbedtls_cipher_setkey(&c, s_key, bits, MBEDTLS_ENCRYPT) != 0) {
        die("mbedtls_cipher_setkey");
    }
    for (size_t i = 0; i < records(d); i++) {
        size_t n = record_len(d, i);
        nonce(iv, i);
        if (mbedtls_cipher_auth_encrypt_ext(&c, iv, 12, s_aad, sizeof s_aad, d->plain + i * RECORD,
                                            n, d->sealed + i * (RECORD + TAG_LEN), n + TAG_LEN,
                                            &olen, TAG_LEN) != 0) {
            die("mbedtls encrypt");
        }
    }
    if (mbedtls_cipher_setkey(&c, s_key, bits, MBEDTLS_DECRYPT) != 0) {
        die("mbedtls_cipher_setkey");
    }
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ms();
        for (size_t i = 0; i < records(d); i++) {
            size_t n = record_len(d, i);
            nonce(iv, i);
            if (mbedtls_cipher_auth_decrypt_ext(&c, iv, 12, s_aad, sizeof s_aad,
                                                d->sealed + i * (RECORD + TAG_LEN), n + TAG_LEN,
                                                d->out + i * RECORD, n, &olen, TAG_LEN) != 0) {
                die("mbedtls decrypt");
            }
        }
        t[r] = now_ms() - t0;
    }
    if (memcmp(d->out, d->plain, d->len) != 0) {
        die("mbedtls round trip");
    }
    mbedtls_cipher_free(&c);
    return median(t);
}

static void evp_seal_record(const EVP_CIPHER *cipher, const data_t *d, size_t i)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    unsigned char iv[12];
    int n = (int)record_len(d, i), l;
    uint8_t *dst = d->sealed + i * (RECORD + TAG_LEN);
    nonce(iv, i);
    if (c == NULL || EVP_EncryptInit_ex(c, cipher, NULL, s_key, iv) != 1 ||
        EVP_EncryptUpdate(c, NULL, &l, s_aad, sizeof s_aad) != 1 ||
        EVP_EncryptUpdate(c, dst, &l, d->plain + i * RECORD, n) != 1 ||
        EVP_EncryptFinal_ex(c, dst + l, &l) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, dst + n) != 1) {
        die("EVP encrypt");
    }
    EVP_CIPHER_CTX_free(c);
}

static double openssl_decrypt_ms(data_t *d, const EVP_CIPHER *cipher)
{
    for (size_t i = 0; i < records(d); i++) {
        evp_seal_record(cipher, d, i);
    }
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL || EVP_DecryptInit_ex(c, cipher, NULL, s_key, NULL) != 1) {
        die("EVP_DecryptInit_ex");
    }
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ms();
        for (size_t i = 0; i < records(d); i++) {
            int n = (int)record_len(d, i), l;
            unsigned char iv[12];
            uint8_t *src = d->sealed + i * (RECORD + TAG_LEN);
            nonce(iv, i);
            if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
                EVP_DecryptUpdate(c, NULL, &l, s_aad, sizeof s_aad) != 1 ||
                EVP_DecryptUpdate(c, d->out + i * RECORD, &l, src, n) != 1 ||
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, src + n) != 1 ||
                EVP_DecryptFinal_ex(c, d->out + i * RECORD + l, &l) != 1) {
                die("EVP decrypt");
            }
        }
        t[r] = now_ms() - t0;
    }
    if (memcmp(d->out, d->plain, d->len) != 0) {
        die("EVP round trip");
    }
    EVP_CIPHER_CTX_free(c);
    return median(t);
}

static double sha256_ms(const data_t *d, uint8_t digest[32])
{
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ms();
        bs_sha256(d->plain, (uint32_t)d->len, digest);
        t[r] = now_ms() - t0;
    }
    return median(t);
}

int main(int argc, char **argv)
{
    size_t kb = 900;
    if (argc == 3 && strcmp(argv[1], "--kb") == 0) {
        kb = strtoul(argv[2], NULL, 10);
    } else if (argc != 1 || kb == 0) {
        fprintf(stderr, "usage: bench_cipher [--kb N]\n");
        return 2;
    }
    data_t d = {.len = kb * 1024};
    d.plain = malloc(d.len);
    d.out = malloc(d.len);
    d.sealed = malloc(records(&d) * (RECORD + TAG_LEN));
    if (d.plain == NULL || d.out == NULL || d.sealed == NULL) {
        die("malloc");
    }
    srand(1);
    for (size_t i = 0; i < d.len; i++) {
        d.plain[i] = (uint8_t)rand();
    }

    double chacha = mbedtls_decrypt_ms(&d, MBEDTLS_CIPHER_CHACHA20_POLY1305);
    double gcm = mbedtls_decrypt_ms(&d, MBEDTLS_CIPHER_AES_128_GCM);
    double ossl = openssl_decrypt_ms(&d, EVP_aes_256_gcm());
    uint8_t h_c[32], h_e[32];
    bs_sha256_set_blocks(NULL);
    double sha_c = sha256_ms(&d, h_c);
    esp_sha256_host_install();
    double sha_e = sha256_ms(&d, h_e);
    if (memcmp(h_c, h_e, 32) != 0) {
        die("SHA-256 engines agree");
    }
    printf("tool=cipher kb=%zu mbedtls_chacha20_poly1305_ms=%.3f mbedtls_aes128_gcm_ms=%.3f "
           "openssl_aes256_gcm_ms=%.3f sha256_core_ms=%.3f sha256_engine_ms=%.3f\n",
           kb, chacha, gcm, ossl, sha_c, sha_e);
    free(d.plain);
    free(d.out);
    free(d.sealed);
    return 0;
}
