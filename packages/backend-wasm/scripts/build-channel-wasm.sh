#!/bin/sh
# Build wasm/channel_stencil.wasm (the multi-channel 2-D kernels) from csrc/ with
# Debian's clang + lld (clang 14), with the flags of build-wasm.sh:
#   apt-get install -y clang lld
# Usage: scripts/build-channel-wasm.sh [output.wasm]   (default: wasm/channel_stencil.wasm)
# Deterministic like build-wasm.sh; src/fused/channel-kernels.spec.ts rebuilds and compares.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$here/wasm/channel_stencil.wasm"}
CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "build-channel-wasm: $CLANG not found (apt-get install -y clang lld)" >&2
  exit 127
fi
mkdir -p "$(dirname "$out")"
cd "$here/csrc"
"$CLANG" --target=wasm32-unknown-unknown -std=c99 -O3 -msimd128 \
  -Wall -Wextra -Werror \
  -ffreestanding -fno-builtin -nostdlib -fno-jump-tables \
  -I. \
  -Wl,--no-entry -Wl,--import-memory -Wl,-z,stack-size=0 -Wl,--initial-memory=65536 \
  -Wl,--strip-all -Wl,--gc-sections \
  -o "$out" channel_stencil.c
echo "build-channel-wasm: wrote $out ($(wc -c < "$out") bytes)"
