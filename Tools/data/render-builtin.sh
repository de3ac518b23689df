#!/usr/bin/env bash
# Draw the built-in digits (seed 0, the default sizes), write them as an .npz
# and render the first training samples of each class to a PNG, to look at.
#
#   Tools/data/render-builtin.sh [out.png]     (default: Tools/data/builtin-digits.png)
#
# The .npz is left beside the PNG (x_train, y_train, x_test, y_test; uint8),
# ready for numpy or Keras. Needs python3 with numpy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
png="${1:-Tools/data/builtin-digits.png}"
npz="${png%.png}.npz"
CNNC_BUILTIN_NPZ="$(cd "$(dirname "$npz")" && pwd)/$(basename "$npz")" \
  swift test --filter CNNCDataTests.BuiltinDigitsTests/writeSampleNPZ
python3 Tools/data/render_samples.py "$npz" "$png" --per-class 16 --zoom 3
