#!/bin/sh
# Installs the Debian packages ota8266 needs, or, when not root, prints the
# exact apt command and fails. Used by `make demo`, `make test` and CI.
# Extra package names as arguments are needed too (`make bench`: valgrind
# for callgrind, gnuplot-nox for the plot).
set -eu
PKGS="build-essential cmake pkg-config libcmocka-dev libmbedtls-dev libssl-dev libhttp-parser-dev zlib1g-dev openssl python3-kconfiglib nginx curl tmux clang libclang-rt-14-dev gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf qemu-system-misc $*"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "ota8266: installing missing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends $missing
else
    echo "ota8266: missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
