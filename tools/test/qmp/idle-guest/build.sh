#!/bin/sh
# Rebuilds idle-guest.elf from idle-guest.S (needs Debian's gcc-s390x-linux-gnu).
set -eu
cd "$(dirname "$0")"
s390x-linux-gnu-gcc -nostdlib -static -Wl,--build-id=none -Wl,-T,idle-guest.ld -o "${1:-idle-guest.elf}" idle-guest.S
