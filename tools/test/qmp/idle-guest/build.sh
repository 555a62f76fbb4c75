#!/bin/sh
# Rebuilds idle-guest.elf (or the path given) from idle-guest.S; needs Debian's gcc-s390x-linux-gnu.
# Assembling and linking are separate steps so that no temporary file name ends up in the symbols.
set -eu
cd "$(dirname "$0")"
out="${1:-idle-guest.elf}"
obj="$(mktemp -d)"
trap 'rm -rf "$obj"' EXIT
s390x-linux-gnu-gcc -c -o "$obj/idle-guest.o" idle-guest.S
s390x-linux-gnu-gcc -nostdlib -static -Wl,--build-id=none -Wl,-T,idle-guest.ld -o "$out" "$obj/idle-guest.o"
