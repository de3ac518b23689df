#!/usr/bin/env bash
# Regenerates every committed piece of generated Swift after a change to the
# generator or a spec, from the repository root:
#   Generated/            the model zoo's generated Swift, from Specs/
#   Generated/Registry.swift   the zoo's list of models
#   Tests/FixtureModels/  the Keras fixture specs, from Tests/Fixtures/specs/
#   Tests/RandomModels/   the random specs, from Tests/Fixtures/random/
#   Tests/GraphModels/    the graph specs, from Tests/Fixtures/graphs/
# Add --new-random-specs to redraw the random specs themselves first.
# Tests fail when any of these is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p Generated Tests/FixtureModels Tests/RandomModels Tests/GraphModels
# Targets must hold a Swift file before the package builds; the registries are rewritten below.
for file in Generated/Registry.swift Tests/FixtureModels/Registry.swift Tests/RandomModels/Registry.swift Tests/GraphModels/Registry.swift; do
  [ -f "$file" ] || touch "$file"
done
swift build -q --product cnnc
cnnc=.build/debug/cnnc

if [ "${1:-}" = "--new-random-specs" ]; then
  rm -f Tests/Fixtures/random/random_0*.yaml  # random_100 and on are written by hand
  python3 Tools/random-specs/make_random_specs.py --count 100 --seed 1 --out Tests/Fixtures/random
fi

# generate FOLDER TARGET SPEC...: regenerate FOLDER from the specs, kernels
# shaped for the CPU kind TARGET (GeneratedInSyncTests holds the same list:
# between them the folders compile every kind on any machine), with its registry
# (a Swift list of every model and its spec: Swift cannot discover types),
# whose type names cnnc derives by the same rule as the generated types.
generate() {
  local folder=$1 target=$2; shift 2
  # Generate beside, then touch only the files whose bytes change, so that a
  # rebuild recompiles those alone (rewriting all 200 random models costs minutes).
  local fresh
  fresh=$(mktemp -d)
  "$cnnc" generate "$@" --target-cpu "$target" --output-dir "$fresh" --registry "$fresh/Registry.swift" --quiet
  for file in "$fresh"/*.swift; do
    cmp -s "$file" "$folder/${file##*/}" || cp "$file" "$folder/"
  done
  for file in "$folder"/*.cnnc.swift; do
    [ -e "$fresh/${file##*/}" ] || rm -f "$file"
  done
  rm -rf "$fresh"
}

generate Generated avx512-256 Specs/*.cnn.yaml
# long_names.yaml exists for the summary's text wrapping; it is not a numerics fixture.
generate Tests/FixtureModels avx2 $(ls Tests/Fixtures/specs/*.yaml | grep -v long_names)
generate Tests/RandomModels avx512-zen5 Tests/Fixtures/random/*.yaml
# and the Keras files no spec can write: models nested in models (flattened by cnnc; siamese_*: called
# more than once; augmented_transfer: image augmentation layers), shared layers, and Keras 3 operations on two tensors.
generate Tests/GraphModels avx512 Tests/Fixtures/graphs/*.yaml Tests/Fixtures/keras/functional/json3/nested_*.json \
  Tests/Fixtures/keras/functional/json3/siamese_tower.json Tests/Fixtures/keras/functional/json3/siamese_blocks.json \
  Tests/Fixtures/keras/functional/json3/augmented_transfer.json Tests/Fixtures/keras/functional/json3/siamese_outputs.json \
  Tests/Fixtures/keras/functional/json3/shared_layers.json Tests/Fixtures/keras/functional/json3/tensor_arithmetic.json
