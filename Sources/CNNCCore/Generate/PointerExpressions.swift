/// How generated code names a place in a buffer: `base.advanced(by: n)`,
/// not `base + n`. The compiler resolves `+` among dozens of overloads at
/// every use; a model's call sites are mostly such expressions, and
/// `advanced(by:)`, a method of one type, halved the type-checking of a
/// 2,000-layer chain (33 s to 17 s).
enum PointerExpression {
    /// `base` moved by `amount` elements (itself for an amount of "0").
    static func offset(_ base: String, by amount: String) -> String {
        amount == "0" ? base : "\(base).advanced(by: \(amount))"
    }

    static func offset(_ base: String, by amount: Int) -> String { offset(base, by: "\(amount)") }

    /// An expression made fit to call a method on or to divide: `(y + 8)`, or `y` alone.
    static func parenthesized(_ pointer: String) -> String {
        pointer.contains(" ") ? "(\(pointer))" : pointer
    }
}

/// The weights a layer's kernels are called with: the whole buffer, or the
/// layer's own part of it when its kernels read relative to its `weightBase`.
extension NodeProgram {
    /// Its packed inference weights (`w`).
    var packedWeights: String { PointerExpression.offset("w", by: weightBase?.packed ?? 0) }
    /// Its weights in Keras's layout (`k`), which the backward pass reads.
    var parameterWeights: String { PointerExpression.offset("k", by: weightBase?.parameters ?? 0) }
    /// Its part of the gradient buffer, laid out as `k`.
    var parameterGradients: String { PointerExpression.offset("gradients", by: weightBase?.parameters ?? 0) }
}

extension WeightPlan.PackedKernel {
    /// The line that names the parts of the packed weights (`w`) a kernel
    /// function reads, so its body says `bias` and `kernel + …`, not
    /// `w + 53824 + c0`: `kernel` and `bias`, each where the function reads it.
    func namedParts(kernelUsed: Bool = true, biasUsed: Bool) -> String {
        let parts = (kernelUsed ? ["kernel = \(Index(kernelOffset).offsetting("w"))"] : [])
            + (biasUsed ? ["bias = \(Index(biasOffset).offsetting("w"))"] : [])
        return parts.isEmpty ? "" : "let " + parts.joined(separator: ", ")
    }
}
