#!/bin/sh
# `make menuconfig` is a real Kconfig menu: drive it in tmux as a person would
# (Example Configuration -> Firmware Upgrade URL -> save) on a copy of
# simple_ota_example, then check sdkconfig and the generated sdkconfig.h.
# Usage: menuconfig_test.sh SOURCE_DIR BUILD_DIR
set -eu
SRC=$1
B=$2
W=$(mktemp -d /tmp/ota8266-menuconfig-XXXXXX)
S=ota8266-mc-$$
trap 'tmux kill-session -t $S 2>/dev/null || true; rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; tmux capture-pane -p -t "$S" >&2 2>/dev/null || true; exit 1; }
cp -r "$SRC/examples/system/ota/simple_ota_example" "$W/proj"
rm -rf "$W/proj/build" "$W/proj/sdkconfig"
MK="make -C $W/proj --no-print-directory IDF_PATH=$SRC HOST_BUILD=$B"

tmux new-session -d -s "$S" -x 110 -y 32 "$MK menuconfig; sleep 30"
screen_has() { # text, tries
    for _ in $(seq 50); do
        tmux capture-pane -p -t "$S" | grep -qF -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
screen_has "Example Configuration" || fail "menu did not show 'Example Configuration'"
# Bootloader config, Serial flasher config, Partition Table, then the example's menu.
tmux send-keys -t "$S" Down Down Down Enter
screen_has "Firmware Upgrade URL" || fail "no 'Firmware Upgrade URL' entry"
screen_has "(https://192.168.0.3:8070/hello_world.bin) Firmware Upgrade URL" || fail "default URL"
tmux send-keys -t "$S" Down Down Enter
sleep 0.5
tmux send-keys -t "$S" C-u
tmux send-keys -t "$S" -l "https://localhost:8443/fw.bin"
tmux send-keys -t "$S" Enter
screen_has "(https://localhost:8443/fw.bin) Firmware Upgrade URL" || fail "URL not edited"
tmux send-keys -t "$S" S
sleep 0.5
tmux send-keys -t "$S" Enter
screen_has "saved" || fail "no 'saved' message"
tmux send-keys -t "$S" Enter
sleep 0.3
tmux send-keys -t "$S" Q
for _ in $(seq 50); do [ -f "$W/proj/sdkconfig" ] && break; sleep 0.2; done
grep -qx 'CONFIG_EXAMPLE_FIRMWARE_UPG_URL="https://localhost:8443/fw.bin"' "$W/proj/sdkconfig" || fail "sdkconfig"
grep -qx 'CONFIG_ESPTOOLPY_FLASHSIZE_4MB=y' "$W/proj/sdkconfig" || fail "sdkconfig.defaults not applied"
$MK build/include/sdkconfig.h >/dev/null 2>&1 || $MK "$W/proj/build/include/sdkconfig.h" >/dev/null
grep -qF '#define CONFIG_EXAMPLE_FIRMWARE_UPG_URL "https://localhost:8443/fw.bin"' \
    "$W/proj/build/include/sdkconfig.h" || fail "sdkconfig.h"
echo "1 passed, 0 failed"
