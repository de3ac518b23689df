import CNNCRuntime

/// An optimizer's state (`Optimizer.state`: its slots by Keras's names and
/// the step count) as a safetensors file, written atomically like the weights.
public enum OptimizerStateFile {
    public static func write(_ state: [String: [Float]], to path: String) throws(RuntimeError) {
        var offset = 0
        var layout: [TensorLayout] = []
        var values: [Float] = []
        for name in state.keys.sorted() {
            let tensor = state[name] ?? []
            layout.append(TensorLayout(name: name, shape: [tensor.count], offset: offset))
            values += tensor
            offset += tensor.count
        }
        try SafeTensors.write(parameters: values, layout: layout, metadata: ["format": "cnnc-optimizer-state-1"], to: path)
    }

    public static func read(path: String) throws(RuntimeError) -> [String: [Float]] {
        let file = try SafeTensors.read(path: path, kind: "optimizer state")
        guard file.metadata["format"] == "cnnc-optimizer-state-1" else {
            throw RuntimeError("\(path) is not an optimizer state cnnc wrote")
        }
        return file.tensors.mapValues(\.values)
    }
}
