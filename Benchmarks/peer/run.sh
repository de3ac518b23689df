#!/usr/bin/env bash
# cnnc against ONNX Runtime, OpenVINO and LiteRT on the same models (see README.md beside this file).
#
#   Benchmarks/peer/run.sh [SPEC...] [--peers ort,openvino,litert] [--threads N...] [--batch N...] [--weights W] [--seconds S] [--rounds R]
#
# Default: every Specs/*.cnn.yaml at batch 1 and 32 with 1 thread, all three
# peers. The Python environment (one for all peers, tensorflow-cpu included) is
# made at the repository root (.venv-peer) from the pinned requirements.txt,
# and remade when that file changes; cnnc is built (debug is
# enough: the models themselves are always compiled in release). PYTHON picks
# the interpreter that makes the environment.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv-peer"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.installed"; then
  echo "peer: installing $venv from Benchmarks/peer/requirements.txt" >&2
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.installed"
fi

echo "peer: building cnnc" >&2
if ! log="$(swift build --package-path "$root" --product cnnc 2>&1)"; then
  echo "$log" >&2
  exit 1
fi
cnnc="$(swift build --package-path "$root" --show-bin-path)/cnnc"

exec "$venv/bin/python" "$here/peer_benchmark.py" --cnnc "$cnnc" "$@"
