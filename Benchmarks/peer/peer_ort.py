"""ONNX Runtime as a peer: the ONNX graph of onnx_graph.py on the CPU provider
with intra_op_num_threads = the thread count, one inter-op thread, sequential
execution and all graph optimizations."""
from peer_base import PeerUnavailable


class OnnxRuntime:
    key, name = "ort", "ONNX Runtime"

    def __init__(self):
        import onnxruntime
        self.ort = onnxruntime
        self.model_bytes = None

    def version(self):
        return self.ort.__version__

    def settings(self):
        return "CPU provider; intra_op_num_threads = threads, inter_op_num_threads=1, sequential, all graph optimizations; IOBinding"

    def prepare(self, model):
        """Takes the spec's ModelFiles; the ONNX graph is all it needs."""
        self.model_bytes = None
        if model.onnx_bytes is None:
            raise PeerUnavailable(model.onnx_error)
        self.model_bytes = model.onnx_bytes

    def runner(self, threads, inputs):
        return Runner(self.ort, self.model_bytes, threads, inputs)


class Runner:
    """One session with `inputs` bound once (IOBinding), so each timed call is
    one run_with_iobinding with as little Python around it as ORT allows."""

    def __init__(self, ort, model_bytes, threads, inputs):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        self.binding = self.session.io_binding()
        self.binding.bind_cpu_input("input", inputs)
        self.binding.bind_output("output", "cpu")
        self.session.run_with_iobinding(self.binding)  # let ORT allocate the output once
        self.binding.bind_ortvalue_output("output", self.binding.get_outputs()[0])

    def run(self):
        self.session.run_with_iobinding(self.binding)

    def output(self):
        return self.binding.get_outputs()[0].numpy()
