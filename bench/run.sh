#!/bin/sh
# The benchmark suite (docs/performance.md): every figure next to a baseline
# measured in this same run, then the ratio. Prints the table and writes
# bench/results.json and bench/results.png.
#
# Usage: bench/run.sh [BUILD_DIR]   (default build-bench; a Release build)
#   BENCH_RUNS=N  runs per timed figure (default 11; the median is reported)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$ROOT/build-bench}" && pwd)
RUNS=${BENCH_RUNS:-11}
T=$B/bin/ota8266
BB=$B/bench
CA=$B/test_certs/ca_cert.pem
KEY=$B/test_certs/ca_key.pem
W=$(mktemp -d /tmp/ota8266-bench-XXXXXX)
RAW=$W/raw.txt
S_PID=
N_PID=
cleanup() {
    [ -n "$S_PID" ] && kill "$S_PID" 2>/dev/null
    [ -n "$N_PID" ] && kill "$N_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM

say() { printf '%s\n' "$*" >&2; }
free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- images: valid V3 apps of exact sizes --------------------------------
mkdir -p "$W/www"
for kb in 64 256 900 960; do
    "$BB/bench_mkimage" "$B/examples/get-started/hello_world/hello_world.bin" $((kb * 1024)) \
        "$W/app_${kb}k.bin"
done
# 960 KB fills the 0xF0000 slot: the "old image" of the dirty-slot runs.
serve() { cp "$W/app_$1.bin" "$W/www/hello_world.bin"; }

# ---- servers --------------------------------------------------------------
(cd "$W/www" && exec openssl s_server -WWW -key "$KEY" -cert "$CA" -accept 0 -naccept 100000 \
    >"$W/s_server.log" 2>&1) &
S_PID=$!
mkdir -p "$W/nginx/logs" "$W/nginx/tmp"
N_PORT=$(free_port)
cat >"$W/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid logs/nginx.pid;
error_log stderr error;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    types { application/octet-stream bin; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$N_PORT ssl;
        listen [::1]:$N_PORT ssl;
        server_name localhost;
        ssl_certificate $CA;
        ssl_certificate_key $KEY;
        root $W/www;
    }
}
EOF
nginx -p "$W/nginx/" -c nginx.conf >"$W/nginx.log" 2>&1 &
N_PID=$!
for _ in $(seq 50); do
    grep -q ACCEPT "$W/s_server.log" && curl -s -o /dev/null --cacert "$CA" \
        "https://localhost:$N_PORT/" 2>/dev/null && break
    sleep 0.1
done
S_PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$W/s_server.log")
[ -n "$S_PORT" ] || { say "bench: s_server did not start"; cat "$W/s_server.log" >&2; exit 1; }
port_of() { if [ "$1" = nginx ]; then echo "$N_PORT"; else echo "$S_PORT"; fi; }

# A chip with the bootloader, the demo's table, empty otadata and $1 as factory.
fresh_chip() {
    rm -f "$W/chip.bin"
    "$T" write_flash --chip "$W/chip.bin" 0x0 "$B/bootloader/bootloader.bin" \
        0x8000 "$B/partition_table/partitions_factory_two_ota.bin" \
        0xd000 "$B/partition_table/ota_data_initial.bin" 0x10000 "$1" >/dev/null
}
example_bin() {
    if [ "$1" = native ]; then echo "$B/examples/system/ota/native_ota_example/native_ota.bin"
    else echo "$B/examples/system/ota/simple_ota_example/simple_ota.bin"; fi
}

