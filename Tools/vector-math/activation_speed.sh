#!/usr/bin/env bash
# Builds Tools/vector-math/activation_speed.swift with the runtime's vector
# math (VectorMath and the SIMD files it uses, CNNCSIMD's header as a module)
# for a CPU, and runs it: nanoseconds a value for each activation.
#   Tools/vector-math/activation_speed.sh            # this machine (native)
#   Tools/vector-math/activation_speed.sh znver3     # AVX2 code, as on Zen 3
set -euo pipefail
cpu="${1:-native}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/include"
cp "$root/Sources/CNNCSIMD/include/CNNCSIMD.h" "$work/include/"
printf 'module CNNCSIMD {\n    header "CNNCSIMD.h"\n    export *\n}\n' > "$work/include/module.modulemap"
runtime="$root/Sources/CNNCRuntime"
# Top-level code compiles only in a file named main.swift.
cp "$root/Tools/vector-math/activation_speed.swift" "$work/main.swift"
swiftc -O -wmo -target-cpu "$cpu" -I "$work/include" -module-name ActivationSpeed \
    "$work/main.swift" "$runtime/VectorMath.swift" "$runtime/VectorMath+Activations.swift" \
    "$runtime/SIMDArithmetic.swift" "$runtime/SIMDMemory.swift" -o "$work/activation_speed"
echo "activations compiled for $cpu, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$work/activation_speed"
