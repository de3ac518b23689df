#!/usr/bin/env bash
# The four picture commands, through the real CLI, on every spec in Specs/
# and a functional model (or the specs given): `cnnc diagram`, `cnnc train
# --plot` and `cnnc evaluate --plot` on random data of the model's shapes,
# `cnnc predict --plot-layers` with the trained weights (or the Keras fixture
# weights of a model that cannot train on class labels). Prints one line per
# command and model; the pictures stay in the folder it names. A model whose
# output is not a vector of class scores is refused training, with the reason.
# Needs numpy (Tools/keras-fixtures' venv has it: PYTHON=.venv-keras/bin/python).
# Run from the repository root after `swift build --product cnnc`.
set -uo pipefail
cnnc=${CNNC:-.build/debug/cnnc}
python=${PYTHON:-python3}
here=$(dirname "$0")
work=$(mktemp -d "${TMPDIR:-/tmp}/cnnc-pictures.XXXXXX")
echo "pictures in $work"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(Specs/*.cnn.yaml Tests/Fixtures/graphs/residual_block.yaml)
for spec in "${specs[@]}"; do
  stem=$(basename "$spec"); stem=${stem%%.*}
  out=$work/$stem
  mkdir -p "$out"
  summary=$("$cnnc" summary --format json "$spec")
  shape=$(echo "$summary" | "$python" -c "import json, sys; print(json.dumps(json.load(sys.stdin)['inputs'][0]['shape']))")
  classes=$(echo "$summary" | "$python" -c "import json, sys; s = json.load(sys.stdin)['layers'][-1]['output_shape']; print(s[-1] if len(s) == 1 else 2)")
  "$python" "$here/make_npz.py" "$out/data.npz" "$shape" "$classes"
  "$cnnc" diagram "$spec" -o "$out/diagram.svg" > /dev/null 2>&1 && echo "$stem: diagram ok" || echo "$stem: diagram FAILED"
  weights=Tests/Fixtures/keras/outputs/$stem/weights.safetensors
  if "$cnnc" train "$spec" --data "npz:$out/data.npz" --epochs 2 --save "$out/weights.safetensors" --plot "$out/curves.svg" > "$out/train.log" 2>&1; then
    echo "$stem: train --plot ok"
    weights=$out/weights.safetensors
    "$cnnc" evaluate "$spec" --weights "$weights" --data "npz:$out/data.npz" --plot "$out/confusion.svg" > "$out/evaluate.log" 2>&1 \
      && echo "$stem: evaluate --plot ok" || echo "$stem: evaluate FAILED (see $out/evaluate.log)"
  else
    echo "$stem: train refused: $(grep -m1 'error' "$out/train.log")"
  fi
  "$cnnc" predict "$spec" --weights "$weights" --input "$out/data_x.npy" --output "$out/prediction.npy" --plot-layers "$out/layers" > "$out/predict.log" 2>&1 \
    && echo "$stem: predict --plot-layers ok ($(ls "$out/layers" | wc -l) pictures)" || echo "$stem: predict FAILED (see $out/predict.log)"
done
