/*
 * The hostile input matrix (issue 4 item 3), one table, one counted report.
 *
 * Every row is something an attacker, a broken server or a bad build can
 * hand the device. Each row runs in every leg it applies to:
 *   - download, native_ota_example (esp_ota_* driven by the example);
 *   - download, simple_ota_example (esp_https_ota);
 *   - boot: the same bytes already in ota_0 with otadata selecting it.
 * and asserts the exact error lines and that nothing is lost: the factory
 * app keeps running (it boots next), otadata is untouched, and no byte
 * outside ota_0 changed (for refusals before the first erase: no flash
 * operation at all). At boot: no flash operation at all, the bad slot is
 * reported not bootable and the factory app runs.
 *
 * Rows without a leg's expectation do not run in that leg. The last lines
 * of the run are the report: cases per class and leg, and how many passed.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <cmocka.h>
#include <mbedtls/sha256.h>

#include "ota_matrix.h"

#define H_GUARD_OTA OTA8266_BINARY_DIR "/tests/hostile/simple_ota_guard.bin"
#define H_EXPIRED_CERT OTA8266_BINARY_DIR "/test_certs/expired_cert.pem"
#define H_EXPIRED_KEY OTA8266_BINARY_DIR "/test_certs/expired_key.pem"

/* ---- the rows ---------------------------------------------------------- */

typedef enum { CLASS_IMAGE, CLASS_TRUNC, CLASS_FIELDS, CLASS_HTTP, CLASS_TLS, CLASS_PACE, N_CLASS } klass_t;
static const char *const s_class_name[N_CLASS] = {
    "image corruption", "truncation", "flash mode/size fields", "HTTP responses",
    "TLS",              "slow retrieval"};

/* Where a mutation applies, relative to the parts of hello_world.bin. */
typedef enum {
    AT_ABS,       /* k */
    AT_SEG_HDR,   /* segment header of segment k (k < 0: the last) + d */
    AT_SEG_DATA,  /* data of segment k + d (d < 0: from the middle) */
    AT_PAD,       /* first padding byte + d */
    AT_CHECKSUM,  /* the checksum byte + d */
    AT_HASH,      /* first SHA-256 byte + d */
} anchor_t;

typedef enum {
    M_NONE,
    M_XOR,      /* byte ^= v */
    M_SET,      /* byte = v */
    M_SET32,    /* little-endian word = v */
    M_TRUNC,    /* the image ends just before the byte */
} mut_t;

/* How the body reaches the device. */
typedef enum {
    SRV_WWW,       /* s_server -WWW: HTTP/1.0, no length, close-delimited */
    SRV_RAW,       /* s_server -HTTP: head + body exactly as given */
    SRV_OTHER_CA,  /* -WWW with a certificate the device does not trust */
    SRV_WRONG_HOST,
    SRV_EXPIRED,
    SRV_TRICKLE,   /* bytes fed at a fixed rate (guarded simple_ota build) */
} server_t;

/* Raw bodies the network rows send. */
typedef enum {
    BODY_IMAGE,     /* the (mutated) image */
    BODY_HTML,      /* a web page */
    BODY_NOTHING,
    BODY_BIG,       /* 1 MB: the image then a pattern */
    BODY_ENDLESS,   /* 2 MB with no length */
    BODY_HALF,      /* half the image */
} body_t;

typedef enum { ARG_LEN, ARG_AT, ARG_SEGEND } arg_t;
typedef enum {
    CK_NONE,
    CK_DATA,   /* a data byte xor 1: calculated = stored ^ 1 */
    CK_BYTE,   /* the checksum byte xor 1 */
    CK_ERASED, /* the checksum byte reads 0xff (truncated in flash) */
} ck_t;

typedef struct {
    const char *name;
    klass_t klass;
    mut_t mut;
    anchor_t at;
    int k, d;
    uint32_t v;
    bool reseal;    /* recompute checksum and SHA-256 after the mutation */
    server_t srv;
    const char *head; /* SRV_RAW: status line and headers ("%zu": body length) */
    body_t body;
    unsigned rate;  /* SRV_TRICKLE: bytes per second */
    /* Expected exact lines per leg ("%u": the mutated image's length);
     * native/simple[0] == NULL: leg not run. nw_*: no flash op at all. */
    const char *native[3];
    bool nw_native;
    const char *simple[3];
    bool nw_simple;
    const char *boot; /* the esp_image line; NULL: leg not run */
    bool boots;       /* the bootloader, as the SDK's, still boots it (boot: a warning or "") */
    arg_t arg, arg_boot; /* what "%u"/"%x" stands for in the download / boot lines */
    ck_t ck;          /* what "CK" stands for */
} row_t;

