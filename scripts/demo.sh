#!/bin/sh
# make demo: the seed's "OTA Demo" workflow, end to end, on a virtual ESP8266.
#   1. build hello_world (the OTA payload) with the SDK workflow
#   2. make a self-signed certificate and start `openssl s_server -WWW`
#   3. configure native_ota_example (URL, certificate), build it, `make flash`
#   4. `make monitor`: factory app -> download -> reboot -> hello_world from ota_0
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-build}" && pwd)
DEMO=$ROOT/demo
CHIP=$DEMO/flash_4MB.bin
WWW=$(mktemp -d /tmp/ota8266-www-XXXXXX)
SERVER=
# The server goes away with the demo, also when a step fails.
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WWW"' EXIT INT TERM
EX=$ROOT/examples/system/ota/native_ota_example
HELLO=$ROOT/examples/get-started/hello_world
mkdir -p "$DEMO"
rm -f "$CHIP"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Step 2: build the OTA payload (examples/get-started/hello_world: make)"
make -C "$HELLO" --no-print-directory HOST_BUILD="$B" app
cp "$HELLO/build/hello_world.bin" "$WWW/"

step "Step 3: self-signed certificate (CN=localhost) and the HTTPS server"
if [ ! -s "$DEMO/ca_cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -keyout "$DEMO/ca_key.pem" -out "$DEMO/ca_cert.pem" \
        -days 365 -nodes -subj "/CN=localhost" 2>/dev/null
fi
cd "$WWW"
openssl s_server -WWW -key "$DEMO/ca_key.pem" -cert "$DEMO/ca_cert.pem" -accept 0 \
    >"$DEMO/s_server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q ACCEPT "$DEMO/s_server.log" && break; sleep 0.1; done
PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$DEMO/s_server.log")
cd "$ROOT"
echo "openssl s_server -WWW -key ca_key.pem -cert ca_cert.pem is serving $WWW on port $PORT"
URL="https://localhost:$PORT/hello_world.bin"

step "Step 4: configure and build native_ota_example (URL $URL)"
mkdir -p "$EX/server_certs"
cp "$DEMO/ca_cert.pem" "$EX/server_certs/ca_cert.pem"
cp "$EX/sdkconfig.defaults" "$EX/sdkconfig"
printf 'CONFIG_EXAMPLE_FIRMWARE_UPG_URL="%s"\n' "$URL" >>"$EX/sdkconfig"
make -C "$EX" --no-print-directory HOST_BUILD="$B" defconfig >/dev/null
make -C "$EX" --no-print-directory HOST_BUILD="$B" all

step "Step 5: make flash (bootloader, partition table, initial otadata, factory app)"
make -C "$EX" --no-print-directory HOST_BUILD="$B" CHIP="$CHIP" flash

step "Step 6: make monitor (virtual AP myssid/mypassword; time runs 10x faster)"
make -C "$EX" --no-print-directory HOST_BUILD="$B" CHIP="$CHIP" AP=myssid:mypassword \
    MONITOR_ARGS="--boots 2 --time-scale 10 --until 'Restarting in 7 seconds' --stats" monitor

step "After the update: otadata (ota_0 selected, waiting for its confirmation)"
"$B/bin/ota8266" read_otadata --chip "$CHIP"

step "Summary"
cat <<TXT
- hello_world.bin (built with the SDK workflow) was served by openssl s_server -WWW on
  https://localhost:$PORT/ with a self-signed certificate (CN=localhost).
- native_ota_example ran as the factory app at 0x10000, joined the virtual AP "myssid",
  downloaded the image into ota_0 (0x110000), verified it, selected it in otadata and
  restarted; the bootloader then ran hello_world from ota_0.
- Rollback is on (the example's sdkconfig.defaults): the bootloader marked ota_0
  PENDING_VERIFY before running it, and hello_world never calls
  esp_ota_mark_app_valid_cancel_rollback(), so the next boot rolls it back to the
  factory app (read_otadata above says so).
- The virtual chip is $CHIP (4 MB). Boot it again with:
    $B/bin/ota8266 run --chip $CHIP --boots 1 --time-scale 10
  or go back to the factory app first with:
    make -C examples/system/ota/native_ota_example HOST_BUILD=$B CHIP=$CHIP erase_otadata
TXT
