#!/bin/sh
# The SDK's per-project workflow, as a user runs it, on a copy of
# native_ota_example: sdkconfig -> sdkconfig.h, make, make flash,
# make monitor, make read_otadata / erase_otadata / erase_flash; and the
# seed's "-0x7200" troubleshooting case: CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN=4096
# against `openssl s_server -WWW` (16 KB records) fails with -0x7200, and
# the same with Maximum Fragment Length negotiation succeeds.
# Usage: workflow_test.sh SOURCE_DIR BUILD_DIR
set -eu
SRC=$1
B=$2
W=$(mktemp -d /tmp/ota8266-workflow-XXXXXX)
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { grep -qF -- "$1" "$2" || { cat "$2" >&2; fail "missing line: $1"; }; }

cp -r "$SRC/examples/system/ota/native_ota_example" "$W/proj"
rm -rf "$W/proj/build" "$W/proj/sdkconfig"
MK="make -C $W/proj --no-print-directory IDF_PATH=$SRC HOST_BUILD=$B CHIP=$W/chip.bin"

# The HTTPS server of the seed's step 3: self-signed, CN = the URL's host.
mkdir -p "$W/www"
cp "$B/examples/get-started/hello_world/hello_world.bin" "$W/www/"
openssl req -x509 -newkey rsa:2048 -keyout "$W/key.pem" -out "$W/proj/server_certs/ca_cert.pem" \
    -days 30 -nodes -subj "/CN=localhost" 2>/dev/null
(cd "$W/www" && exec openssl s_server -WWW -key "$W/key.pem" -cert "$W/proj/server_certs/ca_cert.pem" \
    -accept 0 >"$W/s_server.log" 2>&1) &
SERVER=$!
for _ in $(seq 50); do grep -q ACCEPT "$W/s_server.log" && break; sleep 0.1; done
PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$W/s_server.log")
[ -n "$PORT" ] || fail "s_server did not start"

configure() { # extra sdkconfig lines
    grep -v IN_CONTENT_LEN "$W/proj/sdkconfig.defaults" >"$W/proj/sdkconfig"
    printf '%s\n' 'CONFIG_EXAMPLE_FIRMWARE_UPG_URL="https://localhost:8070/hello_world.bin"' "$@" \
        >>"$W/proj/sdkconfig"
    $MK defconfig >/dev/null
}
monitor() { # log file
    $MK monitor AP=myssid:mypassword \
        MONITOR_ARGS="--net-map 8070=$PORT --time-scale 20 --timeout 30 --boots 2 --until 'Restarting in 9'" \
        >"$1" 2>&1 || true
}

echo "== IN content length 4096, no MFL: expect -0x7200"
configure CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN=4096
$MK all >"$W/build1.log" 2>&1 || { cat "$W/build1.log"; fail "make all"; }
expect "#define CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN 4096" "$W/proj/build/include/sdkconfig.h"
expect '#define CONFIG_EXAMPLE_FIRMWARE_UPG_URL "https://localhost:8070/hello_world.bin"' \
    "$W/proj/build/include/sdkconfig.h"
expect "#define CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE 1" "$W/proj/build/include/sdkconfig.h"
for f in bootloader/bootloader.bin partitions_factory_two_ota.bin ota_data_initial.bin native_ota.bin; do
    [ -s "$W/proj/build/$f" ] || fail "make did not produce build/$f"
done
$MK flash >"$W/flash1.log" 2>&1 || { cat "$W/flash1.log"; fail "make flash"; }
monitor "$W/run1.log"
expect "-0x7200" "$W/run1.log"
expect "E (" "$W/run1.log"
expect "native_ota_example: Firmware Upgrades Failed" "$W/run1.log"
if grep -q "Hello world!" "$W/run1.log"; then fail "the update went through with a 4 KB IN buffer"; fi
$MK read_otadata >"$W/otadata1.log" 2>&1
expect "Next boot: factory" "$W/otadata1.log"

echo "== the same with Maximum Fragment Length negotiated: expect the update"
configure CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN=4096 CONFIG_MBEDTLS_SSL_MAX_FRAGMENT_LENGTH=y
$MK all >"$W/build2.log" 2>&1 || { cat "$W/build2.log"; fail "make all (MFL)"; }
$MK flash >"$W/flash2.log" 2>&1 || { cat "$W/flash2.log"; fail "make flash (MFL)"; }
monitor "$W/run2.log"
expect "I (" "$W/run2.log"
expect "boot: ota_0 is NEW: marking it PENDING_VERIFY, boot attempt 1 of 1" "$W/run2.log"
expect "boot: Loaded app from partition at offset 0x110000" "$W/run2.log"
expect "Hello world!" "$W/run2.log"
# The example's sdkconfig.defaults turns rollback on, and hello_world never
# confirms itself: the next boot rolls it back to the factory app.
$MK read_otadata >"$W/otadata2.log" 2>&1
expect "PENDING_VERIFY  0xed4a5011  valid, boot attempt 1 of 1, rolls back to factory" "$W/otadata2.log"
expect "Next boot: factory app 'factory' at 0x00010000 (entry B, seq 3: ota_0 is PENDING_VERIFY after 1 of 1 boot attempts, so it is rolled back)" "$W/otadata2.log"

echo "== make erase_otadata, then make erase_flash"
$MK erase_otadata >/dev/null 2>&1
$MK read_otadata >"$W/otadata3.log" 2>&1
expect "Next boot: factory" "$W/otadata3.log"
$MK erase_flash >/dev/null 2>&1
[ "$(od -An -tx1 -N16 "$W/chip.bin" | tr -d ' \n')" = "ffffffffffffffffffffffffffffffff" ] || fail "erase_flash"
echo "1 passed, 0 failed"