/* Lines every leg of a kind ends with. */
#define N_WRITE "E (T) native_ota_example: Error: esp_ota_write failed! err=0x1503 (ESP_ERR_OTA_VALIDATE_FAILED)"
#define N_END "E (T) native_ota_example: esp_ota_end failed (0x1503 ESP_ERR_OTA_VALIDATE_FAILED)!"
#define N_READ "E (T) native_ota_example: Error: SSL data read error"
#define N_CONNECT "E (T) native_ota_example: Failed to open HTTP connection: 0x7002 (ESP_ERR_HTTP_CONNECT)"
#define S_VALIDATE "E (T) simple_ota_example: Firmware Upgrades Failed (0x1503 ESP_ERR_OTA_VALIDATE_FAILED)"
#define S_END "E (T) esp_https_ota: Error: esp_ota_end failed! Image is invalid: 0x1503 (ESP_ERR_OTA_VALIDATE_FAILED)"
#define S_FAIL "E (T) simple_ota_example: Firmware Upgrades Failed (0xffffffff ESP_FAIL)"
#define S_CONNECT "E (T) simple_ota_example: Firmware Upgrades Failed (0x7002 ESP_ERR_HTTP_CONNECT)"
#define S_TIMEOUT "E (T) simple_ota_example: Firmware Upgrades Failed (0x107 ESP_ERR_TIMEOUT)"
#define S_NOT_IMAGE "E (T) esp_https_ota: The body is not an app image for partition ota_0 at 0x110000 (starts *"
#define IMG "E (T) esp_image: image at 0x110000"
#define HASH "E (T) esp_image: Image hash failed - image is corrupt"
#define CKSUM "E (T) esp_image: Checksum failed. CK"
#define CHUNK "E (T) HTTP_CLIENT: malformed response: HPE_INVALID_CHUNK_SIZE (invalid character in chunk size header)"
#define LONG_HEADER "E (T) HTTP_CLIENT: response header line longer than buffer_size 512 bytes (\"X-Padding...\"); raise buffer_size"
#define VERIFY "I (T) esp-tls: verification info:   ! The certificate "
/* One "%u" in an expected line is the mutated image's length (ARG_LEN), the
 * mutated offset (ARG_AT, for "%x") or where segment data ends (ARG_SEGEND);
 * "CK" becomes the checksum pair; one '*' matches anything. */

