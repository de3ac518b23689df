#!/usr/bin/env bash
# Regenerate the Keras golden fixtures under Tests/Fixtures/keras/.
#
#   Tools/keras-fixtures/run.sh            Keras 3 fixtures (summary/, summary-ll100*/, json3/)
#   Tools/keras-fixtures/run.sh --keras2   also the Keras 2 JSON fixtures (json2/)
#   Tools/keras-fixtures/run.sh --keras2-only
#   Tools/keras-fixtures/run.sh --outputs  also the numeric fixtures (outputs/)
#   Tools/keras-fixtures/run.sh --outputs-only
#   Tools/keras-fixtures/run.sh --augmentation-only   ImageDataGenerator fixtures (augmentation/) and the
#                                   augmentation layers' transforms (random_image/)
#   Tools/keras-fixtures/run.sh --training-step-only  one train_on_batch per optimizer (training_step/,
#                                   and functional/training_step/ for the graphs, from functional/outputs/)
#   Tools/keras-fixtures/run.sh --optimizers-only     SGD/Adam/RMSprop trajectories (optimizers/)
#   Tools/keras-fixtures/run.sh --keras-files-only    Keras's own files (files/: .keras, .weights.h5, Keras 2 .h5,
#                                   from the committed JSON and weights) and the HDF5 reader's (Tests/Fixtures/hdf5/)
#   Tools/keras-fixtures/run.sh --functional-only     graphs and keras.applications (functional/)
#                                   (--keras2 also writes their Keras 2 JSON, functional/json2/)
#   --only STEM (repeatable) with the Keras 3 summaries, --outputs, --functional or --training-step:
#                                   refresh only that spec (a new zoo model), leaving the
#                                   other fixtures and VERSIONS.txt as they are
#
# Virtual environments are made at the repository root if missing:
# .venv-keras (requirements.txt) and .venv-tfkeras (requirements-keras2.txt).
# PYTHON=/path/to/python3.11 picks the interpreter that makes them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

keras3=1
keras2=0
outputs=0
augmentation=0
training_step=0
optimizers=0
functional=0
keras_files=0
only=()
expect_stem=0
for arg in "$@"; do
  if [ "$expect_stem" = 1 ]; then only+=(--only "$arg"); expect_stem=0; continue; fi
  case "$arg" in
    --only) expect_stem=1 ;;
    --keras2) keras2=1 ;;
    --keras2-only) keras2=1; keras3=0 ;;
    --outputs) outputs=1 ;;
    --outputs-only) outputs=1; keras3=0 ;;
    --augmentation) augmentation=1 ;;
    --augmentation-only) augmentation=1; keras3=0 ;;
    --training-step) training_step=1 ;;
    --training-step-only) training_step=1; keras3=0 ;;
    --optimizers) optimizers=1 ;;
    --optimizers-only) optimizers=1; keras3=0 ;;
    --functional) functional=1 ;;
    --functional-only) functional=1; keras3=0 ;;
    --keras-files) keras_files=1 ;;
    --keras-files-only) keras_files=1; keras3=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [ "$expect_stem" = 1 ]; then echo "--only needs a spec stem" >&2; exit 2; fi

make_venv() { # dir requirements
  if [ ! -x "$1/bin/python" ]; then
    "$python" -m venv "$1"
    "$1/bin/pip" install --quiet --upgrade pip
    "$1/bin/pip" install --quiet -r "$2"
  fi
}

# An older .venv-keras may predate a pin (safetensors): bring it up to date.
sync_keras_venv() {
  make_venv .venv-keras "$here/requirements.txt"
  if ! .venv-keras/bin/python -c "import safetensors" 2>/dev/null; then
    .venv-keras/bin/pip install --quiet -r "$here/requirements.txt"
  fi
}

if [ "$keras3" = 1 ]; then
  sync_keras_venv
  # No terminal on stdin; the script itself runs each summary in a child
  # process with stdout redirected to a file and COLUMNS/LINES unset.
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_fixtures.py" "${only[@]}" </dev/null
fi

if [ "$keras2" = 1 ]; then
  make_venv .venv-tfkeras "$here/requirements-keras2.txt"
  TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=2 \
    .venv-tfkeras/bin/python "$here/make_keras2_json.py" </dev/null
  TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=2 \
    .venv-tfkeras/bin/python "$here/make_keras2_functional_json.py" </dev/null
fi

if [ "$functional" = 1 ]; then
  sync_keras_venv
  # About 4 minutes: DenseNet121 and InceptionV3 are large graphs.
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_functional_fixtures.py" "${only[@]}" </dev/null
fi

if [ "$keras_files" = 1 ]; then
  sync_keras_venv
  make_venv .venv-tfkeras "$here/requirements-keras2.txt"
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_keras_file_fixtures.py" </dev/null
  TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=2 \
    .venv-tfkeras/bin/python "$here/make_keras_file_fixtures.py" --keras2 </dev/null
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_hdf5_fixtures.py" </dev/null
fi

if [ "$outputs" = 1 ]; then
  sync_keras_venv
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_output_fixtures.py" "${only[@]}" </dev/null
fi

if [ "$augmentation" = 1 ]; then
  sync_keras_venv
  if ! .venv-keras/bin/python -c "import scipy" 2>/dev/null; then
    .venv-keras/bin/pip install --quiet -r "$here/requirements.txt"
  fi
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_augmentation_fixtures.py" </dev/null
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_random_image_fixtures.py" </dev/null
fi

if [ "$training_step" = 1 ]; then
  sync_keras_venv
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_training_step_fixtures.py" "${only[@]}" </dev/null
fi

if [ "$optimizers" = 1 ]; then
  sync_keras_venv
  KERAS_BACKEND=jax .venv-keras/bin/python "$here/make_optimizer_fixtures.py" </dev/null
fi
