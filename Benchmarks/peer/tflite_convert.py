"""A .keras file to float32 .tflite files, one per batch size, with
tensorflow-cpu's TFLiteConverter.

    python tflite_convert.py MODEL.keras FOLDER BATCH...

writes FOLDER/batch_BATCH.tflite for each BATCH. Run as its own process by
peer_litert.py, so TensorFlow (and Keras on its TensorFlow backend) never
shares a process with the LiteRT interpreter or ONNX Runtime.

The model is loaded without compiling and traced as a tf.function over a
batch of fixed size (channels-last, as Keras and cnnc take it), its variables
frozen into constants, then converted without optimizations: no quantization,
float32 throughout, TFLite builtin ops only. A fixed batch keeps the graph
plain (CONV_2D, FULLY_CONNECTED, ...), all of which XNNPACK takes; a batch of
any size would leave Flatten as SHAPE, STRIDED_SLICE and PACK ops computing
the batch at run time, and Dense as BATCH_MATMUL.
"""
import os
import sys

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.lite.python.convert_phase import ConverterError  # noqa: E402
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2  # noqa: E402


def convert(model, batch):
    """The .tflite bytes of `model` for inputs of `batch` samples."""
    shape = [batch, *model.inputs[0].shape[1:]]

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32, name="input")])
    def serve(inputs):
        return model(inputs, training=False)

    frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen], model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def unconvertible(error):
    """One line for a ConverterError, whose message goes on to print the whole MLIR module (the last
    line peer_litert.py would show says nothing): the TensorFlow ops with no TFLite builtin, and the
    layers they come from."""
    ops = next((line.split(":", 1)[1].strip() for line in str(error).splitlines() if line.startswith("TF Select ops:")), None)
    if ops is None:
        return (str(error).splitlines() or ["no message"])[0]
    places = sorted({call.name for data in error.errors for call in data.location.call if call.name})
    return f"no TFLite builtin op for TensorFlow's {ops}" + (f" (from {', '.join(places)})" if places else "")


def main(arguments):
    if len(arguments) < 3 or not all(batch.isdigit() and int(batch) > 0 for batch in arguments[2:]):
        sys.exit("usage: " + __doc__.split("\n\n")[1].strip())
    keras_path, folder, batches = arguments[0], arguments[1], sorted({int(batch) for batch in arguments[2:]})
    model = keras.saving.load_model(keras_path, compile=False)
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        sys.exit("a model of several inputs or outputs")
    os.makedirs(folder, exist_ok=True)
    for batch in batches:
        try:
            tflite = convert(model, batch)
        except ConverterError as error:
            sys.exit(unconvertible(error))
        with open(os.path.join(folder, f"batch_{batch}.tflite"), "wb") as file:
            file.write(tflite)


if __name__ == "__main__":
    main(sys.argv[1:])
