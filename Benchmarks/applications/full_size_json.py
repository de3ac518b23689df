#!/usr/bin/env python3
"""keras.applications models as a user has them, at their full size (the
default 224x224x3, InceptionV3's 299x299x3, the 1000-class top), each
written as `model.to_json()` for the peer benchmark, which seeds their
weights itself:

    KERAS_BACKEND=jax .venv-keras/bin/python Benchmarks/applications/full_size_json.py OUTDIR
    Benchmarks/peer/run.sh OUTDIR/{resnet50_224,densenet121_224,inceptionv3_299,mobilenet_224,mobilenetv2_224,efficientnetb0_224}.json --batch 1

and, less often (their conversions for the peers take minutes), ResNet50V2,
VGG16 (a 411 MB first Dense layer, read from memory once a sample) and Xception.

Only the architectures are written (weights=None, a few hundred KB each);
nothing goes into the repository.
"""

import sys
from pathlib import Path

MODELS = [
    ("resnet50_224", "ResNet50"),
    ("densenet121_224", "DenseNet121"),
    ("inceptionv3_299", "InceptionV3"),
    ("mobilenet_224", "MobileNet"),
    ("mobilenetv2_224", "MobileNetV2"),
    ("efficientnetb0_224", "EfficientNetB0"),
    ("resnet50v2_224", "ResNet50V2"),
    ("vgg16_224", "VGG16"),
    ("xception_299", "Xception"),
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    import keras

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, constructor in MODELS:
        model = getattr(keras.applications, constructor)(weights=None)
        path = out / f"{name}.json"
        path.write_text(model.to_json())
        print(f"{path}: {constructor}, input {model.input_shape[1:]}, {model.count_params():,} parameters")


if __name__ == "__main__":
    main()
