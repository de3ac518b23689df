#!/usr/bin/env bash
# The scale-out round trip: a model leaves cnnc as a .keras file, Keras trains
# it data-parallel over two devices (JAX's distribution API, two CPU devices
# here; the same code runs over GPUs or hosts), and cnnc takes the result
# back, checked layer by layer against Keras.
#   Tools/scale-out/round-trip.sh [SPEC] [OUTDIR]   (default Specs/lenet5.cnn.yaml, a temporary folder)
# Needs Tools/keras-fixtures's venv (.venv-keras; its run.sh makes it), or PYTHON
# naming a Python with keras, jax and safetensors. CNNC=path uses that cnnc.
set -euo pipefail
cd "$(dirname "$0")/../.."
spec=${1:-Specs/lenet5.cnn.yaml}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
python=${PYTHON:-.venv-keras/bin/python}
cnnc=${CNNC:-}
if [ -z "$cnnc" ]; then
  swift build -q --product cnnc
  cnnc=.build/debug/cnnc
fi

# 1. Start on one machine: a short cnnc training run on the built-in digits.
"$cnnc" train "$spec" --epochs 1 --save "$out/start.safetensors" | tail -n 2
# 2. Export it as the .keras file Keras loads.
"$cnnc" export "$spec" --weights "$out/start.safetensors" --output "$out/exported"
# 3. Keras trains it data-parallel over two devices and saves it.
XLA_FLAGS=--xla_force_host_platform_device_count=2 KERAS_BACKEND=jax \
  "$python" Tools/scale-out/train_data_parallel.py "$out/exported/model.keras" "$out/keras" 4
# 4. cnnc reads Keras's file as it is, and every layer must agree with Keras.
"$cnnc" verify "$out/keras/trained.keras" --reference "$out/keras/reference.safetensors" --atol 1e-5 --rtol 1e-4 | tail -n 3
echo "round trip: passed ($out)"
