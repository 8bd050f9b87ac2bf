#!/bin/sh
# Measures one OTA on the virtual device against curl fetching the same file
# from the same `openssl s_server -WWW`, in the same script (ratios, not
# absolute times), and counts flash erases per OTA against the image's sectors.
# Usage: scripts/measure_ota.sh [BUILD_DIR] [RUNS]
set -eu
B=$(cd "${1:-build}" && pwd)
RUNS=${2:-5}
T=$B/bin/ota8266
W=$(mktemp -d /tmp/ota8266-measure-XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$W"' EXIT INT TERM

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

mkdir -p "$W/www"
for img in hello_world:examples/get-started/hello_world/hello_world.bin \
           native_ota:examples/system/ota/native_ota_example/native_ota.bin; do
    cp "$B/${img#*:}" "$W/www/${img%%:*}.bin"
done
(cd "$W/www" && exec openssl s_server -WWW -key "$B/test_certs/ca_key.pem" \
    -cert "$B/test_certs/ca_cert.pem" -accept 0 >"$W/s_server.log" 2>&1) &
SERVER=$!
for _ in $(seq 50); do grep -q ACCEPT "$W/s_server.log" && break; sleep 0.1; done
PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$W/s_server.log")

printf '%-16s %8s %8s %10s %10s %7s %8s %8s\n' payload bytes sectors "curl ms" "ota ms" ratio erases "erase/sec"
for name in hello_world native_ota; do
    f=$W/www/$name.bin
    bytes=$(stat -c %s "$f")
    sectors=$(( (bytes + 4095) / 4096 ))
    # curl: the same file, the same server, TLS included.
    curl_ms=$(for _ in $(seq "$RUNS"); do
        curl -s --cacert "$B/test_certs/ca_cert.pem" -o /dev/null -w '%{time_total}\n' \
            "https://localhost:$PORT/$name.bin"
    done | awk '{printf "%.1f\n", $1 * 1000}' | median)
    # The device: native_ota_example as factory app, downloading $name.bin. The
    # image's URL path is hello_world.bin, so serve the payload under that name.
    cp "$f" "$W/www/hello_world.bin.tmp"
    [ "$name" = hello_world ] || mv "$W/www/hello_world.bin" "$W/www/hello_world.bin.orig"
    mv "$W/www/hello_world.bin.tmp" "$W/www/hello_world.bin"
    ota_ms=$(for i in $(seq "$RUNS"); do
        rm -f "$W/chip.bin"
        "$T" write_flash --chip "$W/chip.bin" 0x0 "$B/bootloader/bootloader.bin" \
            0x8000 "$B/partition_table/partitions_factory_two_ota.bin" \
            0xd000 "$B/partition_table/ota_data_initial.bin" \
            0x10000 "$B/examples/system/ota/native_ota_example/native_ota.bin" >/dev/null
        "$T" run --chip "$W/chip.bin" --ap myssid:mypassword --net-map "8070=$PORT" --no-color \
            --boots 1 --until "Prepare to restart system!" --stats >"$W/run$i.log" 2>&1 || true
        # From the request (just after "Running partition") to "Prepare to restart":
        # download + write + esp_ota_end verify + set boot partition.
        awk '/Running partition/ {gsub(/[()]/,"",$2); s=$2} /Prepare to restart/ {gsub(/[()]/,"",$2); print $2-s}' "$W/run$i.log"
    done | median)
    erases=$(awk '/^  erases/ {print $2}' "$W/run1.log")
    [ "$name" = hello_world ] || mv "$W/www/hello_world.bin.orig" "$W/www/hello_world.bin"
    ratio=$(awk -v a="$ota_ms" -v b="$curl_ms" 'BEGIN {printf "%.2f", a / b}')
    # erases include the one otadata sector that set_boot_partition rewrites
    printf '%-16s %8d %8d %10s %10s %7s %8s %8s\n' "$name.bin" "$bytes" "$sectors" "$curl_ms" \
        "$ota_ms" "$ratio" "$erases" "$(awk -v e="$erases" -v s="$sectors" 'BEGIN {printf "%.2f", e / (s + 1)}')"
done
echo "(median of $RUNS runs; ota ms from the request to \"Prepare to restart system!\": download,"
echo " write, verify, select; erases include the 1 otadata sector, so erase/sec = erases / (sectors + 1))"
