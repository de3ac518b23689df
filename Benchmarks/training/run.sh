#!/usr/bin/env bash
# Train a spec with cnnc and with Keras 3 (JAX) on MNIST, side by side:
#
#   Benchmarks/training/run.sh                       LeNet-5, 3 epochs, batch 32, adam, 1 thread
#   Benchmarks/training/run.sh --epochs 10 --threads 2
#   Benchmarks/training/run.sh --data ~/mnist --spec Specs/mnist_convnet.cnn.yaml
#
# Makes .venv-keras at the repository root if missing (Tools/keras-fixtures/
# requirements.txt), builds cnnc in release, then runs compare.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
if [ ! -x .venv-keras/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv-keras
  .venv-keras/bin/pip install --quiet --upgrade pip
  .venv-keras/bin/pip install --quiet -r Tools/keras-fixtures/requirements.txt
fi
swift build -c release --product cnnc >/dev/null
exec .venv-keras/bin/python "$here/compare.py" "$@"
