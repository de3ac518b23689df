#!/usr/bin/env bash
# keras.applications through cnnc: VGG16, ResNet50, ResNet50V2, DenseNet121,
# EfficientNetB0, EfficientNetV2B0, ConvNeXtTiny (64x64), InceptionV3, InceptionResNetV2 (75x75), MobileNet,
# MobileNetV2, MobileNetV3Small, NASNetMobile (96x96) and Xception (71x71),
# weights=None, 10 classes, seeded weights.
# For each: Keras's per-layer reference, `cnnc verify` at atol 1e-4 and
# rtol 1e-3 of the model's .keras file as Keras saved it (architecture and
# weights read by cnnc itself), generated lines and release compile time (Benchmarks/compile),
# and single-thread batch-1 latency against ONNX Runtime (Benchmarks/peer).
#
#   Benchmarks/applications/run.sh [OUTDIR] [NAME ...]    (OUTDIR default /tmp/cnnc-applications)
#
# Needs the venvs of Tools/keras-fixtures (.venv-keras) and Benchmarks/peer
# (.venv-peer); their run.sh scripts make them. About 600 MB of weights and
# references are written to OUTDIR; nothing is written into the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/cnnc-applications}
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(vgg16 resnet50 resnet50v2 densenet121 inceptionv3 mobilenet mobilenetv2 mobilenetv3small
                                   efficientnetb0 efficientnetv2b0 xception nasnetmobile inceptionresnetv2 convnexttiny)
swift build -q --product cnnc
cnnc=.build/debug/cnnc

KERAS_BACKEND=jax .venv-keras/bin/python Benchmarks/applications/make_references.py "$out" "${names[@]}"
for name in "${names[@]}"; do
  d="$out/$name"
  "$cnnc" verify "$d/model.keras" --reference "$d/reference.safetensors" --atol 1e-4 --rtol 1e-3 | tail -n 1
done
# Each application's model.json (its folder alone is not a spec).
specs=()
for name in "${names[@]}"; do specs+=("$out/$name/model.json"); done
CNNC="$cnnc" bash Benchmarks/compile/run.sh "${specs[@]}"
for name in "${names[@]}"; do
  .venv-peer/bin/python Benchmarks/peer/peer_benchmark.py --cnnc "$cnnc" --batch 1 \
    --weights "$out/$name/weights.safetensors" "$out/$name/model.json"
done
