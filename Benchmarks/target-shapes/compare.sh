#!/usr/bin/env bash
# How much a CPU kind's register blocks matter, on whatever machine this runs:
# every model is compiled for one CPU (default haswell: AVX2's 16 registers,
# as on AMD Zen 3) with its kernels shaped for each kind in turn, and timed
# with one thread at batch 1 and 32 (images/s). On an AVX-512 machine this
# measures the AVX2 path without an AVX2 machine.
#   Benchmarks/target-shapes/compare.sh [--cpu haswell] [--shapes "avx512-256 avx2"] [SPEC...]
# Run from the repository root after `swift build --product cnnc`.
set -euo pipefail
cpu=haswell
shapes="avx512-256 avx2"
while [ $# -gt 0 ]; do
  case $1 in
    --cpu) cpu=$2; shift 2 ;;
    --shapes) shapes=$2; shift 2 ;;
    *) break ;;
  esac
done
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(Specs/toy_convnet.cnn.yaml Specs/lenet5.cnn.yaml Specs/mnist_convnet.cnn.yaml Specs/resnet20_cifar.cnn.yaml Specs/cats_vs_dogs.cnn.yaml)
cnnc=.build/debug/cnnc
work=$(mktemp -d "${TMPDIR:-/tmp}/cnnc-shapes.XXXXXX")
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); code compiled for -target-cpu $cpu; packages in $work"
echo "| model | batch | $(echo $shapes | sed 's/ / | /g') |"
for spec in "${specs[@]}"; do
  stem=$(basename "$spec"); stem=${stem%%.*}
  declare -A rate=()
  for shape in $shapes; do
    dir=$work/$stem-$shape
    "$cnnc" build "$spec" --target-cpu "$shape" --no-build --output "$dir" > /dev/null
    # The package says -target-cpu native or the kind's own CPU; every shape gets the same one here.
    sed -i "s/\"-target-cpu\", \"[a-z0-9-]*\"/\"-target-cpu\", \"$cpu\"/" "$dir/Package.swift"
    (cd "$dir" && swift build -c release -q > build.log 2>&1) || { echo "$stem $shape: build failed, see $dir/build.log"; continue; }
    for batch in 1 32; do
      job="{\"bench\":{\"_0\":{\"batchSize\":$batch,\"threads\":1,\"seconds\":3,\"seed\":1,\"mode\":\"inference\",\"perLayer\":false}}}"
      rate[$batch-$shape]=$(echo "$job" | "$dir/.build/release/Model" job | tail -1 | python3 -c "import json, sys; print(round(json.load(sys.stdin)['images_per_s']))")
    done
  done
  for batch in 1 32; do
    line="| $stem | $batch |"
    for shape in $shapes; do line="$line ${rate[$batch-$shape]:-?} |"; done
    echo "$line"
  done
  unset rate
done
