#!/bin/sh
# Build a WASM module of npde from csrc/<module>.c (wasm/stencil_relax.wasm by default, or
# wasm/channel_stencil.wasm) with Debian's clang + lld (clang 14):
#   apt-get install -y clang lld
# Usage: scripts/build-wasm.sh [output.wasm] [module]   (defaults: wasm/<module>.wasm, stencil_relax;
#        an empty output means the default)
# The output is deterministic: same clang, same source, same bytes (no debug
# info, no names, no producers section). check-wasm.mjs rebuilds and compares.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
module=${2:-stencil_relax}
out=${1:-"$here/wasm/$module.wasm"}
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
  -o "$out" "$module.c"
echo "build-wasm: wrote $out ($(wc -c < "$out") bytes)"
