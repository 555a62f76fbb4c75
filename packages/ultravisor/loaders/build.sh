#!/bin/sh
# Assembles the stage3a and stage3b loaders into the flat binaries next to this script
# (stage3a.bin, linked at 0x10000; stage3b.bin, position-independent) with binutils for s390x:
#   apt-get install binutils-s390x-linux-gnu
# The binaries are committed, so the package works without the cross toolchain;
# test/loaders.test.ts rebuilds them into a scratch folder and compares the bytes.
# Usage: build.sh [OUTPUT_DIR]   (default: this folder)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/pvdump-loaders-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
prefix="${CROSS_PREFIX:-s390x-linux-gnu-}"
for stage in stage3a stage3b; do
  "${prefix}as" -m64 -march=z10 -o "$tmp/$stage.o" "$here/$stage.S"
  "${prefix}ld" -static -nostdlib --build-id=none -Ttext=0x10000 -e _start -o "$tmp/$stage.elf" "$tmp/$stage.o"
  "${prefix}objcopy" -O binary -j .text "$tmp/$stage.elf" "$out/$stage.bin"
done
