extension CompiledModel {
    /// How many samples `input` holds: shape (N, …inputShape) or one sample
    /// (…inputShape); a trailing channel axis of 1 may be left out, as numpy
    /// images often are. A model of several inputs takes packed samples here
    /// (see `SamplePacking`).
    public static func batchCount(of input: NPYFile, path: String) throws(RuntimeError) -> Int {
        try TensorLayout(name: "input", shape: inputShape, offset: 0).batchCount(of: input, path: path)
    }
}
