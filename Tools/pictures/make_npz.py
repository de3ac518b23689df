"""Random images of a model's input shape with labels of its class count, as
an .npz for `cnnc train --data npz:FILE` (x_train, y_train, x_test, y_test),
and the first two images as an .npy for `cnnc predict --input`.
Used by every-model.sh. Needs numpy."""
import json
import sys

import numpy as np

path, shape, classes = sys.argv[1], json.loads(sys.argv[2]), max(2, int(sys.argv[3]))
rng = np.random.default_rng(0)
x = rng.random((64, *shape), dtype=np.float32)
y = (np.arange(64) % classes).astype(np.int64)
np.savez(path, x_train=x[:48], y_train=y[:48], x_test=x[48:], y_test=y[48:])
np.save(path.replace(".npz", "_x.npy"), x[:2])
