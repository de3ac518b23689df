#!/usr/bin/env bash
# Train a spec with cnnc, with Keras 3 (JAX) and with PyTorch (CPU) on the same
# data (MNIST, or random images for a spec whose input is not 28x28x1), one
# after the other on the same cores, and print a table of seconds per epoch
# and test accuracy (README.md beside this file says how each side is set up):
#
#   Benchmarks/training/run.sh                       LeNet-5, 3 epochs, batch 32, adam, 1 thread
#   Benchmarks/training/run.sh --epochs 10 --threads 2
#   Benchmarks/training/run.sh --data ~/mnist --spec Specs/mnist_convnet.cnn.yaml
#   Benchmarks/training/run.sh --spec Specs/resnet20_cifar.cnn.yaml --epochs 2 --train-limit 6400
#   Benchmarks/training/run.sh --torch-compile       PyTorch's model through torch.compile
#   Benchmarks/training/run.sh --skip-torch          cnnc and Keras only (no .venv-torch needed)
#
# Makes .venv-keras at the repository root if missing (Tools/keras-fixtures/
# requirements.txt) and, unless --skip-torch, .venv-torch (Benchmarks/training/
# requirements-torch.txt: torch 2.13.0, CPU build where the machine has it,
# plus the same Keras and JAX), builds cnnc in release, then runs compare.py
# in .venv-keras with --torch-python .venv-torch/bin/python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
torch=1
for argument in "$@"; do
  if [ "$argument" = --skip-torch ]; then torch=0; fi
done
if [ ! -x .venv-keras/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv-keras
  .venv-keras/bin/pip install --quiet --upgrade pip
  .venv-keras/bin/pip install --quiet -r Tools/keras-fixtures/requirements.txt
fi
if [ "$torch" = 1 ] && [ ! -x .venv-torch/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv-torch
  .venv-torch/bin/pip install --quiet --upgrade pip
  .venv-torch/bin/pip install --quiet -r "$here/requirements-torch.txt"
  echo "made .venv-torch: torch $(.venv-torch/bin/python -c 'import torch; print(torch.__version__)')" >&2
fi
swift build -c release --product cnnc >/dev/null
exec .venv-keras/bin/python "$here/compare.py" --torch-python "$root/.venv-torch/bin/python" "$@"