# ---- 1. throughput: the examples on the device vs curl, same file, same server
say "bench: throughput ($RUNS runs each: curl, the example on the device, bench_ota, bare mbedTLS)"
for srv in nginx s_server; do
    port=$(port_of $srv)
    for size in 256k 900k; do
        serve $size
        url=https://localhost:$port/hello_world.bin
        for i in $(seq "$RUNS"); do
            t=$(curl -s --cacert "$CA" -o /dev/null -w '%{time_appconnect} %{time_total}' "$url")
            echo "kind=curl server=$srv size=$size run=$i $(echo "$t" |
                awk '{printf "handshake_ms=%.3f total_ms=%.3f", $1 * 1000, $2 * 1000}')" >>"$RAW"
            line=$("$BB/bench_tlsget" localhost "$port" /hello_world.bin "$CA")
            echo "kind=floor server=$srv size=$size run=$i $line" >>"$RAW"
            for ex in native simple; do
                fresh_chip "$(example_bin $ex)"
                "$T" run --chip "$W/chip.bin" --ap myssid:mypassword --net-map "8070=$port" \
                    --no-color --timestamps --boots 1 --until "Prepare to restart system!" \
                    --timeout 60 >"$W/device.log" 2>&1 || true
                # --timestamps: "[   0.406214] I (406) tag: text", host seconds since power-on.
                ms=$(sed 's/^\[ *\([0-9.]*\)\]/\1/' "$W/device.log" |
                     awk '/Starting OTA example/ {s = $1}
                          /Prepare to restart system!/ {printf "%.3f\n", ($1 - s) * 1000}')
                [ -n "$ms" ] || { say "bench: device OTA failed:"; cat "$W/device.log" >&2; exit 1; }
                echo "kind=device server=$srv size=$size example=$ex run=$i total_ms=$ms" >>"$RAW"
                fresh_chip "$(example_bin $ex)"
                line=$("$BB/bench_ota" --chip "$W/chip.bin" --url "$url" --ca "$CA" --mode $ex \
                    2>/dev/null | tail -n 1)
                echo "kind=inproc server=$srv size=$size example=$ex run=$i $line" >>"$RAW"
            done
        done
    done
done

# ---- 2. flash work per OTA: blank slot, and a slot that holds an older image
say "bench: flash work (64 KB and 900 KB, blank and dirty slot)"
url=https://localhost:$N_PORT/hello_world.bin
for size in 64k 900k; do
    for state in blank dirty; do
        fresh_chip "$(example_bin native)"
        if [ $state = dirty ]; then
            # Two earlier updates: ota_0 full of an older image, both otadata copies used.
            serve 960k
            for _ in 1 2; do
                "$BB/bench_ota" --chip "$W/chip.bin" --url "$url" --ca "$CA" >/dev/null 2>&1
            done
        fi
        serve $size
        for ex in native simple; do
            cp "$W/chip.bin" "$W/chip-$ex.bin"
            line=$("$BB/bench_ota" --chip "$W/chip-$ex.bin" --url "$url" --ca "$CA" --mode $ex \
                2>/dev/null | tail -n 1)
            echo "kind=flash size=$size state=$state example=$ex $line" >>"$RAW"
        done
    done
done

# ---- 3. boot cost: the bootloader's flash reads and instructions ----------
say "bench: boot cost (callgrind)"
for size in 64k 900k; do
    fresh_chip "$W/app_$size.bin"
    line=$("$BB/bench_boot" --chip "$W/chip.bin" 2>&1 >/dev/null)
    for fn in bench_boot_once bench_sha_baseline; do
        valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" --toggle-collect=$fn \
            "$BB/bench_boot" --chip "$W/chip.bin" >/dev/null 2>&1
        ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$W/cg.out" | head -1)
        line="$line ir_$fn=$ir"
    done
    echo "kind=boot size=$size $line" >>"$RAW"
done

# ---- 5. what bounds the OTA time: per-byte work, ours vs curl's ----------
say "bench: per-byte costs (record decryption, SHA-256)"
echo "kind=cipher $("$BB/bench_cipher" --kb 900)" >>"$RAW"

cp "$RAW" "$BB/raw.txt" # kept for a look at single runs
/usr/bin/python3 "$ROOT/bench/report.py" "$RAW" "$ROOT/bench" "$RUNS"
