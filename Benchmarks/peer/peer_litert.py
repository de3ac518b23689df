"""LiteRT as a peer: the model as Keras has it (`cnnc export` writes the spec
and weights as a .keras file), converted to one .tflite per batch size by
tflite_convert.py in a process of its own, and run by LiteRT's interpreter
with its default XNNPACK delegate (applied to every float model) and
num_threads = the thread count.
"""
import os
import signal
import subprocess
import sys

from cnnc_tool import CnncFailed
from peer_base import PeerUnavailable

HERE = os.path.dirname(os.path.abspath(__file__))


class LiteRT:
    key, name = "litert", "LiteRT"

    def __init__(self):
        from ai_edge_litert import interpreter
        self.interpreter = interpreter
        self.models = {}  # batch size: .tflite bytes

    def version(self):
        from importlib.metadata import version
        return version("ai-edge-litert")

    def settings(self):
        return ("a .tflite per batch size, converted from cnnc export's .keras by tensorflow-cpu "
                "(float32, builtin ops); XNNPACK delegate, num_threads = threads")

    def prepare(self, model):
        self.models = {}
        keras_folder, tflite_folder = os.path.join(model.folder, "keras"), os.path.join(model.folder, "tflite")
        try:
            model.cnnc.export(model.spec, model.weights_path, keras_folder)
        except CnncFailed as error:
            raise PeerUnavailable(f"cnnc export failed: {last_line(str(error))}")
        result = subprocess.run([sys.executable, os.path.join(HERE, "tflite_convert.py"), os.path.join(keras_folder, "model.keras"),
                                 tflite_folder, *map(str, model.batches)], capture_output=True, text=True)
        if result.returncode < 0:
            # A converter the kernel killed prints nothing: VGG16's conversion alone peaks at 19 GB,
            # and beside the other peers' sessions it ran out of a 24 GB machine's memory.
            name = signal.Signals(-result.returncode).name
            raise PeerUnavailable(f"conversion to .tflite was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else ""))
        if result.returncode != 0:
            raise PeerUnavailable(f"conversion to .tflite failed: {last_line(result.stderr)}")
        for batch in model.batches:
            with open(os.path.join(tflite_folder, f"batch_{batch}.tflite"), "rb") as file:
                self.models[batch] = file.read()

    def runner(self, threads, inputs):
        batch = inputs.shape[0]
        if batch not in self.models:
            raise PeerUnavailable(f"no .tflite for batch {batch}")
        interpreter = self.interpreter.Interpreter(model_content=self.models[batch], num_threads=threads)
        interpreter.allocate_tensors()
        return Runner(interpreter, inputs)


class Runner:
    """The input set once; each timed call is one invoke()."""

    def __init__(self, interpreter, inputs):
        self.interpreter = interpreter
        self.interpreter.set_tensor(interpreter.get_input_details()[0]["index"], inputs)
        self.output_index = interpreter.get_output_details()[0]["index"]

    def run(self):
        self.interpreter.invoke()

    def output(self):
        return self.interpreter.get_tensor(self.output_index)


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no message"
