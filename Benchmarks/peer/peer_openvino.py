"""OpenVINO as a peer: it reads the same ONNX graph as ONNX Runtime and
compiles it for the CPU device, one model per batch size (a static input
shape), with PERFORMANCE_HINT LATENCY (one stream), INFERENCE_NUM_THREADS =
the thread count, and f32 inference precision (on CPUs with bf16 or AMX
OpenVINO would otherwise compute in bf16 and fail the equality check)."""
import os

from peer_base import PeerUnavailable, first_line


class OpenVino:
    key, name = "openvino", "OpenVINO"

    def __init__(self):
        import openvino
        self.ov = openvino
        self.core = openvino.Core()
        self.path = None

    def version(self):
        from importlib.metadata import version
        return version("openvino")

    def settings(self):
        return "CPU device; PERFORMANCE_HINT LATENCY, INFERENCE_NUM_THREADS = threads, INFERENCE_PRECISION_HINT f32, static batch"

    def prepare(self, model):
        self.path = None
        if model.onnx_bytes is None:
            raise PeerUnavailable(model.onnx_error)
        self.path = os.path.join(model.folder, "model.onnx")
        with open(self.path, "wb") as file:
            file.write(model.onnx_bytes)
        try:
            self.core.read_model(self.path)
        except RuntimeError as error:
            raise PeerUnavailable(f"OpenVINO cannot read the ONNX graph: {first_line(error)}")

    def runner(self, threads, inputs):
        model = self.core.read_model(self.path)
        model.reshape({"input": list(inputs.shape)})
        compiled = self.core.compile_model(model, "CPU", {
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": threads,
            "INFERENCE_PRECISION_HINT": "f32",
        })
        return Runner(self.ov, compiled, inputs)


class Runner:
    """One infer request with the input tensor set once (sharing the numpy
    buffer), so each timed call is one synchronous infer()."""

    def __init__(self, ov, compiled, inputs):
        self.inputs = inputs  # the request reads this buffer: keep it alive
        self.request = compiled.create_infer_request()
        self.request.set_input_tensor(ov.Tensor(inputs, shared_memory=True))

    def run(self):
        self.request.infer()

    def output(self):
        return self.request.get_output_tensor().data.copy()

