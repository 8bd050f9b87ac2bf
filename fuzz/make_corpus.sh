#!/bin/sh
# Regenerates the committed seed corpora (fuzz/corpus/<target>/) from real
# outputs: the shipped partition tables and CSVs through `ota8266
# partition_table`, otadata written by `ota8266 switch_ota_partition`, images
# made by `ota8266 elf2image`, and HTTP responses captured from nginx and
# `openssl s_server -WWW` on 127.0.0.1, plus a few crafted responses for
# framings those servers do not send (100 Continue, chunk extensions, trailers).
#
#   sh fuzz/make_corpus.sh BUILD_DIR     (BUILD_DIR: a gcc build with bin/ota8266,
#                                         bootloader/ and examples/ built)
# Each harness reads a few option bytes before the payload; see the comment
# at the top of each fuzz_*.c for the layout the prefixes below follow.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" && pwd)
TOOL=$BUILD/bin/ota8266
OUT=$ROOT/fuzz/corpus
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'kill $(cat "$TMP"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$TMP"' EXIT

for t in fuzz_partition_table fuzz_partition_csv fuzz_otadata fuzz_image fuzz_http_response; do
    rm -rf "${OUT:?}/$t"
    mkdir -p "$OUT/$t"
done

# bytes FILE HEX...: writes the bytes given in hex
bytes() {
    f=$1
    shift
    $PY -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex("".join(sys.argv[2:])))' "$f" "$@"
}