static const row_t s_rows[] = {
    /* ---- every part of the image, one damaged byte ------------------------------ */
    {.name = "header magic", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_ABS, .k = 0, .v = 0x01,
     .native = {"E (T) esp_ota_ops: OTA image has invalid magic byte (expected 0xE9, saw 0xe8)", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = IMG " has invalid magic byte"},
    {.name = "segment count 0", .klass = CLASS_IMAGE, .mut = M_SET, .at = AT_ABS, .k = 1, .v = 0,
     .native = {"E (T) esp_image: padding byte at offset 0x8 is 0x10, expected 0x00", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = "E (T) esp_image: padding byte at offset 0x8 is 0x10, expected 0x00"},
    {.name = "segment count 17", .klass = CLASS_IMAGE, .mut = M_SET, .at = AT_ABS, .k = 1, .v = 17,
     .native = {IMG " segment count 17 exceeds max 16", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = IMG " segment count 17 exceeds max 16"},
    {.name = "entry outside the slot", .klass = CLASS_IMAGE, .mut = M_SET32, .at = AT_ABS, .k = 4, .v = 0x40000000,
     .native = {IMG ": entry 0x40000000 outside its slot's window (0x40210010, 0x40300000), linked for another offset?", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = IMG ": entry 0x40000000 outside its slot's window (0x40210010, 0x40300000), linked for another offset?"},
    {.name = "segment load address unmapped", .klass = CLASS_IMAGE, .mut = M_SET32, .at = AT_SEG_HDR, .k = 1, .d = 0, .v = 0x20000000,
     .native = {IMG ": segment 1 (0x20000000, * bytes) is outside DRAM, IRAM and the flash window", N_WRITE}, .nw_native = true,
     .simple = {IMG ": segment 1 (0x20000000, * bytes) is outside DRAM, IRAM and the flash window", S_VALIDATE},
     .boot = IMG ": segment 1 (0x20000000, * bytes) is outside DRAM, IRAM and the flash window"},
    {.name = "segment length not a multiple of 4", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_SEG_HDR, .k = 0, .d = 4, .v = 0x01,
     .native = {"E (T) esp_image: unaligned segment length 0x101", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = "E (T) esp_image: unaligned segment length 0x101"},
    {.name = "segment length past the slot", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_SEG_HDR, .k = -1, .d = 6, .v = 0x10,
     .native = {"E (T) esp_image: Image length * doesn't fit in partition length 983040",
                "E (T) native_ota_example: Error: esp_ota_write failed! err=0x104 (ESP_ERR_INVALID_SIZE)"}, .nw_native = true,
     .simple = {"E (T) esp_image: Image length * doesn't fit in partition length 983040",
                "E (T) simple_ota_example: Firmware Upgrades Failed (0x104 ESP_ERR_INVALID_SIZE)"},
     .boot = "E (T) esp_image: Image length * doesn't fit in partition length 983040"},
    {.name = "segment data", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_SEG_DATA, .k = -1, .d = -1, .v = 0x01, .ck = CK_DATA,
     .native = {CKSUM, N_WRITE}, .simple = {CKSUM, S_VALIDATE}, .boot = CKSUM},
    /* An update misses the descriptor before it gets to the checksum. */
    {.name = "descriptor magic", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_SEG_DATA, .k = 0, .d = 0, .v = 0x01, .ck = CK_DATA,
     .native = {IMG " has no app descriptor (magic 0xabcd5432)", N_WRITE},
     .simple = {IMG " has no app descriptor (magic 0xabcd5432)", S_VALIDATE}, .boot = CKSUM},
    /* Well formed but for the descriptor: the SDK bootloader boots such an
     * app (it never reads the descriptor); an update refuses it. */
    {.name = "descriptor magic, checksum and hash resealed", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_SEG_DATA, .k = 0, .d = 0, .v = 0x01, .reseal = true,
     .native = {IMG " has no app descriptor (magic 0xabcd5432)", N_WRITE},
     .simple = {IMG " has no app descriptor (magic 0xabcd5432)", S_VALIDATE},
     .boot = "", .boots = true},
    {.name = "padding", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_PAD, .d = 0, .v = 0x01, .arg = ARG_AT, .arg_boot = ARG_AT,
     .native = {"E (T) esp_image: padding byte at offset 0x%x is 0x01, expected 0x00", N_WRITE},
     .simple = {"E (T) esp_image: padding byte at offset 0x%x is 0x01, expected 0x00", S_VALIDATE},
     .boot = "E (T) esp_image: padding byte at offset 0x%x is 0x01, expected 0x00"},
    {.name = "checksum", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_CHECKSUM, .v = 0x01, .ck = CK_BYTE,
     .native = {CKSUM, N_WRITE}, .simple = {CKSUM, S_VALIDATE}, .boot = CKSUM},
    {.name = "SHA-256", .klass = CLASS_IMAGE, .mut = M_XOR, .at = AT_HASH, .d = 31, .v = 0x01,
     .native = {HASH, N_WRITE}, .simple = {HASH, S_VALIDATE}, .boot = HASH},
    /* ---- flash mode and size fields: an update refuses values esptool never
     *      writes; the bootloader, as the SDK's, only warns ------------------------- */
    {.name = "flash mode 7", .klass = CLASS_FIELDS, .mut = M_SET, .at = AT_ABS, .k = 2, .v = 7,
     .native = {IMG " has invalid SPI mode 7: not an image esptool writes", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true, .boot = HASH},
    {.name = "flash mode 7, resealed", .klass = CLASS_FIELDS, .mut = M_SET, .at = AT_ABS, .k = 2, .v = 7, .reseal = true,
     .native = {IMG " has invalid SPI mode 7: not an image esptool writes", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = "W (T) esp_image: image at 0x110000 has invalid SPI mode 7", .boots = true},
    {.name = "flash size code 13", .klass = CLASS_FIELDS, .mut = M_XOR, .at = AT_ABS, .k = 3, .v = 0xF0,
     .native = {IMG " has invalid SPI size 13: not an image esptool writes", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true, .boot = HASH},
    {.name = "flash size code 13, resealed", .klass = CLASS_FIELDS, .mut = M_XOR, .at = AT_ABS, .k = 3, .v = 0xF0, .reseal = true,
     .native = {IMG " has invalid SPI size 13: not an image esptool writes", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = "W (T) esp_image: image at 0x110000 has invalid SPI size 13", .boots = true},
    /* ---- the image ends inside each region (the server closes cleanly, so
     *      only the image itself can tell) --------------------------------------- */
    {.name = "inside the header", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_ABS, .k = 4,
     .native = {IMG " is truncated: %u bytes end inside the image header", N_END}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = IMG ": entry 0xffffffff outside its slot's window (0x40210010, 0x40300000), linked for another offset?"},
    {.name = "inside a segment header", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_SEG_HDR, .k = 0, .d = 4,
     .native = {IMG " is truncated: %u bytes end inside segment 0 header", N_END}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = "E (T) esp_image: unaligned segment length 0xffffffff"},
    {.name = "inside the descriptor", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_SEG_DATA, .k = 0, .d = 100,
     .native = {IMG " is truncated: %u bytes end inside segment 0 data", N_END},
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true,
     .boot = "E (T) esp_image: unaligned segment length 0xffffffff"},
    {.name = "inside segment data", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_SEG_DATA, .k = -1, .d = -1,
     .native = {IMG " is truncated: %u bytes end inside segment 1 data", N_END},
     .simple = {IMG " is truncated: %u bytes end inside segment 1 data", S_END, S_VALIDATE},
     .boot = "E (T) esp_image: padding byte at offset 0x%x is 0xff, expected 0x00", .arg_boot = ARG_SEGEND},
    {.name = "inside the padding", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_PAD, .d = 1,
     .native = {IMG " is truncated: %u bytes end inside the padding", N_END},
     .simple = {IMG " is truncated: %u bytes end inside the padding", S_END, S_VALIDATE},
     .boot = "E (T) esp_image: padding byte at offset 0x%x is 0xff, expected 0x00", .arg_boot = ARG_AT},
    {.name = "before the checksum", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_CHECKSUM, .ck = CK_ERASED,
     .native = {IMG " is truncated: %u bytes end inside the checksum", N_END},
     .simple = {IMG " is truncated: %u bytes end inside the checksum", S_END, S_VALIDATE},
     .boot = CKSUM},
    {.name = "inside the SHA-256", .klass = CLASS_TRUNC, .mut = M_TRUNC, .at = AT_HASH, .d = 16,
     .native = {IMG " is truncated: %u bytes end inside the SHA-256", N_END},
     .simple = {IMG " is truncated: %u bytes end inside the SHA-256", S_END, S_VALIDATE},
     .boot = HASH},
    /* ---- what servers answer --------------------------------------------------- */
    {.name = "404 page", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_HTML,
     .head = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n\r\n",
     .native = {"E (T) native_ota_example: HTTP server answered status 404 for https://localhost:8070/hello_world.bin: not an image"}, .nw_native = true,
     .simple = {"E (T) esp_https_ota: HTTP status 404 from https://localhost:8070/hello_world.bin: the server did not send the image",
                "E (T) simple_ota_example: Firmware Upgrades Failed (0x108 ESP_ERR_INVALID_RESPONSE)"}, .nw_simple = true},
    {.name = "500 page", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_HTML,
     .head = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n\r\n",
     .native = {"E (T) native_ota_example: HTTP server answered status 500 for https://localhost:8070/hello_world.bin: not an image"}, .nw_native = true,
     .simple = {"E (T) esp_https_ota: HTTP status 500 from https://localhost:8070/hello_world.bin: the server did not send the image",
                "E (T) simple_ota_example: Firmware Upgrades Failed (0x108 ESP_ERR_INVALID_RESPONSE)"}, .nw_simple = true},
    /* HTTP/1.1 without "Connection: close", yet s_server closes after each
     * answer: every hop also exercises the client's reconnect. */
    {.name = "redirect loop", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_NOTHING,
     .head = "HTTP/1.1 302 Found\r\nLocation: https://localhost:8070/hello_world.bin\r\nContent-Length: %zu\r\n\r\n",
     .native = {"E (T) HTTP_CLIENT: Error, reach max_redirection_count count=10",
                "E (T) native_ota_example: Redirect failed: 0x7001 (ESP_ERR_HTTP_MAX_REDIRECT)"}, .nw_native = true,
     .simple = {"E (T) HTTP_CLIENT: Error, reach max_redirection_count count=10",
                "E (T) simple_ota_example: Firmware Upgrades Failed (0x7001 ESP_ERR_HTTP_MAX_REDIRECT)"}, .nw_simple = true},
    {.name = "web page instead of an image", .klass = CLASS_HTTP, .srv = SRV_WWW, .body = BODY_HTML,
     .native = {"E (T) esp_ota_ops: OTA image has invalid magic byte (expected 0xE9, saw 0x3c)", N_WRITE}, .nw_native = true,
     .simple = {S_NOT_IMAGE, S_VALIDATE}, .nw_simple = true},
    {.name = "image larger than the slot", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_BIG,
     .head = "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
     .native = {"E (T) esp_ota_ops: image size 1048576 exceeds partition ota_0 size 983040",
                "E (T) native_ota_example: ota_begin error err=0x104 (ESP_ERR_INVALID_SIZE)"}, .nw_native = true,
     .simple = {"E (T) esp_https_ota: Image of 1048576 bytes does not fit partition ota_0 (983040 bytes); nothing was written",
                "E (T) simple_ota_example: Firmware Upgrades Failed (0x104 ESP_ERR_INVALID_SIZE)"}, .nw_simple = true},
    {.name = "endless body", .klass = CLASS_HTTP, .srv = SRV_WWW, .body = BODY_ENDLESS,
     .native = {"E (T) esp_ota_ops: * run past the end of partition ota_0 (size 0xf0000)",
                "E (T) native_ota_example: Error: esp_ota_write failed! err=0x104 (ESP_ERR_INVALID_SIZE)"},
     .simple = {"E (T) esp_ota_ops: * run past the end of partition ota_0 (size 0xf0000)",
                "E (T) simple_ota_example: Firmware Upgrades Failed (0x104 ESP_ERR_INVALID_SIZE)"}},
    {.name = "closed mid-body", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_HALF,
     .head = "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
     .native = {"E (T) HTTP_CLIENT: connection closed after * of %u body bytes", N_READ},
     .simple = {"E (T) HTTP_CLIENT: connection closed after * of %u body bytes", S_FAIL}},
    {.name = "malformed chunk size", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_NOTHING,
     .head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
     .native = {CHUNK, N_READ}, .nw_native = true,
     .simple = {CHUNK, "E (T) esp_https_ota: Error: SSL data read error while reading the image header", S_FAIL}, .nw_simple = true},
    {.name = "chunk longer than its size", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_NOTHING,
     .head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\xe9\x02\x02\x20xyz\r\n0\r\n\r\n",
     .native = {CHUNK, N_READ}, .nw_native = true,
     .simple = {CHUNK, "E (T) esp_https_ota: Error: SSL data read error while reading the image header", S_FAIL}, .nw_simple = true},
    {.name = "header line longer than the buffer", .klass = CLASS_HTTP, .srv = SRV_RAW, .body = BODY_IMAGE,
     .head = "HTTP/1.1 200 OK\r\nX-Padding: "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "\r\nContent-Length: %zu\r\n\r\n",
     .native = {LONG_HEADER, "E (T) native_ota_example: Failed to read the HTTP response headers"}, .nw_native = true,
     .simple = {LONG_HEADER, "E (T) simple_ota_example: Firmware Upgrades Failed (0x7004 ESP_ERR_HTTP_FETCH_HEADER)"}, .nw_simple = true},
    /* ---- whom the device talks to ------------------------------------------------ */
    {.name = "certificate from another CA", .klass = CLASS_TLS, .srv = SRV_OTHER_CA,
     .native = {"E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700", VERIFY "is not correctly signed by the trusted CA", N_CONNECT}, .nw_native = true,
     .simple = {"E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700", VERIFY "is not correctly signed by the trusted CA", S_CONNECT}, .nw_simple = true},
    {.name = "certificate for another host", .klass = CLASS_TLS, .srv = SRV_WRONG_HOST,
     .native = {"E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700", VERIFY "Common Name (CN) does not match with the expected CN", N_CONNECT}, .nw_native = true,
     .simple = {"E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700", VERIFY "Common Name (CN) does not match with the expected CN", S_CONNECT}, .nw_simple = true},
    {.name = "expired certificate", .klass = CLASS_TLS, .srv = SRV_EXPIRED,
     .native = {"E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700", VERIFY "validity has expired", N_CONNECT}, .nw_native = true,
     .simple = {"E (T) esp-tls: mbedtls_ssl_handshake returned -0x2700", VERIFY "validity has expired", S_CONNECT}, .nw_simple = true},
    /* ---- slow retrieval: simple_ota built with esp_https_ota's guards on
     *      (test/apps/hostile/sdkconfig.guard: 4000 B/s, 4 s) ---------------------- */
    {.name = "below the minimum throughput", .klass = CLASS_PACE, .srv = SRV_TRICKLE, .rate = 1000,
     .simple = {"E (T) esp_https_ota: download rate * B/s is below the minimum of 4000 B/s", S_TIMEOUT}},
    {.name = "past the overall deadline", .klass = CLASS_PACE, .srv = SRV_TRICKLE, .rate = 6000,
     .simple = {"E (T) esp_https_ota: OTA deadline of 4000 ms passed after * bytes", S_TIMEOUT}},
};
#define N_ROWS (sizeof s_rows / sizeof s_rows[0])

/* ---- fixtures ----------------------------------------------------------- */

static uint8_t *s_image; /* hello_world.bin */
static size_t s_image_len;
static h_image_layout_t s_lay;
static char *s_dir;
static char s_www[300], s_raw[300];
static fx_proc_t s_srv_www, s_srv_raw, s_srv_other, s_srv_wrong, s_srv_expired;

static int start_servers(void **state)
{
    (void)state;
    s_image = mx_slurp(H_HELLO, &s_image_len);
    h_image_layout(H_HELLO, &s_lay);
    s_dir = fx_mkdtemp("ota8266-hostile");
    if (s_dir == NULL) {
        return -1;
    }
    snprintf(s_www, sizeof s_www, "%s/www", s_dir);
    snprintf(s_raw, sizeof s_raw, "%s/raw", s_dir);
    if (fx_sh("mkdir -p '%s' '%s' && cd '%s' && openssl req -x509 -newkey ec -pkeyopt "
              "ec_paramgen_curve:P-256 -nodes -keyout other_key.pem -out other_cert.pem -days 2 "
              "-subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null",
              s_www, s_raw, s_dir) != 0) {
        return -1;
    }
    char cert[400], key[400];
    snprintf(cert, sizeof cert, "%s/other_cert.pem", s_dir);
    snprintf(key, sizeof key, "%s/other_key.pem", s_dir);
    if (fx_start_s_server(&s_srv_www, s_www, "-WWW", H_TEST_CA, H_TEST_KEY, mx_loopback_only) ||
        fx_start_s_server(&s_srv_raw, s_raw, "-HTTP", H_TEST_CA, H_TEST_KEY, mx_loopback_only) ||
        fx_start_s_server(&s_srv_other, s_www, "-WWW", cert, key, mx_loopback_only) ||
        fx_start_s_server(&s_srv_wrong, s_www, "-WWW", H_TEST_WRONG_CERT, H_TEST_WRONG_KEY,
                          mx_loopback_only) ||
        fx_start_s_server(&s_srv_expired, s_www, "-WWW", H_EXPIRED_CERT, H_EXPIRED_KEY,
                          mx_loopback_only)) {
        return -1;
    }
    return 0;
}

/* ---- the report ---------------------------------------------------------- */

enum { LEG_NATIVE, LEG_SIMPLE, LEG_BOOT, LEG_FUZZ, N_LEG };
static const char *const s_leg_name[N_LEG] = {"native", "simple", "boot", "fuzzed-boot"};
static unsigned s_ran[N_CLASS + 1][N_LEG], s_passed[N_CLASS + 1][N_LEG];

static void report(void)
{
    unsigned ran = 0, passed = 0;
    printf("hostile matrix report\n%-24s %8s %8s %8s %12s\n", "class", s_leg_name[0],
           s_leg_name[1], s_leg_name[2], s_leg_name[3]);
    for (int c = 0; c <= N_CLASS; c++) {
        printf("%-24s", c < N_CLASS ? s_class_name[c] : "table/otadata bytes");
        for (int l = 0; l < N_LEG; l++) {
            printf(" %*u", l == LEG_FUZZ ? 12 : 8, s_ran[c][l]);
            ran += s_ran[c][l];
            passed += s_passed[c][l];
        }
        printf("\n");
    }
    printf("hostile matrix: cases=%u passed=%u failed=%u\n", ran, passed, ran - passed);
}

static int stop_servers(void **state)
{
    (void)state;
    fx_stop(&s_srv_www);
    fx_stop(&s_srv_raw);
    fx_stop(&s_srv_other);
    fx_stop(&s_srv_wrong);
    fx_stop(&s_srv_expired);
    mx_remove_chips();
    fx_rmtree(s_dir);
    free(s_dir);
    free(s_image);
    report();
    return 0;
}

/* ---- building the body ---------------------------------------------------- */

static uint32_t anchor(const row_t *r)
{
    int seg = r->k < 0 ? (int)s_lay.seg_count - 1 : r->k;
    switch (r->at) {
    case AT_ABS:
        return (uint32_t)r->k;
    case AT_SEG_HDR:
        return s_lay.seg_header[seg] + (uint32_t)r->d;
    case AT_SEG_DATA:
        return s_lay.seg_data[seg] + (r->d < 0 ? s_lay.seg_len[seg] / 2 : (uint32_t)r->d);
    case AT_PAD:
        return s_lay.seg_end + (uint32_t)r->d;
    case AT_CHECKSUM:
        return s_lay.checksum_off + (uint32_t)r->d;
    case AT_HASH:
        return s_lay.hash_off + (uint32_t)r->d;
    }
    return 0;
}

/* Recomputes the XOR checksum (seed 0xEF over all segment data) and the
 * SHA-256 of everything before it: a well-formed image around the change. */
static void reseal(uint8_t *img)
{
    uint8_t x = 0xEF;
    for (unsigned s = 0; s < s_lay.seg_count; s++) {
        for (uint32_t i = 0; i < s_lay.seg_len[s]; i++) {
            x ^= img[s_lay.seg_data[s] + i];
        }
    }
    img[s_lay.checksum_off] = x;
    assert_int_equal(mbedtls_sha256_ret(img, s_lay.hash_off, img + s_lay.hash_off, 0), 0);
}

/* The row's image: hello_world.bin with the mutation; *len its length. */
static uint8_t *mutated(const row_t *r, size_t *len)
{
    uint8_t *img = malloc(s_image_len);
    assert_non_null(img);
    memcpy(img, s_image, s_image_len);
    *len = s_image_len;
    uint32_t a = anchor(r);
    if (r->mut != M_NONE) {
        assert_true(a < s_image_len);
    }
    switch (r->mut) {
    case M_NONE:
        break;
    case M_XOR:
        img[a] ^= (uint8_t)r->v;
        break;
    case M_SET:
        img[a] = (uint8_t)r->v;
        break;
    case M_SET32:
        for (int i = 0; i < 4; i++) {
            img[a + (uint32_t)i] = (uint8_t)(r->v >> (8 * i));
        }
        break;
    case M_TRUNC:
        *len = a;
        break;
    }
    if (r->reseal) {
        reseal(img);
    }
    return img;
}

/* The row's body; *len its length, *img_len that of the mutated image. */
static uint8_t *body_bytes(const row_t *r, size_t *len, size_t *img_len)
{
    size_t n;
    *len = 0;
    uint8_t *img = mutated(r, &n);
    *img_len = n;
    switch (r->body) {
    case BODY_IMAGE:
        *len = n;
        return img;
    case BODY_HALF:
        *len = n / 2;
        return img;
    case BODY_HTML: {
        static const char html[] = "<!DOCTYPE html>\n<html><body><h1>Oops</h1></body></html>\n";
        free(img);
        *len = strlen(html);
        return (uint8_t *)strdup(html);
    }
    case BODY_NOTHING:
        free(img);
        *len = 0;
        return malloc(1);
    case BODY_BIG:
    case BODY_ENDLESS: {
        size_t big = r->body == BODY_BIG ? (1u << 20) : (2u << 20);
        uint8_t *b = malloc(big);
        assert_non_null(b);
        fx_fill_pattern(b, big, 7);
        memcpy(b, img, n);
        free(img);
        *len = big;
        return b;
    }
    }
    return img;
}

/* ---- the trickle server ------------------------------------------------------ */

typedef struct {
    mx_stall_t stall;
    const uint8_t *bytes;
    size_t len, off;
    unsigned rate;
    volatile bool stop;
    pthread_t thread;
} trickle_t;

static void sleep_ms(unsigned ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* Feeds the rest of the body, 10 pieces a second, once the device has taken
 * the first bytes (s_server reads its stdin only while a client is on). A
 * piece never starts with one of s_server's console command letters. */
static void *trickle_feed(void *arg)
{
    trickle_t *t = arg;
    int pending = 1;
    while (!t->stop && ioctl(t->stall.feed, FIONREAD, &pending) == 0 && pending > 0) {
        sleep_ms(10);
    }
    size_t piece = t->rate / 10 ? t->rate / 10 : 1;
    while (!t->stop && t->off < t->len) {
        size_t n = piece < t->len - t->off ? piece : t->len - t->off;
        while (t->off + n < t->len && strchr("QqrRkKcPS", t->bytes[t->off + n]) != NULL) {
            n++; /* the next piece must not start with a command letter */
        }
        if (write(t->stall.feed, t->bytes + t->off, n) != (ssize_t)n) {
            break;
        }
        t->off += n;
        sleep_ms(100);
    }
    return NULL;
}

/* ---- one case --------------------------------------------------------------- */

static int server_port(const row_t *r, trickle_t *t)
{
    switch (r->srv) {
    case SRV_WWW:
        return s_srv_www.port;
    case SRV_RAW:
        return s_srv_raw.port;
    case SRV_OTHER_CA:
        return s_srv_other.port;
    case SRV_WRONG_HOST:
        return s_srv_wrong.port;
    case SRV_EXPIRED:
        return s_srv_expired.port;
    case SRV_TRICKLE:
        return t->stall.proc.port;
    }
    return -1;
}

/* Puts the row's body where its server finds it (or starts the trickle). */
static void serve_row(const row_t *r, const uint8_t *body, size_t announced, size_t len,
                      trickle_t *t)
{
    char head[2048];
    switch (r->srv) {
    case SRV_RAW:
        snprintf(head, sizeof head, r->head, announced);
        mx_serve(s_raw, "hello_world.bin", head, strlen(head), body, len);
        break;
    case SRV_TRICKLE: {
        int hl = snprintf(head, sizeof head, "HTTP/1.0 200 ok\r\nContent-Length: %zu\r\n\r\n", len);
        uint8_t first[600];
        memcpy(first, head, (size_t)hl);
        memcpy(first + hl, body, 280);
        assert_int_equal(mx_stall_start(&t->stall, H_TEST_CA, H_TEST_KEY, first, (size_t)hl + 280),
                         0);
        t->bytes = body;
        t->len = len;
        t->off = 280;
        t->rate = r->rate;
        t->stop = false;
        assert_int_equal(pthread_create(&t->thread, NULL, trickle_feed, t), 0);
        break;
    }
    default:
        mx_serve(s_www, "hello_world.bin", "", 0, body, len);
        break;
    }
}

static bool s_verbose;

static void show(const char *what, const h_run_t *run)
{
    if (!s_verbose) {
        return;
    }
    printf("---- %s: erases %u writes %u\n", what, (unsigned)run->r.counters.erases,
           (unsigned)run->r.counters.writes);
    for (const char *p = run->console; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 2 && (p[0] == 'E' || p[0] == 'W') && p[1] == ' ') {
            printf("  %.*s\n", (int)n, p);
        }
        p += n + (e != NULL);
    }
}

/* The value a row's "%u" / "%x" stands for. */
static unsigned arg_value(const row_t *r, arg_t which, size_t img_len)
{
    switch (which) {
    case ARG_AT:
        return anchor(r);
    case ARG_SEGEND:
        return s_lay.seg_end;
    case ARG_LEN:
        break;
    }
    return (unsigned)img_len;
}

/* The expected line with its "%u"/"%x" and "CK" filled in. */
static void fill_line(const row_t *r, const char *fmt, unsigned arg, char *out, size_t cap)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, fmt, arg);
    char *ck = strstr(tmp, "CK");
    if (ck == NULL || r->ck == CK_NONE) {
        snprintf(out, cap, "%s", tmp);
        return;
    }
    unsigned stored = s_lay.checksum, calc = stored, read = stored;
    if (r->ck == CK_DATA) {
        calc = stored ^ r->v;
    } else if (r->ck == CK_BYTE) {
        read = stored ^ r->v;
    } else {
        read = 0xff;
    }
    snprintf(out, cap, "%.*sCalculated 0x%x read 0x%x%s", (int)(ck - tmp), tmp, calc, read, ck + 2);
}

/* Exact line, or with one '*': a line with that prefix and that suffix. */
static bool has_line_like(const h_run_t *run, const char *want)
{
    const char *star = strchr(want, '*');
    if (star == NULL) {
        return h_has_line(run, want);
    }
    size_t pre = (size_t)(star - want), suf = strlen(star + 1);
    for (const char *p = run->console; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= pre + suf && strncmp(p, want, pre) == 0 &&
            strncmp(p + n - suf, star + 1, suf) == 0) {
            return true;
        }
        p += n + (e != NULL);
    }
    return false;
}

static void expect_line(const h_run_t *run, const row_t *r, const char *fmt, unsigned arg)
{
    char want[512];
    fill_line(r, fmt, arg, want, sizeof want);
    if (!has_line_like(run, want)) {
        print_error("missing line: \"%s\"\n--- console ---\n", want);
        fputs(run->console, stderr);
        fail();
    }
}

static void download_leg(const row_t *r, const mx_example_t *ex, int leg)
{
    const char *const *lines = leg == LEG_NATIVE ? r->native : r->simple;
    bool no_writes = leg == LEG_NATIVE ? r->nw_native : r->nw_simple;
    size_t len, img_len;
    uint8_t *body = body_bytes(r, &len, &img_len);
    trickle_t t;
    memset(&t, 0, sizeof t);
    serve_row(r, body, r->body == BODY_HALF ? img_len : len, len, &t);
    mx_example_t guarded = *ex;
    if (r->srv == SRV_TRICKLE) {
        guarded.app = H_GUARD_OTA;
    }
    h_run_t run;
    h_set_timeout(60);
    mx_expect_failure(&guarded, server_port(r, &t), no_writes, &run);
    if (r->srv == SRV_TRICKLE) {
        t.stop = true;
        pthread_join(t.thread, NULL);
        mx_stall_stop(&t.stall);
    }
    show(ex->tag, &run);
    for (int i = 0; i < 3 && lines[i] != NULL; i++) {
        expect_line(&run, r, lines[i], arg_value(r, r->arg, img_len));
    }
    h_run_free(&run);
    free(body);
}

/* The bytes in ota_0, otadata selecting it: the bootloader reports the slot
 * not bootable and boots the factory app, or (r->boots) boots it as the
 * SDK's does. It writes nothing either way. */
static void boot_leg(const row_t *r)
{
    size_t len;
    uint8_t *img = mutated(r, &len);
    const char *chip = h_path("boot.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, MX_FACTORY, 0u);
    h_write_bytes(chip, MX_OTA_0, img, len);
    assert_int_equal(h_tool("switch_ota_partition", "--chip", chip, "--slot", "0", NULL), 0);
    uint8_t *before = mx_snapshot(chip);
    h_run_t run;
    h_run(chip, 1, "Hello world!", &run);
    show("boot", &run);
    if (!run.r.until_seen) {
        fputs(run.console, stderr);
        fail_msg("no app ran after the bad ota_0");
    }
    if (r->boot[0] != '\0') {
        expect_line(&run, r, r->boot, arg_value(r, r->arg_boot, len));
    }
    if (r->boots) {
        H_ASSERT_LINE(&run, "I (T) boot: Loaded app from partition at offset 0x110000");
    } else {
        H_ASSERT_LINE(&run, "E (T) boot: OTA app partition slot 0 is not bootable");
        H_ASSERT_LINE(&run, "I (T) boot: Loaded app from partition at offset 0x10000");
    }
    assert_int_equal(run.r.counters.erases, 0);
    assert_int_equal(run.r.counters.writes, 0);
    mx_assert_unchanged_outside(chip, before, 0, 0);
    free(before);
    h_run_free(&run);
    free(img);
}

typedef struct {
    const row_t *row;
    int leg;
} case_t;

static void run_case(void **state)
{
    const case_t *c = *state;
    s_ran[c->row->klass][c->leg]++;
    switch (c->leg) {
    case LEG_NATIVE:
        download_leg(c->row, &mx_native, LEG_NATIVE);
        break;
    case LEG_SIMPLE:
        download_leg(c->row, &mx_simple, LEG_SIMPLE);
        break;
    default:
        boot_leg(c->row);
        break;
    }
    s_passed[c->row->klass][c->leg]++;
}

/* ---- fuzzed partition table and otadata at boot ------------------------------- */

#define FUZZ_RUNS 48 /* per region */

static uint64_t s_rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t)(s_rng >> 16);
}

/*
 * hello_world in factory and ota_0, otadata selecting ota_0; then 1..8
 * random bytes of the table's entries or of one otadata entry get random
 * values. Whatever the bootloader makes of it, it must not crash, must not
 * write, and must either run one of the two intact apps or halt saying why.
 */
static void fuzz_region(uint32_t base, uint32_t span, unsigned runs)
{
    const char *chip = h_path("fuzz.bin");
    h_flash_standard(chip, H_PT_FACTORY, H_HELLO, MX_FACTORY, MX_OTA_0, 0u);
    assert_int_equal(h_tool("switch_ota_partition", "--chip", chip, "--slot", "0", NULL), 0);
    uint8_t *good = mx_snapshot(chip);
    for (unsigned i = 0; i < runs; i++) {
        s_ran[N_CLASS][LEG_FUZZ]++;
        h_write_bytes(chip, 0, good, MX_CHIP_SIZE);
        unsigned n = 1 + rnd() % 8;
        for (unsigned j = 0; j < n; j++) {
            uint8_t v = (uint8_t)rnd();
            h_write_bytes(chip, base + rnd() % span, &v, 1);
        }
        uint8_t *before = mx_snapshot(chip);
        h_run_t run;
        h_set_timeout(20);
        h_run(chip, 1, "Hello world!", &run);
        bool ran_app = run.r.until_seen &&
                       (h_has_line(&run, "I (T) boot: Loaded app from partition at offset 0x10000") ||
                        h_has_line(&run, "I (T) boot: Loaded app from partition at offset 0x110000"));
        bool halted = run.r.halted && !run.r.until_seen;
        if (!(ran_app || halted) || run.r.panics || run.r.timed_out || run.r.counters.erases ||
            run.r.counters.writes) {
            fputs(run.console, stderr);
            fail_msg("fuzzed boot %u (region 0x%x, seed state %llx): app %d halt %d panics %u "
                     "timeout %d erases %u writes %u",
                     i, (unsigned)base, (unsigned long long)s_rng, ran_app, halted,
                     (unsigned)run.r.panics, run.r.timed_out, (unsigned)run.r.counters.erases,
                     (unsigned)run.r.counters.writes);
        }
        mx_assert_unchanged_outside(chip, before, 0, 0);
        free(before);
        h_run_free(&run);
        s_passed[N_CLASS][LEG_FUZZ]++;
    }
    free(good);
}

static void test_fuzzed_partition_table(void **state)
{
    (void)state;
    fuzz_region(0x8000, 7 * 32 + 32, FUZZ_RUNS); /* the 6 entries, terminator, MD5 row */
}

static void test_fuzzed_otadata(void **state)
{
    (void)state;
    fuzz_region(MX_OTADATA_A, 32, FUZZ_RUNS / 2);
    fuzz_region(MX_OTADATA_B, 32, FUZZ_RUNS / 2);
}

int main(void)
{
    s_verbose = getenv("HOSTILE_VERBOSE") != NULL;
    static case_t cases[N_ROWS * 3];
    static struct CMUnitTest tests[N_ROWS * 3 + 2];
    static char names[N_ROWS * 3][96];
    size_t n = 0;
    for (size_t i = 0; i < N_ROWS; i++) {
        const row_t *r = &s_rows[i];
        const bool legs[3] = {r->native[0] != NULL, r->simple[0] != NULL, r->boot != NULL};
        for (int leg = 0; leg < 3; leg++) {
            if (!legs[leg]) {
                continue;
            }
            cases[n] = (case_t){r, leg};
            snprintf(names[n], sizeof names[n], "%s: %s [%s]", s_class_name[r->klass], r->name,
                     s_leg_name[leg]);
            tests[n] = (struct CMUnitTest){names[n], run_case, NULL, NULL, &cases[n]};
            n++;
        }
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fuzzed_partition_table);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fuzzed_otadata);
    return _cmocka_run_group_tests("hostile", tests, n, start_servers, stop_servers);
}
