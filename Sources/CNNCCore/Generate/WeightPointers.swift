/// The weights a layer's kernels are called with: the whole buffer, or the
/// layer's own part of it when its kernels read relative to its `weightBase`.
extension NodeProgram {
    /// Its packed inference weights (`w`).
    var packedWeights: String { Self.pointer("w", plus: weightBase?.packed) }
    /// Its weights in Keras's layout (`k`), which the backward pass reads.
    var parameterWeights: String { Self.pointer("k", plus: weightBase?.parameters) }
    /// Its part of the gradient buffer, laid out as `k`.
    var parameterGradients: String { Self.pointer("gradients", plus: weightBase?.parameters) }

    private static func pointer(_ base: String, plus offset: Int?) -> String {
        guard let offset, offset != 0 else { return base }
        return "\(base) + \(offset)"
    }
}
