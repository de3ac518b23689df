#!/usr/bin/env bash
# Generated lines and release compile time per spec: each spec's generated
# Swift compiled alone, with the flags cnnc builds models with
# (-O -target-cpu native -D CNNC_FMA), against this checkout's CNNCRuntime.
#   Benchmarks/compile/run.sh [SPEC ...]     (default: every spec in Specs/)
# CNNC=path/to/cnnc generates with that build of cnnc instead of a release one.
set -euo pipefail
cd "$(dirname "$0")/../.."
cnnc=${CNNC:-}
if [ -z "$cnnc" ]; then
  swift build -q -c release --product cnnc
  cnnc=.build/release/cnnc
fi
swift build -q -c release --target CNNCRuntime
modules=$(swift build -c release --show-bin-path)/Modules
# CNNCRuntime imports CNNCSIMD, a C target: its module map is where SwiftPM wrote it.
simd_map=$(swift build -c release --show-bin-path)/CNNCSIMD.build/module.modulemap
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(Specs/*.cnn.yaml)

echo "| spec | generated lines | release compile (s) |"
echo "|---|---:|---:|"
for spec in "${specs[@]}"; do
  "$cnnc" generate "$spec" --output-dir "$work" --quiet
  file=$(ls -t "$work"/*.cnnc.swift | head -1)
  lines=$(wc -l < "$file")
  start=$(date +%s%N)
  swiftc -O -target-cpu native -D CNNC_FMA -parse-as-library -module-name Model \
    -I "$modules" -Xcc -fmodule-map-file="$simd_map" -c "$file" -o "$work/model.o"
  end=$(date +%s%N)
  tenths=$(( (end - start) / 100000000 ))
  printf '| %s | %d | %d.%d |\n' "$spec" "$lines" $((tenths / 10)) $((tenths % 10))
  rm -f "$file" "$work/model.o"
done
