extension CompiledModel {
    /// How many samples `input` holds: shape (N, …inputShape) or one sample
    /// (…inputShape); a trailing channel axis of 1 may be left out, as numpy
    /// images often are.
    public static func batchCount(of input: NPYFile, path: String) throws(RuntimeError) -> Int {
        let sample = inputShape
        let squeezed = sample.last == 1 && sample.count > 1 ? Array(sample.dropLast()) : nil
        for form in [sample, squeezed].compactMap({ $0 }) {
            if input.shape == form { return 1 }
            if input.shape.count == form.count + 1, Array(input.shape.dropFirst()) == form { return input.shape[0] }
        }
        throw RuntimeError("\(path): the input has shape \(TensorLayout.shapeText(input.shape)); the model takes (N, \(sample.map(String.init).joined(separator: ", "))), a batch of \(TensorLayout.shapeText(sample)) samples")
    }
}
