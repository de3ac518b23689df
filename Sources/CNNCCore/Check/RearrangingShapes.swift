/// Output shapes of Permute and RepeatVector, as Keras 3's
/// `compute_output_shape` gives them.
extension ShapeInference {
    /// Permute: output axis i has the size of input axis dims[i] (from 1).
    static func permuted(_ config: PermuteConfig, input: TensorShape) -> Result<Outcome, ShapeError> {
        guard config.dims.count == input.rank else {
            let axes = "[" + (1...max(input.rank, 1)).map(String.init).joined(separator: ", ") + "]"
            return .failure(ShapeError("dims \(config.dims) orders \(config.dims.count) axes but the input \(input) has \(input.rank); give a permutation of \(axes)"))
        }
        return .success(Outcome(output: TensorShape(config.order.map { input.dimensions[$0] }), padding: nil))
    }

    /// RepeatVector: (features) → (n, features); Keras takes nothing but a vector.
    static func repeated(_ config: RepeatVectorConfig, input: TensorShape) -> Result<Outcome, ShapeError> {
        guard input.rank == 1 else {
            return .failure(ShapeError("RepeatVector needs a vector input (features), but its input is \(input); put Flatten or a global pooling before it"))
        }
        return .success(Outcome(output: TensorShape([config.n, input.lastAxis]), padding: nil))
    }
}
