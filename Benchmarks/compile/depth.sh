#!/usr/bin/env bash
# How compile time and the compiler's peak memory grow with a model's depth:
# for each depth N, a chain of N Conv2D layers (4 filters, 3x3, same padding,
# relu; 148 parameters each) on 8x8x4 inputs, then Flatten and Dense, is
# generated and compiled alone with the flags cnnc builds models with
# (-O -target-cpu native -D CNNC_FMA), against this checkout's CNNCRuntime.
#   Benchmarks/compile/depth.sh [N ...]     (default: 50 200 800)
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
depths=("$@")
[ ${#depths[@]} -gt 0 ] || depths=(50 200 800)

echo "| layers | generated lines | release compile (s) | compiler peak memory (MB) |"
echo "|---:|---:|---:|---:|"
for n in "${depths[@]}"; do
  spec="$work/deep_$n.cnn.yaml"
  {
    echo "input_shape: [8, 8, 4]"
    echo "layers:"
    for _ in $(seq 1 "$n"); do echo "  - Conv2D: {filters: 4, kernel_size: 3, padding: same, activation: relu}"; done
    echo "  - Flatten: {}"
    echo "  - Dense: {units: 10, activation: softmax}"
  } > "$spec"
  "$cnnc" generate "$spec" --output-dir "$work" --quiet
  file="$work/deep_$n.cnnc.swift"
  lines=$(wc -l < "$file")
  # The peak resident memory of the compiler, as the kernel counts it for children.
  python3 - "$file" "$modules" "$simd_map" "$work/model.o" "$n" "$lines" <<'EOF'
import resource, subprocess, sys, time
file, modules, simd_map, output, layers, lines = sys.argv[1:]
start = time.monotonic()
subprocess.run(["swiftc", "-O", "-target-cpu", "native", "-D", "CNNC_FMA", "-parse-as-library",
                "-module-name", "Model", "-I", modules, "-Xcc", f"-fmodule-map-file={simd_map}", "-c", file, "-o", output], check=True)
seconds = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"| {layers} | {int(lines):,} | {seconds:.1f} | {peak:,.0f} |")
EOF
  rm -f "$file" "$work/model.o"
done
