#!/usr/bin/env bash
# Builds and runs Examples/Classifier exactly as its README says: a package
# that depends on cnnc by path and uses the plugin. With the committed
# Keras-trained weights it must name each of the ten sample digits correctly.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
example="$repo/Examples/Classifier"
# CNNC_SCRATCH_PATH builds in another package's build folder (the README
# walkthrough's): cnnc's dependencies fetched and compiled there are reused.
# cnnc itself is compiled again, since the walkthrough's comes from a tagged
# release and this one from the checkout.
scratch=()
if [ -n "${CNNC_SCRATCH_PATH:-}" ]; then scratch=(--scratch-path "$CNNC_SCRATCH_PATH"); fi
start=$(date +%s)
swift build --package-path "$example" "${scratch[@]}" > "$example/.build-log.txt" 2>&1 || {
  echo "example: swift build failed:"; tail -40 "$example/.build-log.txt"; exit 1; }
echo "example: build took $(( $(date +%s) - start )) s ($(grep -c "Compiling" "$example/.build-log.txt") compile steps)"
rm -f "$example/.build-log.txt"
binary=$(swift build --package-path "$example" "${scratch[@]}" --show-bin-path)/Classifier
output=$("$binary" "$example/samples.npy" "$example/digits.safetensors")
echo "$output"
digits=$(echo "$output" | sed -n 's/^image [0-9]*: digit \([0-9]\).*/\1/p' | tr -d '\n')
if [ "$digits" != "0123456789" ]; then
  echo "example: expected the digits 0123456789, got '$digits'"; exit 1
fi
# A 7 that is not from MNIST (draw_seven.py).
"$binary" "$example/seven.npy" "$example/digits.safetensors" | grep -q "^image 0: digit 7 " || {
  echo "example: seven.npy was not classified as a 7"; exit 1; }
# Bad input is a clear error, not a crash.
if "$binary" "$example/no-such-image.npy" 2> "$example/.error.txt"; then
  echo "example: a missing image was accepted"; exit 1
fi
grep -q "no such file" "$example/.error.txt" && rm -f "$example/.error.txt"
echo "example: passed"