# ---- partition tables: CSV -> binary as the build does, and with the MD5 row ----
PT=$ROOT/components/partition_table
for csv in "$PT"/*.csv; do
    n=$(basename "$csv" .csv)
    size=4MB
    case $n in *1MB) size=1MB ;; esac
    cp "$csv" "$OUT/fuzz_partition_csv/$n.csv"
    "$TOOL" partition_table -q --disable-md5sum --flash-size $size "$csv" "$TMP/$n.bin"
    "$TOOL" partition_table -q --flash-size $size "$csv" "$TMP/$n.md5.bin"
    # binary -> CSV as the tool writes it back
    "$TOOL" partition_table -q "$TMP/$n.md5.bin" "$OUT/fuzz_partition_csv/$n.back.csv"
done
cp "$TMP/partitions_two_ota.bin" "$OUT/fuzz_partition_csv/partitions_two_ota.bin"
cp "$TMP/partitions_factory_two_ota.md5.bin" "$OUT/fuzz_partition_csv/partitions_factory_two_ota.md5.bin"

# ---- otadata: the §2.4 sequence on a chip with the two-OTA table ----
# Harness layout: entry A (32) | entry B (32) | ota_count | rounds of
# slot, flags (bit 0: bs_otadata_select with label bytes), state (u32 LE), 3 label bytes
CHIP=$TMP/chip.bin
"$TOOL" write_flash --chip "$CHIP" --flash-size 4MB 0x8000 "$TMP/partitions_two_ota.bin" >/dev/null
entries() { # entries OUT: the two otadata entries of the chip (0xd000 and 0xe000)
    dd if="$CHIP" bs=1 skip=$((0xd000)) count=32 status=none >"$1"
    dd if="$CHIP" bs=1 skip=$((0xe000)) count=32 status=none >>"$1"
}
step=0
for sel in "--slot 0" "--slot 1" "--slot 1 --state NEW" "--slot 0 --state PENDING_VERIFY" \
           "--slot 1 --state VALID" "--slot 0 --state ABORTED"; do
    # shellcheck disable=SC2086 # sel is two or four words on purpose
    "$TOOL" switch_ota_partition --chip "$CHIP" $sel >/dev/null
    step=$((step + 1))
    entries "$TMP/e"
    # rounds: select slot 1 (UNDEFINED), then slot 0 with state NEW and label bytes
    bytes "$TMP/r" 02 01 00 ffffffff ffffff 00 01 00000000 0103ff
    cat "$TMP/e" "$TMP/r" >"$OUT/fuzz_otadata/switch_$step.bin"
    [ $step = 2 ] && cp "$TMP/e" "$TMP/otadata_slot1"
    [ $step = 3 ] && cp "$TMP/e" "$TMP/otadata_slot1_new"
done
# erased otadata (what the build flashes) with sixteen slots, an almost
# exhausted sequence (0xFFFFFFFE in A) and two copies holding the same seq
$PY -c 'import sys; sys.stdout.buffer.write(b"\xff" * 64 + bytes([16, 5, 0, 0, 0, 0, 0]) + b"\xff" * 3)' \
    >"$OUT/fuzz_otadata/erased_16_slots.bin"
# crc32_le(0xFFFFFFFF, seq) of the SDK is zlib's crc32(seq, 0xFFFFFFFF); the
# first entry the tool wrote above checks that before the rest relies on it.
$PY - "$OUT/fuzz_otadata" "$OUT/fuzz_otadata/switch_1.bin" <<'EOF'
import struct, sys, zlib
def entry(seq, state=0xFFFFFFFF):
    crc = zlib.crc32(struct.pack("<I", seq), 0xFFFFFFFF)
    return struct.pack("<I", seq) + b"\xff" * 20 + struct.pack("<II", state, crc)
real = open(sys.argv[2], "rb").read(32)
assert real == entry(1, struct.unpack("<I", real[24:28])[0]), "CRC rule disagrees with the tool"
rounds = bytes([2, 0, 0]) + b"\xff" * 7 + bytes([1, 1]) + b"\0" * 4 + bytes([1, 3, 0x10])
open(sys.argv[1] + "/seq_wrap.bin", "wb").write(entry(0xFFFFFFFE) + b"\xff" * 32 + rounds)
open(sys.argv[1] + "/seq_tie.bin", "wb").write(entry(2, 2) + entry(2, 4) + rounds)
EOF

# ---- partition table at boot: chip code, table offset code, otadata A|B, table ----
pt_seed() { # pt_seed NAME CHIPCODE OTADATA TABLE
    bytes "$TMP/p" "$2" 00
    cat "$TMP/p" "$3" "$4" >"$OUT/fuzz_partition_table/$1.bin"
}
$PY -c 'import sys; sys.stdout.buffer.write(b"\xff" * 64)' >"$TMP/otadata_erased"
pt_seed factory_two_ota_erased 00 "$TMP/otadata_erased" "$TMP/partitions_factory_two_ota.bin"
pt_seed two_ota_slot1 00 "$TMP/otadata_slot1" "$TMP/partitions_two_ota.bin"
pt_seed two_ota_1MB_slot1_new 01 "$TMP/otadata_slot1_new" "$TMP/partitions_two_ota.1MB.bin"
pt_seed singleapp 00 "$TMP/otadata_erased" "$TMP/partitions_singleapp.bin"
pt_seed factory_two_ota_md5 00 "$TMP/otadata_slot1" "$TMP/partitions_factory_two_ota.md5.bin"

# ---- images: whole small ones and the first KBs of a large one ----
# Harness header: flags, max_len code, total_len trim, 0, eight chunk sizes.
# flags: bit 0 V1, bits 1-2 hash mode (0 required, 1 none), bit 3 check_entry,
# bit 4 log, bits 5-7 start (0: 0x10000, 1: 0x110000, 2: 0x0).
CHUNKS=00071f3fff0f0301
img_seed() { # img_seed NAME FLAGS MAXLEN IMAGE [BYTES]
    bytes "$TMP/h" "$2" "$3" 0000 $CHUNKS
    if [ $# -ge 5 ]; then
        head -c "$5" "$4" >"$TMP/i"
    else
        cp "$4" "$TMP/i"
    fi
    cat "$TMP/h" "$TMP/i" >"$OUT/fuzz_image/$1.bin"
}
printf 'void _start(void)\n{\n    for (;;) {\n    }\n}\n' >"$TMP/tiny.c"
gcc -Os -nostdlib -static -s -Wl,--build-id=none -Wl,-z,noseparate-code -o "$TMP/tiny.elf" "$TMP/tiny.c"
E2I="$TOOL elf2image --flash_mode dio --flash_freq 40m --flash_size 4MB"
$E2I --version 3 --app-offset 0x10000 -o "$TMP/tiny.bin" "$TMP/tiny.elf" >/dev/null
$E2I --version 3 --app-offset 0x110000 -o "$TMP/tiny_ota0.bin" "$TMP/tiny.elf" >/dev/null
$E2I --version 1 -o "$TMP/tiny_v1.bin" "$TMP/tiny.elf" >/dev/null
HELLO=$BUILD/examples/get-started/hello_world/hello_world.bin
NATIVE=$BUILD/examples/system/ota/native_ota_example/native_ota.bin
img_seed tiny_v3_factory 18 f0 "$TMP/tiny.bin"
img_seed tiny_v3_ota0 38 f0 "$TMP/tiny_ota0.bin"
img_seed tiny_v3_if_present 1c f0 "$TMP/tiny.bin"
img_seed tiny_v1_bootloader 43 08 "$TMP/tiny_v1.bin"
img_seed hello_world_v3 18 f0 "$HELLO"
img_seed bootloader_v1 43 08 "$BUILD/bootloader/bootloader.bin"
img_seed native_ota_first_4k 18 f0 "$NATIVE" 4096
img_seed hello_world_first_1k 18 f0 "$HELLO" 1024

# ---- HTTP responses ----
# Harness header: flags (bits 0-2 buffer_size: 0 512, 4 1024; bit 3 HEAD;
# bit 4 perform), eight transport read sizes, eight application read sizes.
http_seed() { # http_seed NAME FLAGS RESPONSE
    bytes "$TMP/h" "$2" 0f3fff07ff7f0100 ff1f3f0703ff0f01
    cat "$TMP/h" "$3" >"$OUT/fuzz_http_response/$1.bin"
}
head -c 700 "$HELLO" >"$TMP/www_body"
mkdir -p "$TMP/www" "$TMP/nginx/logs" "$TMP/nginx/tmp"
cp "$TMP/www_body" "$TMP/www/fw.bin"
$PY -c 'import sys; sys.stdout.write("ota8266 firmware notes\n" * 300)' >"$TMP/www/notes.txt"
port_free() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
NPORT=$(port_free)
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid logs/nginx.pid;
error_log stderr crit;
events { worker_connections 16; }
http {
    access_log off;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    types { application/octet-stream bin; text/plain txt; }
    server {
        listen 127.0.0.1:$NPORT;
        server_name localhost;
        root $TMP/www;
        gzip on;
        gzip_types text/plain;
        gzip_min_length 0;
        location = /old.bin { return 301 /fw.bin; }
    }
}
EOF
nginx -p "$TMP/nginx/" -c nginx.conf 2>"$TMP/nginx.err" &
echo $! >"$TMP/nginx.pid"
# get PORT REQUEST OUT: sends REQUEST, keeps everything until the server closes
get() {
    $PY - "$@" <<'EOF'
import socket, sys, time
port, req, out = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode(), sys.argv[3]
for _ in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
s.sendall(req)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
open(out, "wb").write(data)
EOF
}
H='Host: localhost\r\nUser-Agent: ESP32 HTTP Client/1.0\r\n'
get "$NPORT" "GET /fw.bin HTTP/1.1\r\n${H}Connection: close\r\n\r\n" "$TMP/r"
http_seed nginx_content_length 00 "$TMP/r"
get "$NPORT" "GET /notes.txt HTTP/1.1\r\n${H}Accept-Encoding: gzip\r\nConnection: close\r\n\r\n" "$TMP/r"
http_seed nginx_chunked_gzip 00 "$TMP/r"
get "$NPORT" "GET /missing.bin HTTP/1.1\r\n${H}Connection: close\r\n\r\n" "$TMP/r"
http_seed nginx_404 00 "$TMP/r"
get "$NPORT" "HEAD /fw.bin HTTP/1.1\r\n${H}Connection: close\r\n\r\n" "$TMP/r"
http_seed nginx_head 08 "$TMP/r"
# a redirect and its target on one kept-alive connection, for perform mode
get "$NPORT" "GET /old.bin HTTP/1.1\r\n${H}\r\nGET /fw.bin HTTP/1.1\r\n${H}Connection: close\r\n\r\n" "$TMP/r"
http_seed nginx_redirect_perform 10 "$TMP/r"
kill "$(cat "$TMP/nginx.pid")"
rm -f "$TMP/nginx.pid"

# openssl s_server -WWW: HTTP/1.0, no Content-Length, the close ends the body
SPORT=$(port_free)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" -days 1 \
    -subj /CN=localhost 2>/dev/null
(cd "$TMP/www" && exec openssl s_server -quiet -WWW -accept "$SPORT" -cert "$TMP/c.pem" \
    -key "$TMP/k.pem" >/dev/null 2>&1) &
echo $! >"$TMP/s_server.pid"
sleep 1
printf 'GET /fw.bin HTTP/1.1\r\nHost: localhost\r\n\r\n' |
    openssl s_client -quiet -connect "127.0.0.1:$SPORT" 2>/dev/null >"$TMP/r" || true
http_seed s_server_www_until_close 00 "$TMP/r"
kill "$(cat "$TMP/s_server.pid")" 2>/dev/null || true
rm -f "$TMP/s_server.pid"

# crafted: framings the two servers above do not produce
printf 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' >"$TMP/r"
http_seed crafted_100_continue 00 "$TMP/r"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n' >"$TMP/r"
http_seed crafted_chunked_ext_trailer 00 "$TMP/r"
printf 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="ota"\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc' >"$TMP/r"
http_seed crafted_basic_auth_perform 50 "$TMP/r"
printf 'HTTP/1.1 200 OK\r\nX-Long: %0300d\r\nContent-Length: 2\r\n\r\nok' 0 >"$TMP/r"
http_seed crafted_long_header_buf256 03 "$TMP/r"

for t in "$OUT"/*; do
    echo "$(basename "$t"): $(ls "$t" | wc -l) files, $(du -sb "$t" | cut -f1) bytes"
done
