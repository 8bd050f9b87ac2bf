#pragma once
/*
 * The virtual device's SHA-256 engine. An app on the virtual ESP8266 runs on
 * the host's CPU, so its hashing (the streaming check of every downloaded
 * image) uses the CPU's SHA instructions through libcrypto, the way an
 * ESP-IDF app uses a chip's SHA peripheral. The bootloader keeps the core's C
 * code, so that boot cost is counted as on the chip, and the lx106 build has
 * only that.
 */

/* Installs libcrypto's block function into the core's SHA-256 (bs_sha256.h). */
void esp_sha256_host_install(void);
