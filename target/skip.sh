#!/bin/sh
# Registered by CTest in place of the lx106 tests when the cross toolchain
# or QEMU is missing: says so and returns CTest's skip code, never a pass.
echo "SKIPPED: $1 not installed (apt-get install $2); the lx106 tests did not run"
exit 77
