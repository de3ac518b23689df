import CNNCRuntime
import CNNCTraining

/// Every layer's output for a batch, as `cnnc verify` and `--dump-layers`
/// need them. One thread and one pass per sample: this is for checking a
/// model, not for speed.
extension CompiledModel {
    /// `result[layer]` holds that layer's outputs for all samples, one sample
    /// after another (shape `(count, …layers[layer].outputShape)`).
    public func layerOutputs(batch input: [Float]) throws(RuntimeError) -> [[Float]] {
        guard input.count % Self.inputCount == 0 else {
            throw RuntimeError("the batch has \(input.count) values, not a multiple of the \(Self.inputCount) of one sample")
        }
        let count = input.count / Self.inputCount
        var outputs = Self.layers.map { [Float](repeating: 0, count: count * $0.outputCount) }
        let arena = ModelArena(count: Self.arenaCount)
        var final = [Float](repeating: 0, count: Self.outputCount)
        input.withUnsafeBufferPointer { source in
            for sample in 0..<count {
                predict(source.baseAddress! + sample * Self.inputCount, into: &final, arena: arena.pointer) { layer, output in
                    let width = Self.layers[layer].outputCount
                    outputs[layer].withUnsafeMutableBufferPointer { target in
                        (target.baseAddress! + sample * width).update(from: output, count: width)
                    }
                }
            }
        }
        return outputs
    }

    /// Writes the inputs and every layer's outputs as safetensors, one tensor
    /// per layer under its Keras name plus `__input__`: the same layout as a
    /// Keras reference file, so a dump can itself serve as a reference.
    public func writeLayerOutputs(batch input: [Float], to path: String, metadata: [String: String] = [:]) throws(RuntimeError) {
        let count = input.count / Self.inputCount
        let outputs = try layerOutputs(batch: input)
        var buffer = input
        var layout = [TensorLayout(name: ReferenceVectors.inputName, shape: [count] + Self.inputShape, offset: 0)]
        for (layer, values) in zip(Self.layers, outputs) {
            layout.append(TensorLayout(name: layer.name, shape: [count] + layer.outputShape, offset: buffer.count))
            buffer += values
        }
        try SafeTensors.write(parameters: buffer, layout: layout, metadata: metadata.merging(["format": ReferenceVectors.format]) { $1 }, to: path)
    }
}
