#!/bin/sh
# sdkconfig syntax -> sdkconfig.h on stdout, by the rules of cmake/ota8266.cmake's
# ota_sdkconfig_header (each option #undef'd first; y -> 1, n -> absent), so
# the lx106 build sees exactly the configuration the host build sees.
set -eu
echo "/* Generated from $1: edit that file, not this one. */"
sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 n/p' "$1" |
    while read -r name value; do
        echo "#undef $name"
        case $value in
        y) echo "#define $name 1" ;;
        n) ;;
        *) echo "#define $name $value" ;;
        esac
    done
