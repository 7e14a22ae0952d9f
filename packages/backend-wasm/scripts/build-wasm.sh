#!/bin/sh
# Build wasm/stencil_relax.wasm from csrc/ with Debian's clang + lld (clang 14):
#   apt-get install -y clang lld
# Usage: scripts/build-wasm.sh [output.wasm]   (default: wasm/stencil_relax.wasm)
# The output is deterministic: same clang, same source, same bytes (no debug
# info, no names, no producers section). check-wasm.mjs rebuilds and compares.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$here/wasm/stencil_relax.wasm"}
CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "build-wasm: $CLANG not found (apt-get install -y clang lld)" >&2
  exit 127
fi
mkdir -p "$(dirname "$out")"
# Run from csrc/ with relative paths so that no absolute path can reach the output.
cd "$here/csrc"
"$CLANG" --target=wasm32-unknown-unknown -std=c99 -O3 -msimd128 \
  -Wall -Wextra -Werror \
  -ffreestanding -fno-builtin -nostdlib -fno-jump-tables \
  -I. \
  -Wl,--no-entry -Wl,--import-memory -Wl,-z,stack-size=0 -Wl,--initial-memory=65536 \
  -Wl,--strip-all -Wl,--gc-sections \
  -o "$out" stencil_relax.c
echo "build-wasm: wrote $out ($(wc -c < "$out") bytes)"
