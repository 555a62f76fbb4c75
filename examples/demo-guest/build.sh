#!/bin/sh
# Rebuilds demo-guest.elf (or the path given) from demo-guest.S with binutils for s390x
# (Debian: binutils-s390x-linux-gnu). Assembling and linking are separate steps so that no
# temporary file name ends up in the symbols.
set -eu
cd "$(dirname "$0")"
out="${1:-demo-guest.elf}"
obj="$(mktemp -d)"
trap 'rm -rf "$obj"' EXIT
s390x-linux-gnu-as -m64 -march=z13 -o "$obj/demo-guest.o" demo-guest.S
s390x-linux-gnu-ld -static -nostdlib --build-id=none -T demo-guest.ld -o "$out" "$obj/demo-guest.o"
